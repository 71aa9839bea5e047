import type { DropReason } from '../stats/drop-reason.js';
import type { TimerHandle } from '../support/timers.js';
import type { ExportDeadline } from './export-aborted-error.js';

/**
 * One export, from `take` from the queue until its promise settles or it is abandoned. Its records
 * may all be settled (by outcomes reported early, or at the deadline) while it still holds its
 * slot: the two ends are tracked apart.
 */
export class InFlightExport {
  /** Queue position of the batch's first record; flushes compare it with their mark. */
  readonly startPosition: number;
  /** Made on first use: most exporters never look at the signal, and a controller costs ~1 µs. */
  #controller: AbortController | undefined;
  /** Records of the batch whose outcome is not known yet. */
  unsettled: number;
  /** The export deadline; cleared when it fires or the export's promise settles. */
  deadline: TimerHandle | undefined;
  /** After the deadline: when it fires, the export still running is abandoned. */
  grace: TimerHandle | undefined;
  /** `performance.now()` when the export started (kept only when an observer wants it). */
  startedAt = 0;
  /** The first outcome other than `exported`, for the observer. */
  firstFailure: DropReason | undefined;
  /** The error that came with {@link firstFailure}, if any. */
  firstError: unknown;
  /** Called at the deadline before the unsettled records are dropped (to spool them). */
  deadlineHandlers: ((reason: ExportDeadline) => void)[] | undefined;
  /** When the signal fires at the latest, in `Date.now()` milliseconds. */
  deadlineAt: number = Number.POSITIVE_INFINITY;

  constructor(startPosition: number, size: number) {
    this.startPosition = startPosition;
    this.unsettled = size;
  }

  /** The export's signal, aborted at its deadline. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the signal; a signal nobody asked for yet is made already aborted. */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }

  /** Clears the deadline and the grace timer, whichever are armed. */
  clearTimers(): void {
    if (this.deadline !== undefined) {
      clearTimeout(this.deadline);
      this.deadline = undefined;
    }
    if (this.grace !== undefined) {
      clearTimeout(this.grace);
      this.grace = undefined;
    }
  }

  /** Takes `count` records (at most what is left) out of the unsettled set; returns how many. */
  claim(count: number): number {
    if (!(count > 0)) return 0;
    const n = Math.min(Math.floor(count), this.unsettled);
    this.unsettled -= n;
    return n;
  }
}
