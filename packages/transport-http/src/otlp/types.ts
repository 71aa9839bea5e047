import type { Encoder } from '@telemetry-reporter/core';

// Structural views of the SDK objects the OTLP serializers read. Log records and spans of both
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
  readonly links: readonly {
    readonly context: OtlpSpanContext;
    readonly attributes?: OtlpAttributes;
  }[];
  readonly events: readonly {
    readonly name: string;
    readonly time: OtlpHrTime;
    readonly attributes?: OtlpAttributes;
  }[];
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
 * as bytes. Records the serializer cannot encode are left out alone, with their positions in
 * `failedIndexes`.
 */
export interface OtlpEncoder<Item> extends Encoder<Item, Uint8Array> {
  /** The encoding in use. */
  readonly format: OtlpFormat;
  /** The `content-type` to send the payload with; pass it to `createHttpTransport`. */
  readonly contentType: OtlpContentType;
}
