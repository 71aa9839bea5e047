import type { PreparedBatch } from './batch-input.js';
import type { SpoolEntry } from './spool-index.js';
import type { SpooledBatch, SpoolLease } from './spool-types.js';

/** How a lease ends. */
export type LeaseOutcome = 'complete' | 'release';

/** A lease; it settles once, later calls share the first. */
export class DiskLease implements SpoolLease {
  readonly batch: SpooledBatch;
  readonly #settle: (outcome: LeaseOutcome) => Promise<void>;
  #settled: Promise<void> | undefined;

  constructor(batch: SpooledBatch, settle: (outcome: LeaseOutcome) => Promise<void>) {
    this.batch = batch;
    this.#settle = settle;
  }

  complete(): Promise<void> {
    this.#settled ??= this.#settle('complete').catch(() => {});
    return this.#settled;
  }

  release(): Promise<void> {
    this.#settled ??= this.#settle('release').catch(() => {});
    return this.#settled;
  }
}

/** The batch a write-ahead writer holds: its own payload, not read back. */
export function writtenBatch(batch: PreparedBatch, entry: SpoolEntry): SpooledBatch {
  return {
    id: batch.id,
    payload: batch.payload,
    contentType: batch.contentType,
    recordCount: batch.recordCount,
    createdAt: entry.createdAt,
    bytes: entry.bytes,
    writtenByThisSpool: true,
  };
}
