import type { ByteSink } from '@telemetry-reporter/core/internal';
import {
  type Fragment,
  fragment,
  InternCache,
  putFragment,
  writeFragment,
} from '@telemetry-reporter/core/internal';
import { putString, SHORT_STRING, stringField, writeString } from './proto-string.js';
import {
  beginLength,
  endLength,
  putVarint32,
  varintSize,
  writeBytes,
  writeDouble,
  writeVarint,
} from './protobuf-wire.js';
import { enter } from './value-depth.js';

// OTLP `AnyValue` and `KeyValue` written straight from JavaScript values, with the mapping of
// OpenTelemetry's own serializer: strings, booleans, integers in the int64 range as `int_value`
// and other numbers as `double_value`, `Uint8Array` as bytes, arrays, other objects as key-value
// lists of their own enumerable string keys; anything else (undefined, null, symbol, function,
// BigInt) as an empty `AnyValue`.

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** `KeyValue.key` (field 1) of each attribute key: tag, length and UTF-8, built once. */
const KEYS = new InternCache<Fragment>((key) => fragment(stringField(0x0a, key)));

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Writes each own enumerable property of `attributes` as a `KeyValue` field whose tag byte
 * (field number and wire type 2) is `tag`. (`for...in` with `hasOwnProperty.call` is what V8
 * runs fastest here, ahead of `Object.keys` and `Object.hasOwn`.) Short strings and small
 * integers, most attributes, take a path with no length to move.
 */
export function writeAttributes(sink: ByteSink, tag: number, attributes: object): void {
  let slot = 0;
  for (const key in attributes) {
    if (!hasOwn.call(attributes, key)) continue;
    const value = (attributes as Record<string, unknown>)[key];
    const keyField = KEYS.getAt(slot++, key);
    if (typeof value === 'string' && value.length <= SHORT_STRING) {
      writeShortStringKeyValue(sink, tag, keyField, value);
    } else if (
      typeof value === 'number' &&
      value >= 0 &&
      value < 0x80000000 &&
      (value | 0) === value
    ) {
      writeSmallIntKeyValue(sink, tag, keyField, value);
    } else {
      writeKeyValue(sink, tag, keyField, value, 0);
    }
  }
}

/**
 * A `KeyValue` of a string of at most `SHORT_STRING` units: at most 72 bytes of UTF-8, so the
 * string and `AnyValue` lengths take one byte each, known once the string is written.
 */
function writeShortStringKeyValue(
  sink: ByteSink,
  tag: number,
  keyField: Fragment,
  value: string,
): void {
  const length = value.length;
  sink.ensure(keyField.bytes.length + 3 * length + 6);
  const buf = sink.buf;
  let pos = sink.pos;
  buf[pos++] = tag;
  const at = pos++;
  pos = putFragment(sink, pos, keyField);
  buf[pos++] = 0x12;
  const valueAt = pos++;
  buf[pos++] = 0x0a;
  const stringAt = pos++;
  pos = putString(buf, pos, value);
  const bytes = pos - stringAt - 1;
  buf[stringAt] = bytes;
  buf[valueAt] = bytes + 2;
  endKeyValue(sink, buf, at, pos);
}

/** A `KeyValue` of an integer in [0, 2^31): its varint's size is known before it is written. */
function writeSmallIntKeyValue(
  sink: ByteSink,
  tag: number,
  keyField: Fragment,
  value: number,
): void {
  sink.ensure(keyField.bytes.length + 10);
  const buf = sink.buf;
  let pos = sink.pos;
  buf[pos++] = tag;
  const at = pos++;
  pos = putFragment(sink, pos, keyField);
  buf[pos++] = 0x12;
  buf[pos++] = 1 + varintSize(value);
  buf[pos++] = 0x18;
  pos = putVarint32(buf, pos, value);
  endKeyValue(sink, buf, at, pos);
}

/** Sets the length of the `KeyValue` whose length byte is at `at` and which ends at `end`. */
function endKeyValue(sink: ByteSink, buf: Buffer, at: number, end: number): void {
  const length = end - at - 1;
  sink.pos = end;
  if (length < 0x80) buf[at] = length;
  else endLength(sink, at);
}

function writeKeyValue(
  sink: ByteSink,
  tag: number,
  keyField: Fragment,
  value: unknown,
  depth: number,
): void {
  sink.ensure(1);
  sink.buf[sink.pos++] = tag;
  const at = beginLength(sink);
  writeFragment(sink, keyField);
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x12;
  const valueAt = beginLength(sink);
  writeAnyValue(sink, value, depth);
  endLength(sink, valueAt);
  endLength(sink, at);
}

/**
 * Writes the fields of an `AnyValue` (not its tag or length) for `value`. Throws when reading the
 * value throws (a getter, a proxy), it nests deeper than `MAX_VALUE_DEPTH` or contains
 * itself.
 */
export function writeAnyValue(sink: ByteSink, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      sink.ensure(1);
      sink.buf[sink.pos++] = 0x0a;
      writeString(sink, value);
      return;
    case 'boolean':
      sink.ensure(2);
      sink.buf[sink.pos++] = 0x10;
      sink.buf[sink.pos++] = value ? 1 : 0;
      return;
    case 'number':
      sink.ensure(1);
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        sink.buf[sink.pos++] = 0x18;
        writeVarint(sink, value);
      } else {
        sink.buf[sink.pos++] = 0x21;
        writeDouble(sink, value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        sink.ensure(1);
        sink.buf[sink.pos++] = 0x3a;
        writeBytes(sink, value);
        return;
      }
      enter(sink.path, value, depth);
      if (Array.isArray(value)) writeArrayValue(sink, value, depth + 1);
      else writeKeyValueList(sink, value, depth + 1);
      return;
    default:
      // undefined, symbol, function, bigint: an empty AnyValue, as OpenTelemetry writes them
      return;
  }
}

function writeArrayValue(sink: ByteSink, values: readonly unknown[], depth: number): void {
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x2a;
  const at = beginLength(sink);
  const length = values.length;
  for (let i = 0; i < length; i++) {
    sink.ensure(1);
    sink.buf[sink.pos++] = 0x0a;
    const itemAt = beginLength(sink);
    writeAnyValue(sink, values[i], depth);
    endLength(sink, itemAt);
  }
  endLength(sink, at);
}

function writeKeyValueList(sink: ByteSink, value: object, depth: number): void {
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x32;
  const at = beginLength(sink);
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    writeKeyValue(sink, 0x0a, KEYS.get(key), (value as Record<string, unknown>)[key], depth);
  }
  endLength(sink, at);
}
