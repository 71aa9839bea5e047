import { DROP_REASONS, type DropReason } from '../stats/drop-reason.js';
import { type TimerHandle, unrefTimeout } from '../support/timers.js';

type DropCounts = Readonly<Record<DropReason, number>>;

/**
 * Turns drops into at most one warning per interval, each with the counts by reason since the
 * previous warning. The first drop after a quiet period is reported on the next microtask (never
 * on the caller's stack); drops within the following interval are reported together when it ends.
 */
export class DropWarner {
  readonly #name: string;
  readonly #intervalMillis: number;
  readonly #warn: (message: string, counts: Partial<Record<DropReason, number>>) => void;
  readonly #read: () => DropCounts;
  #reported: DropCounts;
  #window: TimerHandle | undefined;
  #reportQueued = false;
  #stopped = false;
  #reportedAfterStop = false;

  constructor(
    name: string,
    intervalMillis: number,
    warn: (message: string, counts: Partial<Record<DropReason, number>>) => void,
    read: () => DropCounts,
  ) {
    this.#name = name;
    this.#intervalMillis = intervalMillis;
    this.#warn = warn;
    this.#read = read;
    this.#reported = { ...read() };
  }

  /** Called on every drop: O(1), allocates only when a quiet period ends. */
  note(): void {
    if (this.#window !== undefined || this.#reportQueued || this.#intervalMillis === 0) return;
    if (this.#stopped) {
      if (this.#reportedAfterStop) return;
      this.#reportedAfterStop = true;
    } else {
      this.#window = unrefTimeout(() => this.#closeWindow(), this.#intervalMillis);
    }
    this.#reportQueued = true;
    queueMicrotask(() => {
      this.#reportQueued = false;
      this.report();
    });
  }

  /** Logs what was dropped since the last warning, if anything. */
  report(): boolean {
    const now = this.#read();
    const parts: string[] = [];
    const counts: Partial<Record<DropReason, number>> = {};
    let total = 0;
    for (const reason of DROP_REASONS) {
      const delta = now[reason] - this.#reported[reason];
      if (delta > 0) {
        parts.push(`${reason}: ${delta}`);
        counts[reason] = delta;
        total += delta;
      }
    }
    this.#reported = { ...now };
    if (total === 0) return false;
    this.#warn(
      `${this.#name}: dropped ${total} record${total === 1 ? '' : 's'} (${parts.join(', ')}); totals in stats()`,
      counts,
    );
    return true;
  }

  /** Reports what is pending and arms no more timers. */
  stop(): void {
    this.#stopped = true;
    if (this.#window !== undefined) {
      clearTimeout(this.#window);
      this.#window = undefined;
    }
    if (this.#intervalMillis > 0) this.report();
  }

  #closeWindow(): void {
    this.#window = undefined;
    // Something was reported: keep the next line at least one interval away.
    if (this.report() && !this.#stopped) {
      this.#window = unrefTimeout(() => this.#closeWindow(), this.#intervalMillis);
    }
  }
}
