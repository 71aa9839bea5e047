import type { ByteSink } from '@telemetry-reporter/core/internal';
import {
  ascii,
  writeByte,
  writeFragment,
  writeJsonNumber,
  writeJsonString,
  writeMember,
  writeNanosMember,
} from '@telemetry-reporter/core/internal';
import { writeAttributesJson, writeKeyValues } from './any-value-json.js';
import { writeAttributes } from './any-value-protobuf.js';
import { PARENT_SPAN_IDS, TRACE_IDS, writeHexId } from './hex-id.js';
import { writeHrTime } from './hr-time.js';
import { JSON_PARENT_SPAN_IDS, JSON_TRACE_IDS } from './json-ids.js';
import { writeStringMember } from './otlp-json-fields.js';
import { writeStringField } from './proto-string.js';
import {
  beginLength,
  beginLength2,
  endLength,
  endLength2,
  writeFixed32,
  writeVarint,
  writeVarintField,
} from './protobuf-wire.js';
import type { OtlpSpan, OtlpSpanContext } from './types.js';

// One `Span` of OTLP, in the field order and with the omissions of OpenTelemetry's serializers.

type SpanEvent = OtlpSpan['events'][number];
type SpanLink = OtlpSpan['links'][number];

/** `flags` of a span or link: the W3C trace flags, and whether the context is remote. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** OTLP's `SpanKind` is the API's plus one: 0 means unspecified. */
const otlpKind = (kind: number | undefined | null): number => (kind == null ? 0 : kind + 1);

/** `tracestate` of a context, serialised, if it has one. */
const traceStateOf = (context: OtlpSpanContext): string | undefined =>
  context.traceState?.serialize();

/** Writes `span` as a `spans` entry (field 2 of `ScopeSpans`): tag, length, message. */
export function writeSpanProtobuf(sink: ByteSink, span: OtlpSpan): void {
  sink.ensure(3);
  sink.buf[sink.pos++] = 0x12;
  const at = beginLength2(sink);
  const context = span.spanContext();
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x0a;
  TRACE_IDS.write(sink, context.traceId);
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x12;
  writeHexId(sink, context.spanId);
  const traceState = traceStateOf(context);
  if (traceState) writeStringField(sink, 0x1a, traceState, 'traceState');
  const parent = span.parentSpanContext;
  const parentSpanId = parent?.spanId;
  if (parentSpanId) {
    sink.ensure(1);
    sink.buf[sink.pos++] = 0x22;
    PARENT_SPAN_IDS.write(sink, parentSpanId);
  }
  writeStringField(sink, 0x2a, span.name, 'name');
  const kind = otlpKind(span.kind);
  if (kind !== 0) writeVarintField(sink, 0x30, kind);
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x39;
  writeHrTime(sink, span.startTime);
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x41;
  writeHrTime(sink, span.endTime);
  const attributes = span.attributes;
  if (attributes) writeAttributes(sink, 0x4a, attributes);
  writeVarintField(sink, 0x50, span.droppedAttributesCount);
  const events = span.events;
  for (let i = 0; i < events.length; i++) writeEvent(sink, events[i] as SpanEvent);
  writeVarintField(sink, 0x60, span.droppedEventsCount);
  const links = span.links;
  for (let i = 0; i < links.length; i++) writeLink(sink, links[i] as SpanLink);
  writeVarintField(sink, 0x70, span.droppedLinksCount);
  writeStatus(sink, span.status);
  sink.ensure(2);
  sink.buf[sink.pos++] = 0x85; // field 16, fixed32: two bytes of tag
  sink.buf[sink.pos++] = 0x01;
  writeFixed32(sink, spanFlags(context.traceFlags, parent?.isRemote));
  endLength2(sink, at);
}

function writeEvent(sink: ByteSink, event: SpanEvent): void {
  sink.ensure(3);
  sink.buf[sink.pos++] = 0x5a;
  const at = beginLength(sink);
  sink.buf[sink.pos++] = 0x09;
  writeHrTime(sink, event.time);
  writeStringField(sink, 0x12, event.name, 'event name');
  const attributes = event.attributes;
  if (attributes) writeAttributes(sink, 0x1a, attributes);
  writeVarintField(sink, 0x20, event.droppedAttributesCount || 0);
  endLength(sink, at);
}

function writeLink(sink: ByteSink, link: SpanLink): void {
  sink.ensure(3);
  sink.buf[sink.pos++] = 0x6a;
  const at = beginLength(sink);
  const context = link.context;
  sink.buf[sink.pos++] = 0x0a;
  writeHexId(sink, context.traceId);
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x12;
  writeHexId(sink, context.spanId);
  const traceState = traceStateOf(context);
  if (traceState) writeStringField(sink, 0x1a, traceState, 'traceState');
  const attributes = link.attributes;
  if (attributes) writeAttributes(sink, 0x22, attributes);
  writeVarintField(sink, 0x28, link.droppedAttributesCount || 0);
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x35;
  writeFixed32(sink, spanFlags(context.traceFlags, context.isRemote));
  endLength(sink, at);
}

function writeStatus(sink: ByteSink, status: OtlpSpan['status']): void {
  sink.ensure(2);
  sink.buf[sink.pos++] = 0x7a;
  const at = beginLength(sink);
  const message = status.message;
  if (message) writeStringField(sink, 0x12, message, 'status message');
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x18;
  writeVarint(sink, status.code);
  endLength(sink, at);
}

const SPAN_OPEN = ascii(',{"traceId":');
const SPAN_ID = ascii(',"spanId":');
const PARENT_SPAN_ID = ascii(',"parentSpanId":');
const TRACE_STATE = ascii(',"traceState":');
const NAME = ascii(',"name":');
const KIND = ascii(',"kind":');
const START_TIME = ascii(',"startTimeUnixNano":');
const END_TIME = ascii(',"endTimeUnixNano":');
const ATTRIBUTES = ascii(',"attributes":[');
const DROPPED_ATTRIBUTES = ascii(',"droppedAttributesCount":');
const END_AND_DROPPED_ATTRIBUTES = ascii('],"droppedAttributesCount":');
const EVENTS = ascii(',"events":[');
const DROPPED_EVENTS = ascii(',"droppedEventsCount":');
const STATUS = ascii(',"status":{');
const CODE = ascii(',"code":');
const MESSAGE = ascii(',"message":');
const LINKS = ascii(',"links":[');
const DROPPED_LINKS = ascii(',"droppedLinksCount":');
const FLAGS = ascii(',"flags":');
const EVENT_OPEN = ascii('{"attributes":');
const TIME = ascii(',"timeUnixNano":');
const TRACE_ID = ascii(',"traceId":');

/** Writes `span` as a comma and its OTLP/JSON `Span` object. */
export function writeSpanJson(sink: ByteSink, span: OtlpSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  writeFragment(sink, SPAN_OPEN);
  const traceId = context.traceId;
  if (typeof traceId === 'string') JSON_TRACE_IDS.write(sink, traceId);
  else writeId(sink, traceId);
  writeFragment(sink, SPAN_ID);
  writeId(sink, context.spanId);
  const parentSpanId = parent?.spanId;
  if (parentSpanId) {
    writeFragment(sink, PARENT_SPAN_ID);
    if (typeof parentSpanId === 'string') JSON_PARENT_SPAN_IDS.write(sink, parentSpanId);
    else writeId(sink, parentSpanId);
  }
  writeStringMember(sink, TRACE_STATE, traceStateOf(context));
  writeStringMember(sink, NAME, span.name);
  writeMember(sink, KIND, otlpKind(span.kind));
  writeNanosMember(sink, START_TIME, span.startTime);
  writeNanosMember(sink, END_TIME, span.endTime);
  writeFragment(sink, ATTRIBUTES);
  const attributes = span.attributes;
  if (attributes !== undefined && attributes !== null) writeKeyValues(sink, attributes, 0);
  const dropped = span.droppedAttributesCount;
  if (typeof dropped === 'number') {
    writeMember(sink, END_AND_DROPPED_ATTRIBUTES, dropped);
  } else {
    writeByte(sink, 0x5d);
    writeMember(sink, DROPPED_ATTRIBUTES, dropped);
  }
  writeFragment(sink, EVENTS);
  writeJsonArrayRest(sink, span.events, writeEventJson);
  writeMember(sink, DROPPED_EVENTS, span.droppedEventsCount);
  writeFragment(sink, STATUS);
  // `{` then the members with their leading commas: the first comma is taken back
  const statusAt = sink.pos;
  const status = span.status;
  writeMember(sink, CODE, status.code);
  writeStringMember(sink, MESSAGE, status.message);
  dropLeadingComma(sink, statusAt);
  writeByte(sink, 0x7d);
  writeFragment(sink, LINKS);
  writeJsonArrayRest(sink, span.links, writeLinkJson);
  writeMember(sink, DROPPED_LINKS, span.droppedLinksCount);
  writeFragment(sink, FLAGS);
  writeJsonNumber(sink, spanFlags(context.traceFlags, parent?.isRemote));
  writeByte(sink, 0x7d);
}

/** The elements of an array whose `[` is written already, comma-separated, and its `]`. */
function writeJsonArrayRest<T>(
  sink: ByteSink,
  items: readonly T[],
  write: (sink: ByteSink, item: T) => void,
): void {
  for (let i = 0; i < items.length; i++) {
    if (i > 0) writeByte(sink, 0x2c);
    write(sink, items[i] as T);
  }
  writeByte(sink, 0x5d);
}

function writeEventJson(sink: ByteSink, event: SpanEvent): void {
  writeFragment(sink, EVENT_OPEN);
  writeAttributesJson(sink, event.attributes);
  writeStringMember(sink, NAME, event.name);
  writeNanosMember(sink, TIME, event.time);
  writeMember(sink, DROPPED_ATTRIBUTES, event.droppedAttributesCount || 0);
  writeByte(sink, 0x7d);
}

function writeLinkJson(sink: ByteSink, link: SpanLink): void {
  const context = link.context;
  writeFragment(sink, EVENT_OPEN);
  writeAttributesJson(sink, link.attributes);
  writeFragment(sink, SPAN_ID);
  writeId(sink, context.spanId);
  writeFragment(sink, TRACE_ID);
  writeId(sink, context.traceId);
  writeStringMember(sink, TRACE_STATE, traceStateOf(context));
  writeMember(sink, DROPPED_ATTRIBUTES, link.droppedAttributesCount || 0);
  writeFragment(sink, FLAGS);
  writeJsonNumber(sink, spanFlags(context.traceFlags, context.isRemote));
  writeByte(sink, 0x7d);
}

/** A trace or span id as OTLP/JSON writes it: the hex string itself. */
function writeId(sink: ByteSink, id: unknown): void {
  if (typeof id !== 'string') throw new TypeError('a trace or span id must be a hex string');
  writeJsonString(sink, id);
}

/** Removes the comma at `at`, if members were written from there. */
function dropLeadingComma(sink: ByteSink, at: number): void {
  if (sink.pos === at) return;
  sink.buf.copyWithin(at, at + 1, sink.pos);
  sink.pos -= 1;
}
