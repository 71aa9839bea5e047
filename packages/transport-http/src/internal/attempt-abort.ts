/** Why an attempt was aborted, besides the caller's signal. */
export type AttemptAbortCause = 'timeout' | 'shutdown';

/**
 * The abort signal of one attempt: it fires when the caller's signal fires, when the attempt's
 * own timeout passes, or when the transport shuts down. `AbortSignal.any()` would combine them,
 * but each call registers a dependant on the caller's signal that lives until GC, and a caller's
 * signal can be long-lived (an exporter under a foreign processor never aborts its signal; see
 * nodejs/node#55351). A listener removed in `dispose()` leaves nothing behind.
 */
export class AttemptAbort {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal;
  readonly #timer: ReturnType<typeof setTimeout>;
  #cause: AttemptAbortCause | undefined;

  constructor(parent: AbortSignal, timeoutMillis: number) {
    this.#parent = parent;
    parent.addEventListener('abort', this.#onParentAbort, { once: true });
    this.#timer = setTimeout(() => this.abort('timeout'), timeoutMillis);
    this.#timer.unref?.();
  }

  /** Pass this to the request. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** What aborted the attempt, unless it was the caller's signal (or nothing). */
  get cause(): AttemptAbortCause | undefined {
    return this.#parent.aborted ? undefined : this.#cause;
  }

  /** Aborts the attempt for `cause`; the first reason wins. */
  abort(cause: AttemptAbortCause): void {
    if (this.#controller.signal.aborted) return;
    this.#cause = cause;
    const reason =
      cause === 'timeout'
        ? new DOMException('the attempt timed out', 'TimeoutError')
        : new DOMException('the transport was shut down', 'AbortError');
    this.#controller.abort(reason);
  }

  /** Clears the timer and the listener on the caller's signal. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent.removeEventListener('abort', this.#onParentAbort);
  }

  readonly #onParentAbort = (): void => {
    this.#controller.abort(this.#parent.reason);
  };
}

/**
 * Calls `fn` and settles with it, or rejects with the reason of `signal` as soon as it fires:
 * for a user callback (the headers function) that may never settle. A synchronous throw
 * rejects too. The listener is removed either way.
 */
export function untilAborted<T>(fn: () => T | Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    new Promise<T>((settle) => settle(fn())).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
