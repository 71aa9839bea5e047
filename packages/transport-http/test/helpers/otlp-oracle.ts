import { createRequire } from 'node:module';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '#sdk';
import type { OtlpFormat, OtlpLogRecord, OtlpSpan } from '../../src/otlp/index.js';

// The test oracle: OpenTelemetry's own serializers of the SDK line under test, and protobufjs
// static decoders generated from the OTLP protos, as published in
// @opentelemetry/otlp-transformer@0.57.2 (the last version that shipped them; a devDependency
// under the name otlp-proto-decoder). Decoding both payloads with a decoder that is neither
// encoder compares what a collector would read, not bytes.

interface MessageType {
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: Record<string, unknown>): Record<string, unknown>;
}

interface GeneratedRoot {
  readonly opentelemetry: {
    readonly proto: {
      readonly collector: {
        readonly logs: { readonly v1: { readonly ExportLogsServiceRequest: MessageType } };
        readonly trace: { readonly v1: { readonly ExportTraceServiceRequest: MessageType } };
      };
    };
  };
}

const root = createRequire(import.meta.url)(
  'otlp-proto-decoder/build/src/generated/root.js',
) as GeneratedRoot;
const { logs, trace } = root.opentelemetry.proto.collector;

/** Which export request a payload holds. */
export type Signal = 'logs' | 'spans';

/**
 * A protobuf payload decoded by protobufjs, as a plain object: 64-bit integers and bytes as
 * strings, fields absent from the wire left out (so an explicit zero differs from none).
 */
export function decodeProtobuf(signal: Signal, payload: Uint8Array | undefined): unknown {
  const type =
    signal === 'logs' ? logs.v1.ExportLogsServiceRequest : trace.v1.ExportTraceServiceRequest;
  return type.toObject(type.decode(payload ?? new Uint8Array()), { longs: String, bytes: String });
}

/** A JSON payload parsed. */
export function parseJson(payload: Uint8Array | undefined): unknown {
  return JSON.parse(new TextDecoder().decode(payload));
}

/** What a collector reads from a payload of `format`. */
export function decoded(
  signal: Signal,
  format: OtlpFormat,
  payload: Uint8Array | undefined,
): unknown {
  return format === 'json' ? parseJson(payload) : decodeProtobuf(signal, payload);
}

interface Serializer<Item> {
  serializeRequest(items: Item[]): Uint8Array | undefined;
}

// The harness's serializers are typed with the SDK's record types; ours are structural.
const LOGS = {
  protobuf: ProtobufLogsSerializer,
  json: JsonLogsSerializer,
} as unknown as Record<OtlpFormat, Serializer<OtlpLogRecord>>;
const SPANS = {
  protobuf: ProtobufTraceSerializer,
  json: JsonTraceSerializer,
} as unknown as Record<OtlpFormat, Serializer<OtlpSpan>>;

/** OpenTelemetry's payload of `records`, in `format`. */
export function transformerLogs(format: OtlpFormat, records: readonly OtlpLogRecord[]): Uint8Array {
  const payload = LOGS[format].serializeRequest([...records]);
  if (payload === undefined) throw new Error('the transformer returned no payload');
  return payload;
}

/** OpenTelemetry's payload of `spans`, in `format`. */
export function transformerSpans(format: OtlpFormat, spans: readonly OtlpSpan[]): Uint8Array {
  const payload = SPANS[format].serializeRequest([...spans]);
  if (payload === undefined) throw new Error('the transformer returned no payload');
  return payload;
}
