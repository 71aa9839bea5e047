import type {
  BatchEngine,
  BatchOptions,
  ReporterStats,
  ResolvedBatchOptions,
} from '@telemetry-reporter/core';
import { trackProcessor } from './internal/live-processors.js';
import { attachControl } from './internal/processor-control.js';
import {
  checkExporter,
  createProcessorEngine,
  flushProcessor,
  type ProcessorProfile,
} from './internal/processor-engine.js';
import { estimateLogRecordBytes } from './record-size.js';
import type { MeterProviderLike } from './self-metrics.js';
import type { LogRecordExporterLike, ReporterLogRecord } from './types.js';

/** Options of {@link ReporterLogRecordProcessor}: the exporter and the batching tuning. */
export interface ReporterLogRecordProcessorOptions extends BatchOptions {
  /** Where batches go: any OpenTelemetry log record exporter, or a `TransportLogRecordExporter`. */
  exporter: LogRecordExporterLike;
  /**
   * Where to record self-metrics (OpenTelemetry's semantic conventions for SDK metrics). With
   * `TELEMETRY_REPORTER_METRICS=true` and no provider here, the global MeterProvider is used.
   * @default none: no metrics
   */
  meterProvider?: MeterProviderLike;
}

const NAME = 'ReporterLogRecordProcessor';
const LOGS: ProcessorProfile<ReporterLogRecord> = Object.freeze({
  name: NAME,
  signal: 'logs',
  defaults: {},
  severityOf: (record: ReporterLogRecord) => record.severityNumber ?? 0,
  sizeOf: estimateLogRecordBytes,
});

/**
 * A drop-in replacement for OpenTelemetry's `BatchLogRecordProcessor`. `onEmit` is an O(1) push
 * that never throws, blocks or allocates a timer; batches leave by size or time, at most
 * `maxConcurrentExports` at a time, each with a deadline; every dropped record is counted by
 * reason in {@link ReporterLogRecordProcessor.stats | stats()}; `shutdown()` drains within
 * `shutdownTimeoutMillis`.
 */
export class ReporterLogRecordProcessor {
  readonly #engine: BatchEngine<ReporterLogRecord>;
  readonly #exporter: LogRecordExporterLike;

  constructor(options: ReporterLogRecordProcessorOptions) {
    this.#exporter = checkExporter<ReporterLogRecord>(options?.exporter);
    this.#engine = createProcessorEngine(LOGS, this.#exporter, options);
    trackProcessor(this);
    attachControl(this, NAME, this.#engine, this.#exporter);
  }

  /** The options in effect, defaults applied. */
  get options(): ResolvedBatchOptions {
    return this.#engine.options;
  }

  /** Queues the record; O(1), never throws. */
  onEmit(logRecord: ReporterLogRecord, _context?: unknown): void {
    this.#engine.offer(logRecord);
  }

  /**
   * Resolves when every record emitted before the call is exported or dropped, or when
   * `timeoutMillis` passes (records still pending are exported later, not lost). Never rejects.
   */
  forceFlush(options?: { timeoutMillis?: number }): Promise<void> {
    return flushProcessor(NAME, this.#engine, this.#exporter, options?.timeoutMillis);
  }

  /** Stops accepting records, drains the queue and shuts the exporter down, within the deadline. */
  shutdown(): Promise<void> {
    return this.#engine.shutdown();
  }

  /** The counters: received, exported, queued, in flight, retries and drops by reason. */
  stats(): ReporterStats {
    return this.#engine.stats();
  }

  /**
   * Counts `count` records that never reached `onEmit` because the code building them failed
   * (`encoding_failed`, e.g. a mapping function threw) or knew the provider was shut down
   * (`already_shutdown`), so that `stats()` accounts for them: `received` and the reason both
   * grow. For adapters that build records themselves; O(1), never throws.
   */
  countDropped(reason: 'encoding_failed' | 'already_shutdown', count = 1): void {
    this.#engine.countDropped(reason, count);
  }
}
