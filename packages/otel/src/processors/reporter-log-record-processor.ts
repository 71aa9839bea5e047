import { batchOptionsFromEnv, environmentOf, metricsFromEnv } from '../environment/env-config.js';
import type { LogRecordExporterLike, ReporterLogRecord } from '../sdk/sdk-types.js';
import { estimateLogRecordBytes } from './record-size.js';
import {
  optionsOf,
  type ProcessorProfile,
  ReporterProcessorBase,
  type ReporterProcessorOptions,
  resolveProcessorSettings,
} from './reporter-processor-base.js';

/** Options of {@link ReporterLogRecordProcessor}: the exporter and the batching tuning. */
export interface ReporterLogRecordProcessorOptions
  extends ReporterProcessorOptions<LogRecordExporterLike> {
  /** Where batches go: any OpenTelemetry log record exporter, or a `TransportLogRecordExporter`. */
  exporter: LogRecordExporterLike;
}

const LOGS: ProcessorProfile<ReporterLogRecord> = Object.freeze({
  name: 'ReporterLogRecordProcessor',
  signal: 'logs',
  severityOf: (record: ReporterLogRecord) => record.severityNumber ?? 0,
  sizeOf: estimateLogRecordBytes,
});

/**
 * A drop-in replacement for OpenTelemetry's `BatchLogRecordProcessor`. `onEmit` is an O(1) push
 * that never throws, blocks or allocates a timer; batches leave by size or time, at most
 * `maxConcurrentExports` at a time, each with a deadline; every dropped record is counted by
 * reason in {@link ReporterLogRecordProcessor.stats | stats()}; `shutdown()` drains within
 * `shutdownTimeoutMillis`. Options given in code win over `OTEL_BLRP_*` and
 * `TELEMETRY_REPORTER_*` variables, which win over the defaults.
 */
export class ReporterLogRecordProcessor extends ReporterProcessorBase<ReporterLogRecord> {
  /**
   * @param options - the exporter and the batching options.
   */
  constructor(options: ReporterLogRecordProcessorOptions);
  /**
   * The form of older SDKs (sdk-trace-base 2.x, sdk-logs 0.200-0.219): the exporter first.
   * @param exporter - where batches go.
   * @param config - the batching options.
   */
  constructor(
    exporter: LogRecordExporterLike,
    config?: Omit<ReporterLogRecordProcessorOptions, 'exporter'>,
  );
  constructor(
    first: ReporterLogRecordProcessorOptions | LogRecordExporterLike,
    config?: Omit<ReporterLogRecordProcessorOptions, 'exporter'>,
  ) {
    const options = optionsOf(first, config);
    const env = environmentOf(options);
    super(
      LOGS,
      resolveProcessorSettings(LOGS.name, options, batchOptionsFromEnv('logs', env), () =>
        metricsFromEnv(env),
      ),
    );
  }

  /** Queues the record; O(1), never throws. */
  onEmit(logRecord: ReporterLogRecord, _context?: unknown): void {
    this.offer(logRecord);
  }
}
