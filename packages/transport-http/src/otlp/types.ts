import type {
  EncodedBatch,
  EncodeOptions,
  Encoder,
  PayloadBuilder,
} from '@telemetry-reporter/core';

// Structural views of the SDK objects the OTLP encoders read. Log records and spans of both
// SDK lines satisfy them, and so do @telemetry-reporter/otel's ReporterLogRecord and
// ReporterSpan; nothing here imports an SDK or @opentelemetry/api.

/** `[seconds, nanoseconds]` since the Unix epoch, as OpenTelemetry's `HrTime`. */
export type OtlpHrTime = readonly [number, number];

/** Attributes of a record, resource, event or link. */
export type OtlpAttributes = Readonly<Record<string, unknown>>;

/** A trace context: of a span, or of the span active when a log record was emitted. */
export interface OtlpSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  /** Whether the context came from another process (sets the span or link `flags` bit). */
  readonly isRemote?: boolean;
  /** The W3C `tracestate`, sent as `trace_state`. */
  readonly traceState?: { serialize(): string };
}

/** The resource a record carries. */
export interface OtlpResource {
  readonly attributes: OtlpAttributes;
  readonly schemaUrl?: string;
}

/** The instrumentation scope a record carries. */
export interface OtlpScope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
  readonly attributes?: OtlpAttributes;
  readonly droppedAttributesCount?: number;
}

/** The fields of an SDK log record (`ReadableLogRecord` / `SdkLogRecord`) OTLP encodes. */
export interface OtlpLogRecord {
  readonly hrTime: OtlpHrTime;
  readonly hrTimeObserved?: OtlpHrTime;
  readonly spanContext?: OtlpSpanContext;
  readonly severityText?: string;
  readonly severityNumber?: number;
  readonly body?: unknown;
  readonly eventName?: string;
  readonly attributes: OtlpAttributes;
  readonly droppedAttributesCount?: number;
  readonly resource: OtlpResource;
  readonly instrumentationScope: OtlpScope;
}

/** The fields of an SDK `ReadableSpan` OTLP encodes. */
export interface OtlpSpan {
  readonly name: string;
  readonly kind: number;
  spanContext(): OtlpSpanContext;
  readonly parentSpanContext?: OtlpSpanContext;
  readonly startTime: OtlpHrTime;
  readonly endTime: OtlpHrTime;
  readonly status: { readonly code: number; readonly message?: string };
  readonly attributes: OtlpAttributes;
  readonly droppedAttributesCount?: number;
  readonly links: readonly {
    readonly context: OtlpSpanContext;
    readonly attributes?: OtlpAttributes;
    readonly droppedAttributesCount?: number;
  }[];
  readonly droppedLinksCount?: number;
  readonly events: readonly {
    readonly name: string;
    readonly time: OtlpHrTime;
    readonly attributes?: OtlpAttributes;
    readonly droppedAttributesCount?: number;
  }[];
  readonly droppedEventsCount?: number;
  readonly resource: OtlpResource;
  readonly instrumentationScope: OtlpScope;
}

/** OTLP's two HTTP encodings. */
export type OtlpFormat = 'protobuf' | 'json';

/** The `content-type` of each {@link OtlpFormat}. */
export type OtlpContentType = 'application/x-protobuf' | 'application/json';

/** Options of the OTLP encoders. */
export interface OtlpEncoderOptions {
  /**
   * `'protobuf'` (binary, the OTLP/HTTP default) or `'json'` (OTLP's JSON mapping).
   * @default 'protobuf'
   */
  format?: OtlpFormat;
}

/**
 * An encoder of OTLP export requests (`ExportLogsServiceRequest`, `ExportTraceServiceRequest`)
 * as bytes. Records that cannot be encoded are left out alone, with their positions in
 * `failedIndexes`.
 */
export interface OtlpEncoder<Item> extends Encoder<Item, Uint8Array> {
  /** The encoding in use. */
  readonly format: OtlpFormat;
  /** The `content-type` to send the payload with; pass it to `createHttpTransport`. */
  readonly contentType: OtlpContentType;
  /**
   * Starts one request filled over several calls, at most `options.maxBytes` long: the
   * delivery uses it to spread a batch over turns of the event loop and to cut requests to
   * `maxRequestBytes`.
   */
  begin(options?: EncodeOptions): PayloadBuilder<Item, Uint8Array>;
  /**
   * A new {@link OtlpRequestWriter} of this encoding, to encode one batch in slices (each
   * writer keeps its own buffer; resources, scopes and attribute keys are cached for all).
   */
  createWriter(): OtlpRequestWriter<Item>;
}

/**
 * Builds one OTLP export request from records given in slices, so that encoding a large batch
 * can be spread over several turns of the event loop. Each record is encoded when it is
 * written; one that cannot be (a circular or too deeply nested value, a throwing getter) is left
 * out alone and reported by {@link OtlpRequestWriter.finish}.
 */
export interface OtlpRequestWriter<Item> {
  /**
   * Encodes `items[from]` up to, not including, `items[to]`. Never throws for a bad record;
   * throws a `RangeError` for a range outside `items`.
   */
  write(items: readonly Item[], from?: number, to?: number): void;
  /**
   * The request of every record written since the last `finish()` (or `reset()`), and starts
   * over. `failedIndexes` count records in the order they were written, from 0.
   */
  finish(): EncodedBatch<Uint8Array>;
  /** Forgets what was written since the last `finish()`. */
  reset(): void;
  /** How many records were written since the last `finish()` or `reset()`, failed ones included. */
  readonly writtenCount: number;
}
