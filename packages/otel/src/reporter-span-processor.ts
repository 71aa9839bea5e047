import type {
  BatchEngine,
  BatchOptions,
  ReporterStats,
  ResolvedBatchOptions,
} from '@telemetry-reporter/core';
import { trackProcessor } from './internal/live-processors.js';
import {
  checkExporter,
  createProcessorEngine,
  flushProcessor,
  type ProcessorProfile,
} from './internal/processor-engine.js';
import { estimateSpanBytes } from './record-size.js';
import type { MeterProviderLike } from './self-metrics.js';
import type { ReporterSpan, SpanExporterLike } from './types.js';

/** Options of {@link ReporterSpanProcessor}: the exporter and the batching tuning. */
export interface ReporterSpanProcessorOptions extends BatchOptions {
  /** Where batches go: any OpenTelemetry span exporter, or a `TransportSpanExporter`. */
  exporter: SpanExporterLike;
  /**
   * Where to record self-metrics (OpenTelemetry's semantic conventions for SDK metrics). With
   * `TELEMETRY_REPORTER_METRICS=true` and no provider here, the global MeterProvider is used.
   * @default none: no metrics
   */
  meterProvider?: MeterProviderLike;
}

const NAME = 'ReporterSpanProcessor';
const SAMPLED = 1; // TraceFlags.SAMPLED
const STATUS_ERROR = 2; // SpanStatusCode.ERROR
const ERROR_SEVERITY = 17; // SeverityNumber.ERROR: error spans outrank the rest when shedding
const SPANS: ProcessorProfile<ReporterSpan> = Object.freeze({
  name: NAME,
  signal: 'spans',
  /** Spans wait longer for company than logs, as in OpenTelemetry's `BatchSpanProcessor`. */
  defaults: { scheduledDelayMillis: 5000 },
  severityOf: (span: ReporterSpan) => (span.status?.code === STATUS_ERROR ? ERROR_SEVERITY : 0),
  sizeOf: estimateSpanBytes,
});

/**
 * A drop-in replacement for OpenTelemetry's `BatchSpanProcessor`: the same engine as
 * {@link ReporterLogRecordProcessor}, fed by `onEnd` with sampled spans only. `onStart` does
 * nothing. `scheduledDelayMillis` defaults to 5000.
 */
export class ReporterSpanProcessor {
  readonly #engine: BatchEngine<ReporterSpan>;
  readonly #exporter: SpanExporterLike;

  constructor(options: ReporterSpanProcessorOptions) {
    this.#exporter = checkExporter<ReporterSpan>(options?.exporter);
    this.#engine = createProcessorEngine(SPANS, this.#exporter, options);
    trackProcessor(this);
  }

  /** The options in effect, defaults applied. */
  get options(): ResolvedBatchOptions {
    return this.#engine.options;
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
    if (sampled) this.#engine.offer(span);
  }

  /**
   * Resolves when every span ended before the call is exported or dropped, or when
   * `timeoutMillis` passes (spans still pending are exported later, not lost). Never rejects.
   */
  forceFlush(options?: { timeoutMillis?: number }): Promise<void> {
    return flushProcessor(NAME, this.#engine, this.#exporter, options?.timeoutMillis);
  }

  /** Stops accepting spans, drains the queue and shuts the exporter down, within the deadline. */
  shutdown(): Promise<void> {
    return this.#engine.shutdown();
  }

  /** The counters: received (sampled spans), exported, queued, in flight, retries, drops. */
  stats(): ReporterStats {
    return this.#engine.stats();
  }

  /**
   * Counts `count` spans that never reached `onEnd` because the code building them failed
   * (`encoding_failed`) or knew the provider was shut down (`already_shutdown`), so that
   * `stats()` accounts for them: `received` and the reason both grow. As on
   * {@link ReporterLogRecordProcessor.countDropped}; O(1), never throws.
   */
  countDropped(reason: 'encoding_failed' | 'already_shutdown', count = 1): void {
    this.#engine.countDropped(reason, count);
  }
}
