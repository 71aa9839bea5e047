import { type DiagnosticLogger, silentLogger } from '../support/diagnostic-logger.js';
import {
  byteLimitOption,
  integerOption,
  millisOption,
  oneOf,
  withoutUndefined,
} from '../support/option-checks.js';
import { WARNING_INTERVAL_MILLIS } from '../support/throttle.js';

/**
 * What a full queue does with the next record.
 * - `drop_newest`: the arriving record is dropped (what OpenTelemetry's batch processors do).
 * - `drop_oldest`: the oldest queued record is evicted to make room (keeps fresh data after an
 *   outage); a record already handed to the exporter is never evicted.
 * - `drop_lowest_severity`: the oldest record of the lowest severity present is evicted
 *   (records without a severity rank lowest; for spans, spans with an error status outrank the
 *   rest); an arriving record that ranks at or below everything queued is the one dropped.
 *   Export order stays emission order.
 */
export type OverflowPolicy = 'drop_newest' | 'drop_oldest' | 'drop_lowest_severity';

/** The overflow policies, for validation and documentation. */
export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = Object.freeze([
  'drop_newest',
  'drop_oldest',
  'drop_lowest_severity',
] as const);

/** Tuning shared by the engine and the OpenTelemetry processors built on it. */
export interface BatchOptions {
  /**
   * The most records the queue holds; past it, `overflowPolicy` applies. An integer >= 1.
   * @default 2048
   */
  maxQueueSize?: number;
  /**
   * The most records handed to one export. An integer >= 1; clamped to `maxQueueSize`.
   * @default 512
   */
  maxExportBatchSize?: number;
  /**
   * How long a partial batch waits for more records before it is exported, in milliseconds.
   * An integer >= 0. A full batch is exported at once.
   * @default 1000 (the span processor defaults to 5000, as OpenTelemetry does)
   */
  scheduledDelayMillis?: number;
  /**
   * The deadline of one export, retries included, in milliseconds. When it passes, the export's
   * `AbortSignal` fires and its records count as `export_timeout`. The export keeps its slot for
   * one more `exportTimeoutMillis`, so that a send that answers late never overlaps the next
   * one; if it has still not settled then, it is abandoned: its slot is released, a warning is
   * logged (at most once per `dropWarningIntervalMillis`) and its late outcome is ignored. An
   * integer >= 1.
   * @default 30000
   */
  exportTimeoutMillis?: number;
  /**
   * How long `shutdown()` may spend draining and waiting for running exports, in milliseconds.
   * What is still queued or in flight then is counted as `shutdown_timeout`, and every export
   * still running is aborted and abandoned at once. An integer >= 0.
   * @default 30000
   */
  shutdownTimeoutMillis?: number;
  /**
   * Bounds the queue by an estimate of its records' size in bytes, alongside `maxQueueSize`;
   * whichever limit is hit first applies `overflowPolicy`. A record estimated larger than the
   * limit is dropped on arrival. An integer >= 1, or `Infinity` for no byte limit. See the
   * processors for what the estimate counts.
   * @default Infinity
   */
  maxQueueBytes?: number;
  /**
   * What a full queue does with the next record.
   * @default 'drop_newest'
   */
  overflowPolicy?: OverflowPolicy;
  /**
   * The most exports in flight at once. An integer >= 1.
   * @default 1
   */
  maxConcurrentExports?: number;
  /**
   * The shortest interval between two warnings about dropped records, in milliseconds; each
   * warning carries the counts by reason since the previous one. 0 turns drop warnings off. The
   * warning about abandoned exports keeps the same interval (0: one per abandoned export). An
   * integer >= 0.
   * @default 10000
   */
  dropWarningIntervalMillis?: number;
}

/** {@link BatchOptions} with every default applied and validated. */
export type ResolvedBatchOptions = Readonly<Required<BatchOptions>>;

/** The defaults of {@link BatchOptions}. */
export const BATCH_DEFAULTS: ResolvedBatchOptions = Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 30_000,
  shutdownTimeoutMillis: 30_000,
  maxQueueBytes: Number.POSITIVE_INFINITY,
  overflowPolicy: 'drop_newest',
  maxConcurrentExports: 1,
  dropWarningIntervalMillis: WARNING_INTERVAL_MILLIS,
});

/**
 * Applies defaults (`defaults` over {@link BATCH_DEFAULTS}), then validates. Throws a `TypeError`
 * naming the option and echoing the bad value; clamps `maxExportBatchSize` to `maxQueueSize`
 * with a warning, as OpenTelemetry does.
 */
export function resolveBatchOptions(
  options: BatchOptions = {},
  defaults: BatchOptions = {},
  logger: DiagnosticLogger = silentLogger,
): ResolvedBatchOptions {
  const merged = { ...BATCH_DEFAULTS, ...withoutUndefined(defaults), ...withoutUndefined(options) };
  const resolved = {
    maxQueueSize: integerOption('maxQueueSize', merged.maxQueueSize, 1),
    maxExportBatchSize: integerOption('maxExportBatchSize', merged.maxExportBatchSize, 1),
    scheduledDelayMillis: millisOption('scheduledDelayMillis', merged.scheduledDelayMillis, 0),
    exportTimeoutMillis: millisOption('exportTimeoutMillis', merged.exportTimeoutMillis, 1),
    shutdownTimeoutMillis: millisOption('shutdownTimeoutMillis', merged.shutdownTimeoutMillis, 0),
    maxQueueBytes: byteLimitOption('maxQueueBytes', merged.maxQueueBytes),
    overflowPolicy: oneOf('overflowPolicy', merged.overflowPolicy, OVERFLOW_POLICIES),
    maxConcurrentExports: integerOption('maxConcurrentExports', merged.maxConcurrentExports, 1),
    dropWarningIntervalMillis: millisOption(
      'dropWarningIntervalMillis',
      merged.dropWarningIntervalMillis,
      0,
    ),
  };
  if (resolved.maxExportBatchSize > resolved.maxQueueSize) {
    logger.warn(
      `maxExportBatchSize (${resolved.maxExportBatchSize}) must be <= maxQueueSize (${resolved.maxQueueSize}); using ${resolved.maxQueueSize}`,
    );
    resolved.maxExportBatchSize = resolved.maxQueueSize;
  }
  return Object.freeze(resolved);
}
