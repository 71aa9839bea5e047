import type { ExportBatchContext } from '@telemetry-reporter/core';

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
