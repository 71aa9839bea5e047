/** What the spool holds and did, as `stats().spool` reports it. */
export interface SpoolSummary {
  /** Batch files in the spool directory, as this process knows them. */
  readonly files: number;
  /** Their size in bytes. */
  readonly bytes: number;
  /**
   * Spooled records whose batch is still being written: `spooled` minus this is what is safely
   * on disk (a `kill -9` now would lose these).
   */
  readonly writing: number;
  /**
   * Records replayed from the spool and delivered: of this process's batches (also counted in
   * `exported`) and of earlier processes' batches (counted nowhere else).
   */
  readonly replayed: number;
  /**
   * Records of earlier processes' batches that were dropped here: refused by the backend on
   * replay, evicted, expired or corrupt (this process's own appear under `dropped`).
   */
  readonly droppedFromEarlier: number;
  /** Records whose batch could not be written (disk full, permissions, ...), dropped instead. */
  readonly writeFailures: number;
}
