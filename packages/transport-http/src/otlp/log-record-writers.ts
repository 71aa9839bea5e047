import type { ByteSink } from '@telemetry-reporter/core/internal';
import {
  ascii,
  writeByte,
  writeFragment,
  writeMember,
  writeNanosMember,
  writeStringBetween,
} from '@telemetry-reporter/core/internal';
import { writeAnyValueJson, writeKeyValues } from './any-value-json.js';
import { writeAnyValue, writeAttributes } from './any-value-protobuf.js';
import { LOG_SPAN_IDS, TRACE_IDS } from './hex-id.js';
import { putHrTime } from './hr-time.js';
import { JSON_LOG_SPAN_IDS, JSON_TRACE_IDS } from './json-ids.js';
import { writeStringMember } from './otlp-json-fields.js';
import { writeStringField } from './proto-string.js';
import { beginLength, endLength, endLength2, writeVarintField } from './protobuf-wire.js';
import type { OtlpLogRecord } from './types.js';

// One `LogRecord` of OTLP, in the field order and with the omissions of OpenTelemetry's
// serializers: protobuf leaves out an unspecified severity, empty strings, an undefined body
// and an absent trace context; JSON leaves out what is undefined.

/** Writes `record` as a `log_records` entry (field 2 of `ScopeLogs`): tag, length, message. */
export function writeLogRecordProtobuf(sink: ByteSink, record: OtlpLogRecord): void {
  // The fixed-size fields are written through a local cursor, after one bounds check.
  sink.ensure(16);
  let buf = sink.buf;
  let pos = sink.pos;
  buf[pos++] = 0x12;
  const at = pos;
  pos += 2; // the length, see endLength2
  buf[pos++] = 0x09;
  pos = putHrTime(buf, pos, record.hrTime);
  const severity = record.severityNumber;
  if (severity !== undefined && severity !== 0) {
    if (severity > 0 && severity < 0x80 && (severity | 0) === severity) {
      buf[pos++] = 0x10;
      buf[pos++] = severity;
      sink.pos = pos;
    } else {
      sink.pos = pos;
      writeVarintField(sink, 0x10, severity);
    }
  } else {
    sink.pos = pos;
  }
  const severityText = record.severityText;
  if (severityText) writeStringField(sink, 0x1a, severityText, 'severityText');
  const body = record.body;
  if (body !== undefined) {
    sink.ensure(1);
    sink.buf[sink.pos++] = 0x2a;
    const bodyAt = beginLength(sink);
    writeAnyValue(sink, body, 0);
    endLength(sink, bodyAt);
  }
  const attributes = record.attributes;
  if (attributes) writeAttributes(sink, 0x32, attributes);
  const dropped = record.droppedAttributesCount;
  if (dropped === undefined || dropped === 0) {
    sink.ensure(2);
    sink.buf[sink.pos++] = 0x38;
    sink.buf[sink.pos++] = 0;
  } else {
    writeVarintField(sink, 0x38, dropped);
  }
  const context = record.spanContext;
  if (context) {
    const flags = context.traceFlags;
    if (flags) {
      sink.ensure(5);
      buf = sink.buf;
      pos = sink.pos;
      buf[pos++] = 0x45;
      const value = flags >>> 0;
      buf[pos++] = value & 0xff;
      buf[pos++] = (value >>> 8) & 0xff;
      buf[pos++] = (value >>> 16) & 0xff;
      buf[pos++] = value >>> 24;
      sink.pos = pos;
    }
    const traceId = context.traceId;
    if (traceId) {
      sink.ensure(1);
      sink.buf[sink.pos++] = 0x4a;
      TRACE_IDS.write(sink, traceId);
    }
    const spanId = context.spanId;
    if (spanId) {
      sink.ensure(1);
      sink.buf[sink.pos++] = 0x52;
      LOG_SPAN_IDS.write(sink, spanId);
    }
  }
  const observed = record.hrTimeObserved;
  if (observed !== undefined) {
    sink.ensure(9);
    sink.buf[sink.pos] = 0x59;
    sink.pos = putHrTime(sink.buf, sink.pos + 1, observed);
  }
  const eventName = record.eventName;
  if (eventName) writeStringField(sink, 0x62, eventName, 'eventName');
  endLength2(sink, at);
}

const LOG_OPEN = ascii(',{"timeUnixNano":');
const OBSERVED = ascii(',"observedTimeUnixNano":');
const SEVERITY_NUMBER = ascii(',"severityNumber":');
const SEVERITY_TEXT = ascii(',"severityText":');
const BODY = ascii(',"body":');
const STRING_BODY = ascii(',"body":{"stringValue":');
const EVENT_NAME = ascii(',"eventName":');
const ATTRIBUTES = ascii(',"attributes":[');
const DROPPED_ATTRIBUTES = ascii(',"droppedAttributesCount":');
const END_AND_DROPPED_ATTRIBUTES = ascii('],"droppedAttributesCount":');
const FLAGS = ascii(',"flags":');
const TRACE_ID = ascii(',"traceId":');
const SPAN_ID = ascii(',"spanId":');

/** Writes `record` as a comma and its OTLP/JSON `LogRecord` object. */
export function writeLogRecordJson(sink: ByteSink, record: OtlpLogRecord): void {
  writeNanosMember(sink, LOG_OPEN, record.hrTime);
  const observed = record.hrTimeObserved;
  if (observed !== undefined) writeNanosMember(sink, OBSERVED, observed);
  writeMember(sink, SEVERITY_NUMBER, record.severityNumber);
  writeStringMember(sink, SEVERITY_TEXT, record.severityText);
  const body = record.body;
  if (typeof body === 'string') {
    writeStringBetween(sink, STRING_BODY, body, 0x7d);
  } else {
    writeFragment(sink, BODY);
    writeAnyValueJson(sink, body, 0);
  }
  writeStringMember(sink, EVENT_NAME, record.eventName);
  writeFragment(sink, ATTRIBUTES);
  const attributes = record.attributes;
  if (attributes !== undefined && attributes !== null) writeKeyValues(sink, attributes, 0);
  const dropped = record.droppedAttributesCount;
  if (typeof dropped === 'number') {
    writeMember(sink, END_AND_DROPPED_ATTRIBUTES, dropped);
  } else {
    writeByte(sink, 0x5d);
    writeMember(sink, DROPPED_ATTRIBUTES, dropped);
  }
  const context = record.spanContext;
  if (context) {
    writeMember(sink, FLAGS, context.traceFlags);
    const traceId = context.traceId;
    if (typeof traceId === 'string') {
      writeFragment(sink, TRACE_ID);
      JSON_TRACE_IDS.write(sink, traceId);
    } else if (traceId !== undefined && traceId !== null) {
      throw new TypeError('a trace or span id must be a hex string');
    }
    const spanId = context.spanId;
    if (typeof spanId === 'string') {
      writeFragment(sink, SPAN_ID);
      JSON_LOG_SPAN_IDS.write(sink, spanId);
    } else if (spanId !== undefined && spanId !== null) {
      throw new TypeError('a trace or span id must be a hex string');
    }
  }
  writeByte(sink, 0x7d);
}
