import {
  ReporterLogRecordProcessor,
  type ReporterLogRecordProcessorOptions,
  ReporterSpanProcessor,
  type ReporterStats,
} from '@telemetry-reporter/otel';
import {
  BatchLogRecordProcessor,
  BatchSpanProcessor,
  LoggerProvider,
  SDK_LINE,
  SeverityNumber,
  TracerProvider,
} from '#sdk';

/** The log record the SDK hands a processor (`SdkLogRecord` / `ReadWriteLogRecord`). */
export type SdkLogRecord = Parameters<BatchLogRecordProcessor['onEmit']>[0];
/** The span the SDK hands a processor when it ends (`ReadableSpan`). */
export type SdkSpan = Parameters<BatchSpanProcessor['onEnd']>[0];
/** A logger of the SDK's `LoggerProvider`. */
export type SdkLogger = ReturnType<LoggerProvider['getLogger']>;
/** A tracer of the SDK's tracer provider. */
export type SdkTracer = ReturnType<TracerProvider['getTracer']>;
type LogExporter = ConstructorParameters<typeof BatchLogRecordProcessor>[0]['exporter'];
type SpanExporter = ConstructorParameters<typeof BatchSpanProcessor>[0];
type SpanBufferConfig = NonNullable<ConstructorParameters<typeof BatchSpanProcessor>[1]>;

/** The two processors every benchmark compares. */
export type Contender = 'ours' | 'builtin';

/** Display names of the contenders. */
export const CONTENDER_NAMES: Readonly<Record<Contender, string>> = Object.freeze({
  ours: 'telemetry-reporter',
  builtin: 'built-in',
});

/** The batching options both processors of a comparison get; unset ones take their defaults. */
export interface Tuning {
  readonly maxQueueSize?: number;
  readonly maxExportBatchSize?: number;
  readonly scheduledDelayMillis?: number;
  readonly exportTimeoutMillis?: number;
}

/** What the benchmarks call on a log record processor, ours or the SDK's. */
export interface LogProcessor {
  onEmit(record: SdkLogRecord): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** What the benchmarks call on a span processor, ours or the SDK's. */
export interface SpanProcessor {
  onStart(span: SdkSpan, parentContext: unknown): void;
  onEnd(span: SdkSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The result an OpenTelemetry exporter reports. */
export interface ExportResult {
  readonly code: number;
  readonly error?: Error;
}
type ExportCallback = (result: ExportResult) => void;
const SUCCESS: ExportResult = Object.freeze({ code: 0 });

/**
 * An exporter that succeeds on the next microtask, as a transport that resolves at once would:
 * what is left to measure is the processor. Counts what it was given.
 */
export class InstantExporter {
  /** Records exported so far. */
  exported = 0;
  /** Calls of `export()` so far. */
  batches = 0;

  export(items: readonly unknown[], done: ExportCallback): void {
    this.exported += items.length;
    this.batches++;
    queueMicrotask(() => done(SUCCESS));
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * An exporter whose backend never answers: it holds every batch and callback, as a hung request
 * holds its payload, until `release()` answers them all and turns it into an instant exporter.
 */
export class StalledExporter extends InstantExporter {
  #held: { items: readonly unknown[]; done: ExportCallback }[] = [];
  #released = false;

  /** Batches held without an answer. */
  get heldBatches(): number {
    return this.#held.length;
  }

  override export(items: readonly unknown[], done: ExportCallback): void {
    if (this.#released) {
      super.export(items, done);
      return;
    }
    this.#held.push({ items, done });
  }

  /** Answers every held batch with success; later batches succeed at once. */
  release(): void {
    this.#released = true;
    const held = this.#held;
    this.#held = [];
    for (const { items, done } of held) super.export(items, done);
  }
}

/**
 * An exporter whose backend answers only when told: while closed it holds every batch, as a hung
 * request would; `answerOldest()` answers the oldest held batch with success, `open()` answers
 * them all and lets later batches through at once, until `close()`.
 */
export class ValveExporter extends InstantExporter {
  #held: { items: readonly unknown[]; done: ExportCallback }[] = [];
  #open = false;

  /** Batches held without an answer. */
  get heldBatches(): number {
    return this.#held.length;
  }

  override export(items: readonly unknown[], done: ExportCallback): void {
    if (this.#open) {
      super.export(items, done);
      return;
    }
    this.#held.push({ items, done });
  }

  /** Answers the oldest held batch with success; false when none is held. */
  answerOldest(): boolean {
    const batch = this.#held.shift();
    if (batch === undefined) return false;
    super.export(batch.items, batch.done);
    return true;
  }

  /** Answers every held batch with success; later batches succeed at once until `close()`. */
  open(): void {
    this.#open = true;
    const held = this.#held;
    this.#held = [];
    for (const { items, done } of held) super.export(items, done);
  }

  /** Holds batches again from the next one on. */
  close(): void {
    this.#open = false;
  }
}

/** Batching options of our log processor, overflow policy and byte limit included. */
export type ReporterLogTuning = Omit<ReporterLogRecordProcessorOptions, 'exporter'>;

/** Our log processor, with its counters: what the overflow-policy benchmark drives. */
export interface ReporterLogProcessor extends LogProcessor {
  stats(): ReporterStats;
}

/** Our `ReporterLogRecordProcessor` alone, with any of its options (no built-in counterpart). */
export function createReporterLogProcessor(
  exporter: InstantExporter,
  tuning: ReporterLogTuning,
): ReporterLogProcessor {
  return new ReporterLogRecordProcessor({ exporter: exporter as LogExporter, ...tuning });
}

/** Our log processor or the SDK's `BatchLogRecordProcessor`, with the same exporter and tuning. */
export function createLogProcessor(
  who: Contender,
  exporter: InstantExporter | LogExporter,
  tuning: Tuning = {},
): LogProcessor {
  const sdkExporter = exporter as LogExporter;
  return who === 'ours'
    ? new ReporterLogRecordProcessor({ exporter: sdkExporter, ...tuning })
    : new BatchLogRecordProcessor({ exporter: sdkExporter, ...tuning });
}

/** Our span processor or the SDK's `BatchSpanProcessor`, with the same exporter and tuning. */
export function createSpanProcessor(
  who: Contender,
  exporter: InstantExporter | SpanExporter,
  tuning: Tuning = {},
): SpanProcessor {
  const sdkExporter = exporter as SpanExporter;
  if (who === 'ours') return new ReporterSpanProcessor({ exporter: sdkExporter, ...tuning });
  // SDK 2's sdk-trace-base takes (exporter, config); SDK 3's sdk-trace one options object.
  if (sdkLine() === 3) {
    const Sdk3BatchSpanProcessor = BatchSpanProcessor as unknown as new (
      options: SpanBufferConfig & { exporter: SpanExporter },
    ) => SpanProcessor;
    return new Sdk3BatchSpanProcessor({ exporter: sdkExporter, ...tuning });
  }
  return new BatchSpanProcessor(sdkExporter, tuning);
}

const residents: (LogProcessor | SpanProcessor)[] = [];

/**
 * Creates one processor of each kind, ours and built-in, that lives as long as the process, as
 * an application's processors do. Without it every processor a benchmark makes is garbage after
 * its round, and V8 (11 and 12 at least) then builds instances of a class with 16 or more
 * `#private` fields in dictionary mode once six of them have died (their map transitions are
 * collected): `BatchEngine` has more than 30, and its drop path becomes 6x slower. An
 * application that keeps its processors never sees that; see README.md.
 */
export function keepResidentProcessors(): void {
  if (residents.length > 0) return;
  for (const who of ['ours', 'builtin'] as const) {
    residents.push(createLogProcessor(who, new InstantExporter()));
    residents.push(createSpanProcessor(who, new InstantExporter()));
  }
}

/** The SDK line this process runs against (the `#sdk` import condition decides). */
export function sdkLine(): number {
  const line: number = SDK_LINE;
  return line;
}

/** A `LoggerProvider` with `processor` as its only processor. */
export function createLoggerProvider(processor: LogProcessor): LoggerProvider {
  return new LoggerProvider({ processors: [processor] });
}

/** A tracer provider with `processor` as its only span processor. */
export function createTracerProvider(processor: SpanProcessor): TracerProvider {
  return new TracerProvider({ spanProcessors: [processor] });
}

/** What every benchmarked `logger.emit()` sends: a typical request log line. */
export const LOG_LINE = Object.freeze({
  severityNumber: SeverityNumber.INFO,
  severityText: 'INFO',
  body: 'GET /api/orders 200 in 12 ms',
  attributes: Object.freeze({
    'http.request.method': 'GET',
    'http.route': '/api/orders',
    'http.response.status_code': 200,
    'user.id': 'u-1234',
  }),
});

/** Name and attributes of every benchmarked span. */
export const SPAN_NAME = 'GET /api/orders';
/** Attributes of every benchmarked span. */
export const SPAN_OPTIONS = Object.freeze({
  attributes: Object.freeze({ 'http.request.method': 'GET', 'http.route': '/api/orders' }),
});

/** What `logger.emit()` takes. */
export type LogLine = Parameters<SdkLogger['emit']>[0];

/** {@link LOG_LINE} at another severity: same body and attributes. */
export function logLineAt(severityNumber: SeverityNumber, severityText: string): LogLine {
  return { ...LOG_LINE, severityNumber, severityText };
}

/** One real SDK log record, made by a `LoggerProvider` from `line` ({@link LOG_LINE} unless given). */
export function sampleLogRecord(line: LogLine = LOG_LINE): SdkLogRecord {
  let captured: SdkLogRecord | undefined;
  const provider = new LoggerProvider({
    processors: [
      {
        onEmit: (record: SdkLogRecord) => {
          captured = record;
        },
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      },
    ],
  });
  provider.getLogger('bench', '1.0.0').emit(line);
  if (captured === undefined) throw new Error('the LoggerProvider emitted no record');
  return captured;
}

/** One real, sampled, ended SDK span. */
export function sampleSpan(): SdkSpan {
  let captured: SdkSpan | undefined;
  const provider = new TracerProvider({
    spanProcessors: [
      {
        onStart: () => {},
        onEnd: (span: SdkSpan) => {
          captured = span;
        },
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      },
    ],
  });
  provider.getTracer('bench', '1.0.0').startSpan(SPAN_NAME, SPAN_OPTIONS).end();
  if (captured === undefined) throw new Error('the tracer provider ended no span');
  return captured;
}
