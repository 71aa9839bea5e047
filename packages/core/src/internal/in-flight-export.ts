import type { DropReason, RecordOutcome } from '../types.js';
import type { TimerHandle } from './timers.js';

/** One export between `take` from the queue and the settlement of all its records. */
export class InFlightExport {
  /** Queue position of the batch's first record; flushes compare it with their mark. */
  readonly startPosition: number;
  readonly controller: AbortController = new AbortController();
  /** Records of the batch whose outcome is not known yet. */
  unsettled: number;
  /** The export deadline; cleared when the export's promise settles. */
  deadline: TimerHandle | undefined;
  /** `performance.now()` when the export started (kept only when an observer wants it). */
  startedAt = 0;
  /** The first outcome other than `exported`, for the observer. */
  firstFailure: DropReason | undefined;
  /** When the signal fires at the latest, in `Date.now()` milliseconds. */
  deadlineAt: number = Number.POSITIVE_INFINITY;

  constructor(startPosition: number, size: number) {
    this.startPosition = startPosition;
    this.unsettled = size;
  }

  /** Takes `count` records (at most what is left) out of the unsettled set; returns how many. */
  claim(count: number): number {
    if (!(count > 0)) return 0;
    const n = Math.min(Math.floor(count), this.unsettled);
    this.unsettled -= n;
    return n;
  }
}

/** Receives outcomes of the records of one export. */
export type SettleFn = (count: number, outcome: RecordOutcome) => void;
