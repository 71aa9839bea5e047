import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describeValue } from '@telemetry-reporter/core/internal';
import { encodeIsolating, type IsolationStrategy } from './isolating-encode.js';
import type {
  OtlpContentType,
  OtlpEncoder,
  OtlpEncoderOptions,
  OtlpFormat,
  OtlpLogRecord,
  OtlpSpan,
} from './types.js';
import { isUnwalkable } from './unwalkable.js';

/** The `content-type` of each OTLP format, as OTLP/HTTP requires. */
export const OTLP_CONTENT_TYPES: Readonly<Record<OtlpFormat, OtlpContentType>> = Object.freeze({
  protobuf: 'application/x-protobuf',
  json: 'application/json',
});

/**
 * What this module needs of a transformer serializer. The transformer's own type names the SDK's
 * record types; this one names ours, which both SDK lines' records satisfy.
 */
interface RequestSerializer<Item> {
  serializeRequest(items: Item[]): Uint8Array | undefined;
}

const LOGS: Readonly<Record<OtlpFormat, RequestSerializer<OtlpLogRecord>>> = {
  protobuf: ProtobufLogsSerializer,
  json: JsonLogsSerializer,
};

const SPANS: Readonly<Record<OtlpFormat, RequestSerializer<OtlpSpan>>> = {
  protobuf: ProtobufTraceSerializer,
  json: JsonTraceSerializer,
};

/** What the transformer walks in a log record, and could loop forever in. */
const logValues = (record: OtlpLogRecord): readonly unknown[] => [record.body, record.attributes];

/** What the transformer walks in a span. */
const spanValues = (span: OtlpSpan): readonly unknown[] => [
  span.attributes,
  span.events.map((event) => event.attributes),
  span.links.map((link) => link.attributes),
];

/**
 * An encoder of OpenTelemetry log records into one OTLP `ExportLogsServiceRequest` per batch,
 * with `@opentelemetry/otlp-transformer`'s serializers. A record they cannot encode (a circular
 * body, a throwing getter) is found by bisection and dropped alone as `encoding_failed`.
 */
export function createOtlpLogsEncoder(
  options: OtlpEncoderOptions = {},
): OtlpEncoder<OtlpLogRecord> {
  return createEncoder('createOtlpLogsEncoder', options, LOGS, logValues);
}

/**
 * An encoder of OpenTelemetry spans into one OTLP `ExportTraceServiceRequest` per batch, with the
 * same per-span isolation as {@link createOtlpLogsEncoder}.
 */
export function createOtlpSpansEncoder(options: OtlpEncoderOptions = {}): OtlpEncoder<OtlpSpan> {
  return createEncoder('createOtlpSpansEncoder', options, SPANS, spanValues);
}

function createEncoder<Item>(
  name: string,
  options: OtlpEncoderOptions,
  serializers: Readonly<Record<OtlpFormat, RequestSerializer<Item>>>,
  walkedValues: (item: Item) => readonly unknown[],
): OtlpEncoder<Item> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${name} options must be an object, got ${describeValue(options)}`);
  }
  const format = options.format ?? 'protobuf';
  if (format !== 'protobuf' && format !== 'json') {
    throw new TypeError(`format must be one of 'protobuf', 'json', got ${describeValue(format)}`);
  }
  const serializer = serializers[format];
  const strategy: IsolationStrategy<Item> = {
    serialize: (batch) => serializer.serializeRequest(batch),
    isUnencodable: (item) => isUnwalkable(() => walkedValues(item)),
  };
  return Object.freeze({
    format,
    contentType: OTLP_CONTENT_TYPES[format],
    encode: (items: readonly Item[]) => encodeIsolating(items, strategy),
  });
}
