import { batchOptionsFromEnv, environmentOf, metricsFromEnv } from '../environment/env-config.js';
import type { ReporterSpan, SpanExporterLike } from '../sdk/sdk-types.js';
import { estimateSpanBytes } from './record-size.js';
import {
  optionsOf,
  type ProcessorProfile,
  ReporterProcessorBase,
  type ReporterProcessorOptions,
  resolveProcessorSettings,
} from './reporter-processor-base.js';

/** Options of {@link ReporterSpanProcessor}: the exporter and the batching tuning. */
export interface ReporterSpanProcessorOptions extends ReporterProcessorOptions<SpanExporterLike> {
  /** Where batches go: any OpenTelemetry span exporter, or a `TransportSpanExporter`. */
  exporter: SpanExporterLike;
}

const SAMPLED = 1; // TraceFlags.SAMPLED
const STATUS_ERROR = 2; // SpanStatusCode.ERROR
const ERROR_SEVERITY = 17; // SeverityNumber.ERROR: error spans outrank the rest when shedding
/** Spans wait longer for company than logs, as in OpenTelemetry's `BatchSpanProcessor`. */
const SPAN_DEFAULTS = Object.freeze({ scheduledDelayMillis: 5000 });
const SPANS: ProcessorProfile<ReporterSpan> = Object.freeze({
  name: 'ReporterSpanProcessor',
  signal: 'spans',
  severityOf: (span: ReporterSpan) => (span.status?.code === STATUS_ERROR ? ERROR_SEVERITY : 0),
  sizeOf: estimateSpanBytes,
});

/**
 * A drop-in replacement for OpenTelemetry's `BatchSpanProcessor`: the same engine as
 * {@link ReporterLogRecordProcessor}, fed by `onEnd` with sampled spans only. `onStart` does
 * nothing. `scheduledDelayMillis` defaults to 5000. Options given in code win over `OTEL_BSP_*`
 * and `TELEMETRY_REPORTER_*` variables, which win over the defaults.
 */
export class ReporterSpanProcessor extends ReporterProcessorBase<ReporterSpan> {
  /**
   * @param options - the exporter and the batching options.
   */
  constructor(options: ReporterSpanProcessorOptions);
  /**
   * The form of older SDKs (sdk-trace-base 2.x, sdk-logs 0.200-0.219): the exporter first.
   * @param exporter - where batches go.
   * @param config - the batching options.
   */
  constructor(exporter: SpanExporterLike, config?: Omit<ReporterSpanProcessorOptions, 'exporter'>);
  constructor(
    first: ReporterSpanProcessorOptions | SpanExporterLike,
    config?: Omit<ReporterSpanProcessorOptions, 'exporter'>,
  ) {
    const options = optionsOf(first, config);
    const env = environmentOf(options);
    const fallback = { ...SPAN_DEFAULTS, ...batchOptionsFromEnv('spans', env) };
    super(
      SPANS,
      resolveProcessorSettings(SPANS.name, options, fallback, () => metricsFromEnv(env)),
    );
  }

  /** Does nothing: spans are queued when they end. */
  onStart(_span: unknown, _parentContext: unknown): void {}

  /** Queues the span if it is sampled; O(1), never throws. */
  onEnd(span: ReporterSpan): void {
    let sampled: boolean;
    try {
      sampled = (span.spanContext().traceFlags & SAMPLED) !== 0;
    } catch {
      return; // not a span the SDK made; the hot path never throws
    }
    if (sampled) this.offer(span);
  }
}
