/** A handle returned by {@link unrefTimeout}. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * `setTimeout` that never keeps the process alive. Looked up on `globalThis` at each call, so
 * fake timers installed after import still apply.
 */
export function unrefTimeout(callback: () => void, millis: number): TimerHandle {
  const timer = setTimeout(callback, millis);
  timer.unref?.();
  return timer;
}

/**
 * Resolves as `promise` does, or `false` once `millis` pass first. The timer is unref'd and
 * cleared as soon as `promise` settles, so nothing is left pending either way.
 */
export function resolveFalseAfter(promise: Promise<boolean>, millis: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const timer = unrefTimeout(() => resolve(false), millis);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Holds the event loop open while explicit work a caller awaits (a flush, a shutdown) is pending,
 * so that a process does not exit with its telemetry half-drained. Reference-counted.
 */
export class KeepAlive {
  #holders = 0;
  #handle: ReturnType<typeof setInterval> | undefined;

  /** Takes one hold; the loop stays open until every hold is released. */
  hold(): void {
    if (this.#holders++ === 0) this.#handle = setInterval(noop, 1 << 30);
  }

  /** Releases one hold. */
  release(): void {
    if (this.#holders === 0) return;
    if (--this.#holders === 0 && this.#handle !== undefined) {
      clearInterval(this.#handle);
      this.#handle = undefined;
    }
  }
}

function noop(): void {}
