import type { EncodedBatch, EncodeOptions, PayloadBuilder } from '@telemetry-reporter/core';
import { describeValue, PayloadPool } from '@telemetry-reporter/core/internal';
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

/**
 * Idle writers an encoder keeps for reuse: one per export in flight, up to the most concurrent
 * exports a processor is usually given. Each keeps its buffer (at most 8 MiB; see ByteSink in core).
 */
const IDLE_WRITERS = 4;

type WriterFactories<Item> = Readonly<
  Record<OtlpFormat, (payloads: PayloadPool) => OtlpRequestWriter<Item>>
>;

const assembleLogsJson = jsonAssembler(['resourceLogs', 'scopeLogs', 'logRecords']);
const assembleSpansJson = jsonAssembler(['resourceSpans', 'scopeSpans', 'spans']);

const LOG_WRITERS: WriterFactories<OtlpLogRecord> = {
  protobuf: (payloads) =>
    new RequestWriter<OtlpLogRecord>(
      {
        resource: protobufResource,
        scope: protobufScope,
        record: writeLogRecordProtobuf,
        assemble: assembleProtobuf,
      },
      payloads,
    ),
  json: (payloads) =>
    new RequestWriter<OtlpLogRecord>(
      {
        resource: jsonResource,
        scope: jsonScope,
        record: writeLogRecordJson,
        assemble: assembleLogsJson,
      },
      payloads,
    ),
};

const SPAN_WRITERS: WriterFactories<OtlpSpan> = {
  protobuf: (payloads) =>
    new RequestWriter<OtlpSpan>(
      {
        resource: protobufResource,
        scope: protobufScope,
        record: writeSpanProtobuf,
        assemble: assembleProtobuf,
      },
      payloads,
    ),
  json: (payloads) =>
    new RequestWriter<OtlpSpan>(
      {
        resource: jsonResource,
        scope: jsonScope,
        // OpenTelemetry's JSON span serializer groups scopes by name, version and schema URL.
        scopeKey: jsonScopeKey,
        record: writeSpanJson,
        assemble: assembleSpansJson,
      },
      payloads,
    ),
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
  // Request buffers are reused too, once the delivery gives a payload back (`release`).
  const payloads = new PayloadPool();
  const writerOf = writers[format] as (payloads: PayloadPool) => RequestWriter<Item>;
  const createWriter = (): RequestWriter<Item> => writerOf(payloads);
  // Writers, and their buffers, are reused: allocating a fresh buffer per batch (and growing it
  // to the payload's size) made the garbage collector the largest cost of exporting OTLP/JSON.
  // A writer is taken for one encode() or one builder and given back when it finishes; a call
  // made while every writer is busy (concurrent exports, or an encode from a getter of a record
  // being encoded) gets a new one.
  const idle: RequestWriter<Item>[] = [];
  const take = (): RequestWriter<Item> => idle.pop() ?? createWriter();
  const giveBack = (writer: RequestWriter<Item>): void => {
    if (idle.length < IDLE_WRITERS) idle.push(writer);
  };
  const encode = (
    items: readonly Item[],
    encodeOptions?: EncodeOptions,
  ): EncodedBatch<Uint8Array> => {
    const writer = take();
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
      giveBack(writer);
    }
  };
  // A payload built in slices, for the delivery to spread one batch over turns of the event loop.
  const begin = (encodeOptions?: EncodeOptions): PayloadBuilder<Item, Uint8Array> => {
    let writer: RequestWriter<Item> | undefined = take();
    writer.limit(encodeOptions?.maxBytes ?? Number.POSITIVE_INFINITY);
    return {
      // After finish() the writer belongs to someone else: a late add takes nothing.
      add: (items, from, to) => (writer === undefined ? from : writer.add(items, from, to)),
      finish: () => {
        if (writer === undefined) return { payload: undefined, recordCount: 0, failedCount: 0 };
        const finished = writer;
        writer = undefined;
        try {
          return finished.finish();
        } catch (error) {
          finished.reset();
          throw error;
        } finally {
          giveBack(finished);
        }
      },
    };
  };
  return Object.freeze({
    format,
    contentType: OTLP_CONTENT_TYPES[format],
    encode,
    begin,
    createWriter,
    release: (payload: Uint8Array) => payloads.give(payload),
  });
}
