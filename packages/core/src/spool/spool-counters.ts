import { newTally, type SpoolIndex, snapshot, type Tally } from './spool-index.js';
import type { SpoolCount, SpoolStats, SpoolWriteFailureReason } from './spool-types.js';

/** Every {@link SpoolWriteFailureReason}, in the order of `stats().writeFailures`. */
export const SPOOL_WRITE_FAILURE_REASONS: readonly SpoolWriteFailureReason[] = Object.freeze([
  'batch_too_large',
  'spool_full',
  'disk_full',
  'permission_denied',
  'read_only',
  'directory_missing',
  'io_error',
  'invalid_batch',
  'closed',
] as const);

/** The event counters of a spool instance: what it wrote, and how each batch left the disk. */
export class SpoolCounters {
  readonly written: { files: number; records: number; bytes: number } = {
    files: 0,
    records: 0,
    bytes: 0,
  };
  readonly replayed: Tally = newTally();
  readonly evicted: Tally = newTally();
  readonly expired: Tally = newTally();
  readonly corrupt: Tally = newTally();
  readonly vanished: Tally = newTally();
  readonly #failures = new Map<SpoolWriteFailureReason, { files: number; records: number }>(
    SPOOL_WRITE_FAILURE_REASONS.map((reason) => [reason, { files: 0, records: 0 }]),
  );

  /** Counts a write that persisted nothing. */
  failed(reason: SpoolWriteFailureReason, records: number): void {
    const count = this.#failures.get(reason);
    if (count === undefined) return;
    count.files++;
    count.records += records;
  }

  /** A snapshot of these counters with what `index` holds now. */
  stats(index: SpoolIndex): SpoolStats {
    const stored = index.stored;
    return {
      files: stored.files,
      bytes: index.bytes,
      records: stored.records,
      ownRecords: stored.ownRecords,
      leased: index.leased,
      written: { ...this.written },
      replayed: snapshot(this.replayed),
      evicted: snapshot(this.evicted),
      expired: snapshot(this.expired),
      corrupt: snapshot(this.corrupt),
      vanished: snapshot(this.vanished),
      writeFailures: Object.fromEntries(
        SPOOL_WRITE_FAILURE_REASONS.map((reason) => [reason, { ...this.#failures.get(reason) }]),
      ) as Record<SpoolWriteFailureReason, SpoolCount>,
    };
  }
}
