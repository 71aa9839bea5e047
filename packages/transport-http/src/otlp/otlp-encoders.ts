import type { EncodedBatch, EncodeOptions, PayloadBuilder } from '@telemetry-reporter/core';
import { describeValue } from '@telemetry-reporter/core/internal';
import { assembleProtobuf, jsonAssembler } from './envelope.js';
import { writeLogRecordJson, writeLogRecordProtobuf } from './log-record-writers.js';
import { type GroupedRecord, RequestWriter } from './request-writer.js';
import {
  jsonResource,
  jsonScope,
  jsonScopeKey,
  protobufResource,
  protobufScope,
} from './resource-scope.js';
import { writeSpanJson, writeSpanProtobuf } from './span-writers.js';
import type {
  OtlpContentType,
  OtlpEncoder,
  OtlpEncoderOptions,
  OtlpFormat,
  OtlpLogRecord,
  OtlpRequestWriter,
  OtlpSpan,
} from './types.js';

/** The `content-type` of each OTLP format, as OTLP/HTTP requires. */
export const OTLP_CONTENT_TYPES: Readonly<Record<OtlpFormat, OtlpContentType>> = Object.freeze({
  protobuf: 'application/x-protobuf',
  json: 'application/json',
});

type WriterFactories<Item> = Readonly<Record<OtlpFormat, () => OtlpRequestWriter<Item>>>;

const assembleLogsJson = jsonAssembler(['resourceLogs', 'scopeLogs', 'logRecords']);
const assembleSpansJson = jsonAssembler(['resourceSpans', 'scopeSpans', 'spans']);

const LOG_WRITERS: WriterFactories<OtlpLogRecord> = {
  protobuf: () =>
    new RequestWriter<OtlpLogRecord>({
      resource: protobufResource,
      scope: protobufScope,
      record: writeLogRecordProtobuf,
      assemble: assembleProtobuf,
    }),
  json: () =>
    new RequestWriter<OtlpLogRecord>({
      resource: jsonResource,
      scope: jsonScope,
      record: writeLogRecordJson,
      assemble: assembleLogsJson,
    }),
};

const SPAN_WRITERS: WriterFactories<OtlpSpan> = {
  protobuf: () =>
    new RequestWriter<OtlpSpan>({
      resource: protobufResource,
      scope: protobufScope,
      record: writeSpanProtobuf,
      assemble: assembleProtobuf,
    }),
  json: () =>
    new RequestWriter<OtlpSpan>({
      resource: jsonResource,
      scope: jsonScope,
      // OpenTelemetry's JSON span serializer groups scopes by name, version and schema URL.
      scopeKey: jsonScopeKey,
      record: writeSpanJson,
      assemble: assembleSpansJson,
    }),
};

/**
 * An encoder of OpenTelemetry log records into one OTLP `ExportLogsServiceRequest` per batch.
 * Each record is written straight to the wire format; one that cannot be (a circular body, a
 * throwing getter) is dropped alone as `encoding_failed`.
 */
export function createOtlpLogsEncoder(
  options: OtlpEncoderOptions = {},
): OtlpEncoder<OtlpLogRecord> {
  return createEncoder('createOtlpLogsEncoder', options, LOG_WRITERS);
}

/**
 * An encoder of OpenTelemetry spans into one OTLP `ExportTraceServiceRequest` per batch, with the
 * same per-span isolation as {@link createOtlpLogsEncoder}.
 */
export function createOtlpSpansEncoder(options: OtlpEncoderOptions = {}): OtlpEncoder<OtlpSpan> {
  return createEncoder('createOtlpSpansEncoder', options, SPAN_WRITERS);
}

function createEncoder<Item extends GroupedRecord>(
  name: string,
  options: OtlpEncoderOptions,
  writers: WriterFactories<Item>,
): OtlpEncoder<Item> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${name} options must be an object, got ${describeValue(options)}`);
  }
  const format = options.format ?? 'protobuf';
  if (format !== 'protobuf' && format !== 'json') {
    throw new TypeError(`format must be one of 'protobuf', 'json', got ${describeValue(format)}`);
  }
  const createWriter = writers[format] as () => RequestWriter<Item>;
  // One writer, and its buffer, serves every encode(); a call made while it is busy (from a
  // getter of a record being encoded) gets a writer of its own.
  let idle: RequestWriter<Item> | undefined;
  const encode = (
    items: readonly Item[],
    encodeOptions?: EncodeOptions,
  ): EncodedBatch<Uint8Array> => {
    const writer = idle ?? createWriter();
    idle = undefined;
    try {
      writer.limit(encodeOptions?.maxBytes ?? Number.POSITIVE_INFINITY);
      writer.add(items, 0, items.length);
      return writer.finish();
    } catch (error) {
      // Only the request itself failing (memory for a huge payload) gets here: all is lost.
      writer.reset();
      const failedIndexes = Array.from(items, (_, index) => index);
      return failedIndexes.length === 0
        ? { payload: undefined, recordCount: 0, failedCount: 0 }
        : {
            payload: undefined,
            recordCount: 0,
            failedCount: failedIndexes.length,
            failedIndexes,
            firstError: error,
          };
    } finally {
      idle = writer;
    }
  };
  // A payload built in slices, for the delivery to spread one batch over turns of the event loop.
  const begin = (encodeOptions?: EncodeOptions): PayloadBuilder<Item, Uint8Array> => {
    const writer = createWriter();
    writer.limit(encodeOptions?.maxBytes ?? Number.POSITIVE_INFINITY);
    return {
      add: (items, from, to) => writer.add(items, from, to),
      finish: () => writer.finish(),
    };
  };
  return Object.freeze({
    format,
    contentType: OTLP_CONTENT_TYPES[format],
    encode,
    begin,
    createWriter,
  });
}
