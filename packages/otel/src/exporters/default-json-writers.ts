import {
  ascii,
  type ByteSink,
  type Fragment,
  InternCache,
  tryWriteNanosMember,
  writeByte,
  writeFragment,
  writeIntegerBetween,
  writeJsonNumber,
  writeJsonString,
  writeRawJson,
  writeStringBetween,
  writeText,
} from '@telemetry-reporter/core/internal';
import type {
  HrTimeLike,
  ReporterLogRecord,
  ReporterSpan,
  SpanEventLike,
  SpanLinkLike,
} from '../sdk/sdk-types.js';
import { hrTimeToIso, hrTimeToUnixNanos } from './hr-time.js';
import { scopeOf } from './log-record-json.js';
import { eventsToJson, linksToJson } from './span-json.js';

// The default JSON payload, written as UTF-8 bytes with no object and no string built per
// record: `writeLogRecordJson(sink, r)` writes the bytes of `JSON.stringify(logRecordToJson(r))`,
// and likewise for spans (the tests hold them to it, over the bad-input corpus and generated
// records). The resource and the scope, the same objects for every record of a provider, are
// serialised once and copied; every other value is written as JSON.stringify writes it, so odd
// values (NaN, lone surrogates, toJSON, a throwing getter, a cycle) are written, or fail, as
// before. Differences, for values no SDK makes: a `toJSON(key)` method receives '' as its key
// rather than the property's name, and a getter that adds or hides keys of its own object while
// it is written can change what follows.

const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');

/** An attribute key as the first member of its object, `"key":`, and after another, `,"key":`. */
interface KeyNames {
  readonly first: Fragment;
  readonly next: Fragment;
}

/** The names of the attribute keys records repeat. */
const KEYS = new InternCache<KeyNames>(keyNames);

/** The {@link KeyNames} of `key`. */
function keyNames(key: string): KeyNames {
  const quoted = JSON.stringify(key);
  return { first: ascii(`${quoted}:`), next: ascii(`,${quoted}:`) };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A plain object without toJSON: its members can be written one by one. */
function isPlainMap(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return (
    (prototype === Object.prototype || prototype === null) &&
    !Array.isArray(value) && // an array without a prototype is still an array to JSON
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/**
 * Writes `name` and `value` as JSON.stringify writes a property, or nothing where it leaves
 * the property out (undefined, a function, a symbol); plain objects member by member, through
 * this function again, and anything else nested through JSON.stringify. Throws where it throws
 * (a BigInt). Returns whether it wrote.
 */
function writeValueMember(sink: ByteSink, name: Fragment, value: unknown, nested = false): boolean {
  switch (typeof value) {
    case 'string':
      writeStringBetween(sink, name, value, 0);
      return true;
    case 'number':
      if (Number.isInteger(value)) writeIntegerBetween(sink, name, value, 0);
      else {
        writeFragment(sink, name);
        writeJsonNumber(sink, value);
      }
      return true;
    case 'boolean':
      writeFragment(sink, name);
      writeFragment(sink, value ? TRUE : FALSE);
      return true;
    case 'object':
      if (value === null) {
        writeFragment(sink, name);
        writeFragment(sink, NULL);
        return true;
      }
      if (!nested && isPlainMap(value)) {
        writeFragment(sink, name);
        writeMap(sink, value as Record<string, unknown>);
        return true;
      }
      break;
  }
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined) return false;
  writeFragment(sink, name);
  writeText(sink, text);
  return true;
}

/**
 * A plain object as JSON.stringify writes it: own enumerable string keys, in order (for-in
 * gives the order of Object.keys, without making an array).
 */
function writeMap(sink: ByteSink, map: Record<string, unknown>): void {
  writeByte(sink, 0x7b); // {
  let first = true;
  let slot = 0;
  for (const key in map) {
    if (!hasOwn.call(map, key)) continue;
    const names = KEYS.getAt(slot++, key);
    if (writeValueMember(sink, first ? names.first : names.next, map[key], true)) first = false;
  }
  writeByte(sink, 0x7d); // }
}

/** `,"resource":<attributes>` by resource object, while the resource lives. */
const resourceBytes = new WeakMap<object, { attributes: unknown; bytes: Uint8Array }>();
/** `,"scope":<scope>` by scope object. */
const scopeBytes = new WeakMap<object, Uint8Array>();
const EMPTY_RESOURCE = Buffer.from(',"resource":{}');

function resourceMember(resource: ReporterLogRecord['resource'] | undefined): Uint8Array {
  // Only objects (and functions) can carry `attributes`: `resource?.attributes ?? {}` is `{}`.
  if (resource === null || (typeof resource !== 'object' && typeof resource !== 'function')) {
    return EMPTY_RESOURCE;
  }
  const attributes = resource.attributes ?? {};
  const cached = resourceBytes.get(resource);
  // A resource's attributes never change; a new attributes object (an async detection that
  // finished) is serialised anew.
  if (cached !== undefined && cached.attributes === attributes) return cached.bytes;
  const text: string | undefined = JSON.stringify(attributes);
  const bytes = Buffer.from(text === undefined ? '' : `,"resource":${text}`);
  resourceBytes.set(resource, { attributes, bytes });
  return bytes;
}

function scopeMember(scope: ReporterLogRecord['instrumentationScope'] | undefined): Uint8Array {
  if (typeof scope !== 'object' || scope === null) {
    return Buffer.from(`,"scope":${JSON.stringify(scopeOf(scope))}`);
  }
  let bytes = scopeBytes.get(scope);
  if (bytes === undefined) {
    bytes = Buffer.from(`,"scope":${JSON.stringify(scopeOf(scope))}`);
    scopeBytes.set(scope, bytes);
  }
  return bytes;
}

// `"YYYY-MM-DDTHH:MM:SS.` of the last whole second seen: records of one batch share their
// seconds, and formatting a Date is otherwise the dearest part of a record.
let cachedSecond = Number.NaN;
/** Seconds from the epoch to either end of what a Date holds (8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;
let cachedPrefix: Fragment = ascii('"');

/** Writes `name` and the ISO 8601 string of an hrTime, as `hrTimeToIso`. */
function writeIsoMember(sink: ByteSink, name: Fragment, time: HrTimeLike): void {
  const seconds = time[0];
  const nanos = time[1];
  writeFragment(sink, name);
  // Within a second of the ends of Date's range, the whole second can be valid and the time not.
  if (
    Number.isInteger(seconds) &&
    seconds > -MAX_DATE_SECONDS &&
    seconds < MAX_DATE_SECONDS &&
    typeof nanos === 'number' &&
    nanos >= 0 &&
    nanos < 1e9
  ) {
    if (seconds !== cachedSecond) {
      const iso = hrTimeToIso([seconds, 0]);
      cachedPrefix = ascii(`"${iso.slice(0, iso.length - 4)}`); // drops 'mmmZ'
      cachedSecond = seconds;
    }
    const millis = Math.floor(nanos / 1e6);
    writeFragment(sink, cachedPrefix);
    sink.ensure(5);
    const buf = sink.buf;
    const pos = sink.pos;
    buf[pos] = 0x30 + Math.floor(millis / 100);
    buf[pos + 1] = 0x30 + (Math.floor(millis / 10) % 10);
    buf[pos + 2] = 0x30 + (millis % 10);
    buf[pos + 3] = 0x5a; // Z
    buf[pos + 4] = 0x22; // "
    sink.pos = pos + 5;
    return;
  }
  writeJsonString(sink, hrTimeToIso(time));
}

/** Writes `name` and the nanoseconds of an hrTime as a decimal string, as `hrTimeToUnixNanos`. */
function writeUnixNanosMember(sink: ByteSink, name: Fragment, time: HrTimeLike): void {
  // hrTimeToUnixNanos destructures: anything but an array takes its way, and fails as it does
  if (Array.isArray(time) && tryWriteNanosMember(sink, name, time)) return;
  const text = hrTimeToUnixNanos(time);
  writeFragment(sink, name);
  writeJsonString(sink, text);
}

const LOG = {
  timestamp: ascii('{"timestamp":'),
  timeUnixNano: ascii(',"timeUnixNano":'),
  attributes: ascii(',"attributes":'),
  observedTimeUnixNano: ascii(',"observedTimeUnixNano":'),
  severityNumber: ascii(',"severityNumber":'),
  severityText: ascii(',"severityText":'),
  eventName: ascii(',"eventName":'),
  body: ascii(',"body":'),
  traceId: ascii(',"traceId":'),
  spanId: ascii(',"spanId":'),
  traceFlags: ascii(',"traceFlags":'),
};

/** Writes the bytes of `JSON.stringify(logRecordToJson(record))`. */
export function writeLogRecordJson(sink: ByteSink, record: ReporterLogRecord): void {
  writeIsoMember(sink, LOG.timestamp, record.hrTime);
  writeUnixNanosMember(sink, LOG.timeUnixNano, record.hrTime);
  writeValueMember(sink, LOG.attributes, record.attributes);
  writeRawJson(sink, resourceMember(record.resource));
  writeRawJson(sink, scopeMember(record.instrumentationScope));
  const observed = record.hrTimeObserved;
  if (observed) writeUnixNanosMember(sink, LOG.observedTimeUnixNano, observed);
  const { severityNumber, severityText, eventName, body } = record;
  if (severityNumber !== undefined) writeValueMember(sink, LOG.severityNumber, severityNumber);
  if (severityText !== undefined) writeValueMember(sink, LOG.severityText, severityText);
  if (eventName !== undefined) writeValueMember(sink, LOG.eventName, eventName);
  if (body !== undefined) writeValueMember(sink, LOG.body, body);
  const span = record.spanContext;
  if (span) {
    writeValueMember(sink, LOG.traceId, span.traceId);
    writeValueMember(sink, LOG.spanId, span.spanId);
    writeValueMember(sink, LOG.traceFlags, span.traceFlags);
  }
  writeByte(sink, 0x7d); // }
}

const SPAN = {
  name: ascii('{"name":'),
  startTimeUnixNano: ascii(',"startTimeUnixNano":'),
  endTimeUnixNano: ascii(',"endTimeUnixNano":'),
  status: ascii(',"status":'),
  attributes: ascii(',"attributes":'),
  events: ascii(',"events":'),
  links: ascii(',"links":'),
  parentSpanId: ascii(',"parentSpanId":'),
};

const STATUS_CODE = ascii(',"status":{"code":');
const STATUS_MESSAGE = ascii(',"message":');
const EMPTY_LIST = ascii('[]');

/** Writes `,"status":` and the status as `spanToJson` has it: the code, and the message if any. */
function writeStatus(sink: ByteSink, status: ReporterSpan['status']): void {
  const { code, message } = status;
  if (Number.isInteger(code) && (message === undefined || typeof message === 'string')) {
    writeValueMember(sink, STATUS_CODE, code);
    if (message !== undefined) writeValueMember(sink, STATUS_MESSAGE, message);
    writeByte(sink, 0x7d); // }
    return;
  }
  writeFragment(sink, SPAN.status);
  writeText(sink, JSON.stringify(message === undefined ? { code } : { code, message }));
}

/**
 * Writes `name` and a span's events or links as `JSON.stringify(toJson(list))` writes them:
 * element by element with `write` for a plain array (a hole is `null`, as `map` leaves it), and
 * through `toJson` for anything else.
 */
function writeList<T>(
  sink: ByteSink,
  name: Fragment,
  list: readonly T[],
  toJson: (list: readonly T[]) => unknown,
  write: (sink: ByteSink, item: T) => void,
): void {
  if (Object.getPrototypeOf(list) !== Array.prototype) {
    const text: string | undefined = JSON.stringify(toJson(list));
    if (text === undefined) return; // left out, as JSON leaves out undefined
    writeFragment(sink, name);
    writeText(sink, text);
    return;
  }
  writeFragment(sink, name);
  const length = list.length;
  if (length === 0) {
    writeFragment(sink, EMPTY_LIST);
    return;
  }
  writeByte(sink, 0x5b); // [
  for (let i = 0; i < length; i++) {
    if (i > 0) writeByte(sink, 0x2c); // ,
    if (i in list) write(sink, list[i] as T);
    else writeFragment(sink, NULL);
  }
  writeByte(sink, 0x5d); // ]
}

/** Member names that may open their object, as the first of it and after another. */
const NAME = keyNames('name');
const KIND = keyNames('kind');
const TRACE_FLAGS = keyNames('traceFlags');
const TIMESTAMP = keyNames('timestamp');
const TIME_UNIX_NANO = keyNames('timeUnixNano');
const TRACE_ID = keyNames('traceId');
const SPAN_ID = keyNames('spanId');
const ATTRIBUTES = keyNames('attributes');

/**
 * Writes member `names` of `value` as {@link writeValueMember} does, with the comma before it
 * unless it is the `first` of its object; returns whether the next one is still the first.
 */
function member(sink: ByteSink, first: boolean, names: KeyNames, value: unknown): boolean {
  return writeValueMember(sink, first ? names.first : names.next, value) ? false : first;
}

/** One element of `eventsToJson`, read in its order. */
function writeEvent(sink: ByteSink, event: SpanEventLike): void {
  const name = event.name;
  const time = hrTimeToUnixNanos(event.time);
  const attributes = event.attributes;
  writeByte(sink, 0x7b); // {
  member(
    sink,
    member(sink, member(sink, true, NAME, name), TIME_UNIX_NANO, time),
    ATTRIBUTES,
    attributes,
  );
  writeByte(sink, 0x7d); // }
}

/** One element of `linksToJson`, read in its order. */
function writeLink(sink: ByteSink, link: SpanLinkLike): void {
  const traceId = link.context.traceId;
  const spanId = link.context.spanId;
  const attributes = link.attributes;
  writeByte(sink, 0x7b); // {
  member(
    sink,
    member(sink, member(sink, true, TRACE_ID, traceId), SPAN_ID, spanId),
    ATTRIBUTES,
    attributes,
  );
  writeByte(sink, 0x7d); // }
}

/** Writes the bytes of `JSON.stringify(spanToJson(span))`. */
export function writeSpanJson(sink: ByteSink, span: ReporterSpan): void {
  const context = span.spanContext();
  // The name opens the object; JSON leaves it out, and the next ones too, only for values no
  // SDK gives: the first member written is the one without a comma.
  const name = span.name;
  let first: boolean;
  if (typeof name === 'string') {
    writeStringBetween(sink, SPAN.name, name, 0); // `{"name":` in one copy: the common case
    first = false;
  } else {
    writeByte(sink, 0x7b); // {
    first = member(sink, true, NAME, name);
  }
  first = member(sink, first, KIND, span.kind);
  first = member(sink, first, TRACE_ID, context.traceId);
  first = member(sink, first, SPAN_ID, context.spanId);
  first = member(sink, first, TRACE_FLAGS, context.traceFlags);
  writeIsoMember(sink, first ? TIMESTAMP.first : TIMESTAMP.next, span.startTime);
  writeUnixNanosMember(sink, SPAN.startTimeUnixNano, span.startTime);
  writeUnixNanosMember(sink, SPAN.endTimeUnixNano, span.endTime);
  writeStatus(sink, span.status);
  writeValueMember(sink, SPAN.attributes, span.attributes);
  writeList(sink, SPAN.events, span.events, eventsToJson, writeEvent);
  writeList(sink, SPAN.links, span.links, linksToJson, writeLink);
  writeRawJson(sink, resourceMember(span.resource));
  writeRawJson(sink, scopeMember(span.instrumentationScope));
  if (span.parentSpanContext) {
    writeValueMember(sink, SPAN.parentSpanId, span.parentSpanContext.spanId);
  }
  writeByte(sink, 0x7d); // }
}
