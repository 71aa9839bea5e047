import { DROP_REASONS, type DropReason, type RecordOutcome } from '../stats/drop-reason.js';
import type { EngineObserver } from './engine-types.js';

const VALID_OUTCOMES: ReadonlySet<string> = new Set<string>(['exported', ...DROP_REASONS]);

/**
 * The records an engine's exports handed to a spool: no longer in flight, not yet exported or
 * dropped. Their outcome comes later, from whoever replays, evicts or loses them, through
 * {@link SpoolAccount.settle}, in any order and after their export ended.
 */
export class SpoolAccount {
  readonly #drop: (reason: DropReason, count: number) => void;
  readonly #observer: EngineObserver | undefined;
  #spooled = 0;
  #exported = 0;

  constructor(drop: (reason: DropReason, count: number) => void, observer?: EngineObserver) {
    this.#drop = drop;
    this.#observer = observer;
  }

  /** Records in the spool whose outcome is not known yet. */
  get spooled(): number {
    return this.#spooled;
  }

  /** Spooled records delivered later. */
  get exported(): number {
    return this.#exported;
  }

  /** `count` records join the spool. */
  take(count: number): void {
    this.#spooled += count;
    this.#observer?.recordsSpooled?.(count);
  }

  /** `count` spooled records (at most what the spool holds) reached `outcome`. Never throws. */
  settle(count: number, outcome: RecordOutcome, error?: unknown): void {
    if (!(count > 0)) return;
    const n = Math.min(Math.floor(count), this.#spooled);
    if (n === 0) return;
    const valid = VALID_OUTCOMES.has(outcome) ? outcome : 'rejected';
    this.#spooled -= n;
    if (valid === 'exported') this.#exported += n;
    else this.#drop(valid, n);
    this.#observer?.spooledSettled?.(valid, n, error);
  }
}
