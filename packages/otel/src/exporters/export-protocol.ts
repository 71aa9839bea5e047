import type { ExportBatchContext, RecordOutcome, SpoolSummary } from '@telemetry-reporter/core';

/**
 * The method an exporter of this package offers besides OpenTelemetry's `export()`: it takes the
 * processor's deadline signal and reports each record's outcome, so `processor.stats()` can count
 * retries, encoding failures and rejections precisely. A registered symbol, so that two copies
 * of the package still recognise each other.
 */
export const EXPORT_BATCH: unique symbol = Symbol.for('telemetry-reporter.exportBatch');

/** An exporter that speaks the protocol above. */
export interface BatchAwareExporter<T> {
  [EXPORT_BATCH](items: readonly T[], context: ExportBatchContext): Promise<void>;
}

/** True when `exporter` is one of ours (or any exporter implementing the protocol). */
export function isBatchAware<T>(exporter: object): exporter is BatchAwareExporter<T> {
  return typeof (exporter as Partial<BatchAwareExporter<T>>)[EXPORT_BATCH] === 'function';
}

/**
 * What an exporter of this package with a spool offers its processor: the queue is spilled to
 * the spool at the shutdown deadline, and `stats().spool` reports the spool. A registered
 * symbol, as above.
 */
export const SPOOL_ACCESS: unique symbol = Symbol.for('telemetry-reporter.spool');

/** The spool side of an exporter, under {@link SPOOL_ACCESS}. */
export interface SpoolAccess<T> {
  /** Encodes and writes `records` (counted as spooled already); reports failures to `settle`. */
  spill(
    records: readonly T[],
    settle: (count: number, outcome: RecordOutcome, error?: unknown) => void,
  ): Promise<void>;
  /** What the spool holds and did. */
  summary(): SpoolSummary | undefined;
  /**
   * At the shutdown deadline: settles the records still being written as shutdown_timeout.
   * Absent in copies older than this field.
   */
  abandonWrites?(): void;
}

/** The exporter's spool side, when it has a spool. */
export function spoolAccessOf<T>(exporter: object): SpoolAccess<T> | undefined {
  const access = (exporter as { [SPOOL_ACCESS]?: SpoolAccess<T> })[SPOOL_ACCESS];
  return typeof access?.spill === 'function' && typeof access.summary === 'function'
    ? access
    : undefined;
}
