import { type KeepAlive, unrefTimeout } from '../support/timers.js';

interface Waiter {
  /** Queue position that must be settled: every record offered before the flush call. */
  readonly mark: number;
  readonly promise: Promise<boolean>;
  readonly resolve: (done: boolean) => void;
  /** Callers still waiting; when the last one times out, the waiter goes away. */
  callers: number;
}

/**
 * Pending flushes, ordered by mark. Callers that flush with nothing offered in between share one
 * waiter. While any waiter exists the process is kept alive, so a flush awaited at exit finishes.
 */
export class FlushWaiters {
  readonly #keepAlive: KeepAlive;
  #waiters: Waiter[] = [];

  constructor(keepAlive: KeepAlive) {
    this.#keepAlive = keepAlive;
  }

  /** Pending waiters. */
  get size(): number {
    return this.#waiters.length;
  }

  /** Resolves `true` when `mark` is settled, or `false` when `timeoutMillis` passes first. */
  wait(mark: number, timeoutMillis?: number): Promise<boolean> {
    const waiter = this.#waiterFor(mark);
    waiter.callers++;
    if (timeoutMillis === undefined) return waiter.promise;
    return new Promise<boolean>((resolve) => {
      const timer = unrefTimeout(() => {
        if (--waiter.callers === 0) this.#remove(waiter, false);
        resolve(false);
      }, timeoutMillis);
      void waiter.promise.then((done) => {
        clearTimeout(timer);
        resolve(done);
      });
    });
  }

  /** Resolves, oldest first, every waiter whose mark `isSettled` accepts. */
  resolveWhere(isSettled: (mark: number) => boolean): void {
    while (this.#waiters.length > 0) {
      const first = this.#waiters[0] as Waiter;
      if (!isSettled(first.mark)) return;
      this.#remove(first, true);
    }
  }

  #waiterFor(mark: number): Waiter {
    const last = this.#waiters.at(-1);
    if (last !== undefined && last.mark === mark) return last;
    let resolve: (done: boolean) => void = () => {};
    const promise = new Promise<boolean>((r) => {
      resolve = r;
    });
    const waiter: Waiter = { mark, promise, resolve, callers: 0 };
    this.#waiters.push(waiter);
    this.#keepAlive.hold();
    return waiter;
  }

  #remove(waiter: Waiter, done: boolean): void {
    const index = this.#waiters.indexOf(waiter);
    if (index === -1) return;
    this.#waiters.splice(index, 1);
    this.#keepAlive.release();
    waiter.resolve(done);
  }
}
