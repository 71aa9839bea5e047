// These interfaces describe, structurally, what this package reads from OpenTelemetry's SDK
// objects. Both SDK lines (sdk-logs 0.2xx / sdk-trace-base 2.x and sdk-logs 3.x / sdk-trace 3.x)
// satisfy them. They deliberately import nothing from @opentelemetry/api either: its types
// differ between 1.9 and 1.10 (`Attributes` widened), and a user has exactly one of them.

/** `[seconds, nanoseconds]` since the Unix epoch, as OpenTelemetry's `HrTime`. */
export type HrTimeLike = readonly [number, number];

/** Attributes of a record, resource, event or link. */
export type AttributesLike = Readonly<Record<string, unknown>>;

/** The trace context of a span, or of the span active when a log record was emitted. */
export interface SpanContextLike {
  readonly traceId: string;
  readonly spanId: string;
  /** Bit 0 set: sampled. */
  readonly traceFlags: number;
}

/** The resource a record carries, as both SDK lines shape it. */
export interface ResourceLike {
  readonly attributes: AttributesLike;
  readonly asyncAttributesPending?: boolean;
  waitForAsyncAttributes?(): Promise<void>;
}

/** The instrumentation scope a record carries. */
export interface InstrumentationScopeLike {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** The fields of an SDK log record (`ReadableLogRecord` / `SdkLogRecord`) the reporter reads. */
export interface ReporterLogRecord {
  readonly hrTime: HrTimeLike;
  readonly hrTimeObserved?: HrTimeLike;
  readonly spanContext?: SpanContextLike;
  readonly severityText?: string;
  readonly severityNumber?: number;
  readonly body?: unknown;
  readonly eventName?: string;
  readonly attributes: AttributesLike;
  readonly droppedAttributesCount?: number;
  readonly resource: ResourceLike;
  readonly instrumentationScope: InstrumentationScopeLike;
}

/** A span event, as `ReadableSpan.events` holds it. */
export interface SpanEventLike {
  readonly name: string;
  readonly time: HrTimeLike;
  readonly attributes?: AttributesLike;
}

/** A span link, as `ReadableSpan.links` holds it. */
export interface SpanLinkLike {
  readonly context: SpanContextLike;
  readonly attributes?: AttributesLike;
}

/** The fields of an SDK `ReadableSpan` the reporter reads. */
export interface ReporterSpan {
  readonly name: string;
  readonly kind: number;
  spanContext(): SpanContextLike;
  readonly parentSpanContext?: SpanContextLike;
  readonly startTime: HrTimeLike;
  readonly endTime: HrTimeLike;
  readonly status: { readonly code: number; readonly message?: string };
  readonly attributes: AttributesLike;
  readonly links: readonly SpanLinkLike[];
  readonly events: readonly SpanEventLike[];
  readonly resource: ResourceLike;
  readonly instrumentationScope: InstrumentationScopeLike;
}

/** OpenTelemetry's `ExportResult`: `code` 0 is success, 1 failure. */
export interface ExportResultLike {
  readonly code: number;
  readonly error?: Error;
}

/** Any OpenTelemetry exporter of items `T`: the shape of `LogRecordExporter` and `SpanExporter`. */
export interface ExporterLike<T> {
  /** Exports `items`; calls `resultCallback` exactly once. */
  export(items: T[], resultCallback: (result: ExportResultLike) => void): void;
  /** Stops the exporter. */
  shutdown(): Promise<void>;
  /** Exports what the exporter buffers itself, if anything. */
  forceFlush?(): Promise<void>;
}

/** Any OpenTelemetry log record exporter (OTLP, console, in-memory, vendor, or ours). */
export type LogRecordExporterLike = ExporterLike<ReporterLogRecord>;

/** Any OpenTelemetry span exporter (OTLP, console, in-memory, vendor, or ours). */
export type SpanExporterLike = ExporterLike<ReporterSpan>;
