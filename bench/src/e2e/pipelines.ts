// The pipelines the end-to-end benchmark compares, built as a user would build them, through our
// packages' public entry points and the SDK line's own classes.
import {
  type LogRecordExporterLike,
  ReporterLogRecordProcessor,
  ReporterSpanProcessor,
  type ReporterStats,
  type SpanExporterLike,
  type Transport,
  TransportLogRecordExporter,
  TransportSpanExporter,
  totalDropped,
} from '@telemetry-reporter/otel';
import { createHttpTransport, type HttpThread } from '@telemetry-reporter/transport-http';
import {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
  type OtlpFormat,
} from '@telemetry-reporter/transport-http/otlp';
import {
  OTLPLogExporter,
  OTLPProtoLogExporter,
  OTLPProtoTraceExporter,
  OTLPTraceExporter,
} from '#sdk';
import {
  LOG_LINE as BENCH_LOG_LINE,
  createLoggerProvider,
  createLogProcessor,
  createSpanProcessor,
  createTracerProvider,
  type LogProcessor,
  type SpanProcessor,
} from '../fixtures.js';
import type { OtlpSignal } from './otlp-count.js';

/** The pipelines of one signal and format; `floor` is shared by the formats of a signal. */
export const PIPELINE_IDS = [
  'floor',
  'builtin',
  'ours-official',
  'ours-transport',
  'ours-unsent',
  'ours-transport-worker',
  'ours-transport-mce4',
  'builtin-2048',
  'ours-transport-2048',
] as const;

/** Stable key of a pipeline. */
export type PipelineId = (typeof PIPELINE_IDS)[number];

/** Who a pipeline's processor is. */
export type PipelineFamily = 'floor' | 'builtin' | 'ours';

/** What a pipeline is and which pipeline its export side is compared with. */
export interface PipelineSpec {
  readonly id: PipelineId;
  readonly family: PipelineFamily;
  /** `maxExportBatchSize`; `maxQueueSize` is {@link QUEUE_BATCHES} times it. */
  readonly batch: number;
  readonly maxConcurrentExports: number;
  /** Where our HTTP transport sends from (`createHttpTransport`'s `thread`). */
  readonly thread?: HttpThread;
  /**
   * Our exporter and encoder to a transport that discards each payload: our own cost (queue,
   * encode, deliver), apart from the HTTP client's and from the sink's.
   */
  readonly unsent?: boolean;
  /** The built-in pipeline of the same batch size: the denominator of this one's ratio. */
  readonly baseline?: PipelineId;
}

/** Every pipeline, in the order the tables show them. */
export const PIPELINES: Readonly<Record<PipelineId, PipelineSpec>> = Object.freeze({
  floor: { id: 'floor', family: 'floor', batch: 512, maxConcurrentExports: 1 },
  builtin: {
    id: 'builtin',
    family: 'builtin',
    batch: 512,
    maxConcurrentExports: 1,
    baseline: 'builtin',
  },
  'ours-official': {
    id: 'ours-official',
    family: 'ours',
    batch: 512,
    maxConcurrentExports: 1,
    baseline: 'builtin',
  },
  'ours-transport': {
    id: 'ours-transport',
    family: 'ours',
    batch: 512,
    maxConcurrentExports: 1,
    baseline: 'builtin',
  },
  'ours-unsent': {
    id: 'ours-unsent',
    family: 'ours',
    batch: 512,
    maxConcurrentExports: 1,
    unsent: true,
    baseline: 'builtin',
  },
  'ours-transport-worker': {
    id: 'ours-transport-worker',
    family: 'ours',
    batch: 512,
    maxConcurrentExports: 1,
    thread: 'worker',
    baseline: 'builtin',
  },
  'ours-transport-mce4': {
    id: 'ours-transport-mce4',
    family: 'ours',
    batch: 512,
    maxConcurrentExports: 4,
    baseline: 'builtin',
  },
  'builtin-2048': {
    id: 'builtin-2048',
    family: 'builtin',
    batch: 2048,
    maxConcurrentExports: 1,
    baseline: 'builtin-2048',
  },
  'ours-transport-2048': {
    id: 'ours-transport-2048',
    family: 'ours',
    batch: 2048,
    maxConcurrentExports: 1,
    baseline: 'builtin-2048',
  },
});

/** How the tables name a pipeline of `signal`. */
export function pipelineTitle(id: PipelineId, signal: OtlpSignal): string {
  const logs = signal === 'logs';
  const builtin = logs ? '`BatchLogRecordProcessor`' : '`BatchSpanProcessor`';
  const official = logs ? '`OTLPLogExporter`' : '`OTLPTraceExporter`';
  const ours = logs ? '`ReporterLogRecordProcessor`' : '`ReporterSpanProcessor`';
  const transport = logs
    ? '`TransportLogRecordExporter` + `createOtlpLogsEncoder` + `createHttpTransport`'
    : '`TransportSpanExporter` + `createOtlpSpansEncoder` + `createHttpTransport`';
  switch (id) {
    case 'floor':
      return `emit-only floor: ${logs ? '`logger.emit()`' : '`startSpan().end()`'}, a processor that discards`;
    case 'builtin':
      return `built-in: ${builtin} + official ${official}`;
    case 'ours-official':
      return `ours: ${ours} + official ${official}`;
    case 'ours-transport':
      return `ours: ${ours} + ${transport}`;
    case 'ours-unsent':
      return `ours + our transport exporter, encoded but not sent (a transport that discards)`;
    case 'ours-transport-worker':
      return `ours + our transport exporter, \`thread: 'worker'\``;
    case 'ours-transport-mce4':
      return `ours + our transport exporter, \`maxConcurrentExports: 4\``;
    case 'builtin-2048':
      return `built-in + official exporter, batch 2,048`;
    case 'ours-transport-2048':
      return `ours + our transport exporter, batch 2,048`;
  }
}

/** One pipeline, built and running: the workload emits through `emitOne`. */
export interface Pipeline {
  readonly spec: PipelineSpec;
  /** Emits one record: `logger.emit()` with five attributes, or `startSpan()` + `end()`. */
  readonly emitOne: () => void;
  /** Our processor's counters; undefined for the built-in processor and the floor. */
  stats(): ReporterStats | undefined;
  /** Resolves when everything emitted so far is exported (or dropped). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The log line every `logger.emit()` sends: the other benchmarks' request log line, with a fifth
 * attribute.
 */
const LOG_LINE = Object.freeze({
  ...BENCH_LOG_LINE,
  attributes: Object.freeze({ ...BENCH_LOG_LINE.attributes, 'server.address': 'orders.internal' }),
});

const SPAN_NAME = 'GET /api/orders';
/** The same five attributes as the log line. */
const SPAN_OPTIONS = Object.freeze({ attributes: LOG_LINE.attributes });

type OfficialLogExporter = InstanceType<typeof OTLPLogExporter>;
type OfficialSpanExporter = InstanceType<typeof OTLPTraceExporter>;
type OfficialConfig = NonNullable<ConstructorParameters<typeof OTLPLogExporter>[0]>;

/** The official exporter's options: the sink, and no compression whatever the environment says. */
function officialConfig(url: string): OfficialConfig {
  return { url, compression: 'none' } as OfficialConfig;
}

function officialLogExporter(format: OtlpFormat, url: string): OfficialLogExporter {
  return format === 'protobuf'
    ? (new OTLPProtoLogExporter(officialConfig(url)) as unknown as OfficialLogExporter)
    : new OTLPLogExporter(officialConfig(url));
}

function officialSpanExporter(format: OtlpFormat, url: string): OfficialSpanExporter {
  return format === 'protobuf'
    ? (new OTLPProtoTraceExporter(officialConfig(url)) as unknown as OfficialSpanExporter)
    : new OTLPTraceExporter(officialConfig(url));
}

/**
 * `maxQueueSize` in batches: 16,384 records at batch 512, a third of a second of the workload.
 * With the default 2,048 (41 ms), a busy machine that stalls the sink's process overflows the
 * queue, and the built-in processor may drop nothing here. The limit costs nothing while unused:
 * the queues hold under two batches at the workload's rate.
 */
export const QUEUE_BATCHES = 32;

function tuning(spec: PipelineSpec, scheduledDelayMillis: number) {
  return {
    maxExportBatchSize: spec.batch,
    maxQueueSize: QUEUE_BATCHES * spec.batch,
    scheduledDelayMillis,
  };
}

/** What building a pipeline needs besides its spec. */
export interface PipelineContext {
  readonly format: OtlpFormat;
  /** `http://127.0.0.1:<port>` of the sink. */
  readonly endpoint: string;
  readonly scheduledDelayMillis: number;
}

/** A transport that sends nothing: the payload is dropped once handed over. */
const UNSENT: Transport<Uint8Array> = Object.freeze({
  releasesPayload: true,
  send: () => Promise.resolve(),
});

/** Our HTTP transport to `url`, sending from the thread the spec says; none if unsent. */
function ourTransport(spec: PipelineSpec, url: string, contentType: string) {
  if (spec.unsent === true) return UNSENT;
  return createHttpTransport({ url, contentType, thread: spec.thread ?? 'main' });
}

const DISCARD = Object.freeze({
  onStart: () => {},
  onEmit: () => {},
  onEnd: () => {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});

/** A log pipeline: a `LoggerProvider` of the SDK line with the spec's processor and exporter. */
export function createLogPipeline(spec: PipelineSpec, context: PipelineContext): Pipeline {
  const url = `${context.endpoint}/v1/logs`;
  const batching = tuning(spec, context.scheduledDelayMillis);
  let processor: LogProcessor;
  let ours: ReporterLogRecordProcessor | undefined;
  if (spec.family === 'floor') {
    processor = DISCARD;
  } else if (spec.family === 'builtin') {
    processor = createLogProcessor('builtin', officialLogExporter(context.format, url), batching);
  } else {
    let exporter: LogRecordExporterLike;
    if (spec.id === 'ours-official') {
      exporter = officialLogExporter(context.format, url);
    } else {
      const encoder = createOtlpLogsEncoder({ format: context.format });
      exporter = new TransportLogRecordExporter({
        encoder,
        transport: ourTransport(spec, url, encoder.contentType),
      });
    }
    ours = new ReporterLogRecordProcessor({
      exporter,
      ...batching,
      maxConcurrentExports: spec.maxConcurrentExports,
    });
    processor = ours;
  }
  const provider = createLoggerProvider(processor);
  const logger = provider.getLogger('e2e-bench', '1.0.0');
  return {
    spec,
    emitOne: () => logger.emit(LOG_LINE),
    stats: () => ours?.stats(),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** A span pipeline: a tracer provider of the SDK line with the spec's processor and exporter. */
export function createSpanPipeline(spec: PipelineSpec, context: PipelineContext): Pipeline {
  const url = `${context.endpoint}/v1/traces`;
  const batching = tuning(spec, context.scheduledDelayMillis);
  let processor: SpanProcessor;
  let ours: ReporterSpanProcessor | undefined;
  if (spec.family === 'floor') {
    processor = DISCARD;
  } else if (spec.family === 'builtin') {
    processor = createSpanProcessor('builtin', officialSpanExporter(context.format, url), batching);
  } else {
    let exporter: SpanExporterLike;
    if (spec.id === 'ours-official') {
      exporter = officialSpanExporter(context.format, url);
    } else {
      const encoder = createOtlpSpansEncoder({ format: context.format });
      exporter = new TransportSpanExporter({
        encoder,
        transport: ourTransport(spec, url, encoder.contentType),
      });
    }
    ours = new ReporterSpanProcessor({
      exporter,
      ...batching,
      maxConcurrentExports: spec.maxConcurrentExports,
    });
    processor = ours;
  }
  const provider = createTracerProvider(processor);
  const tracer = provider.getTracer('e2e-bench', '1.0.0');
  return {
    spec,
    emitOne: () => tracer.startSpan(SPAN_NAME, SPAN_OPTIONS).end(),
    stats: () => ours?.stats(),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Records our processor delivered and dropped, from its counters. */
export function deliveredAndDropped(stats: ReporterStats): { exported: number; dropped: number } {
  return { exported: stats.exported, dropped: totalDropped(stats) };
}
