import type { ByteSink } from '@telemetry-reporter/core/internal';
import {
  ascii,
  type Fragment,
  InternCache,
  writeByte,
  writeFragment,
  writeIntegerBetween,
  writeJsonNumber,
  writeJsonString,
  writeStringBetween,
} from '@telemetry-reporter/core/internal';
import { writeBase64 } from './otlp-json-fields.js';
import { enter } from './value-depth.js';

// OTLP/JSON `AnyValue` and `KeyValue` straight from JavaScript values, with the mapping of
// OpenTelemetry's JSON serializer: every integer (whatever its size) as `intValue`, other
// numbers as `doubleValue` (`null` for NaN and the infinities), bytes as base64, and the rest as
// in any-value-protobuf.ts.

/**
 * The opening of a `KeyValue` of one key, alone and with the two most common value kinds, each
 * also with the comma before it: one copy instead of three.
 */
interface KeyOpenings {
  readonly any: Fragment;
  readonly string: Fragment;
  readonly int: Fragment;
  readonly nextAny: Fragment;
  readonly nextString: Fragment;
  readonly nextInt: Fragment;
}

const KEYS = new InternCache<KeyOpenings>((key) => {
  const open = `{"key":${JSON.stringify(key)},"value":`;
  return {
    any: ascii(open),
    string: ascii(`${open}{"stringValue":`),
    int: ascii(`${open}{"intValue":`),
    nextAny: ascii(`,${open}`),
    nextString: ascii(`,${open}{"stringValue":`),
    nextInt: ascii(`,${open}{"intValue":`),
  };
});

const STRING_VALUE = ascii('{"stringValue":');
const INT_VALUE = ascii('{"intValue":');
const DOUBLE_VALUE = ascii('{"doubleValue":');
const TRUE = ascii('{"boolValue":true}');
const FALSE = ascii('{"boolValue":false}');
const BYTES_VALUE = ascii('{"bytesValue":');
const ARRAY_VALUE = ascii('{"arrayValue":{"values":[');
const KVLIST_VALUE = ascii('{"kvlistValue":{"values":[');
const EMPTY = ascii('{}');
const CLOSE_LIST = ascii(']}}');

const hasOwn = Object.prototype.hasOwnProperty;

/** Writes `[<KeyValue>,...]` of the own enumerable properties of `attributes`. */
export function writeAttributesJson(sink: ByteSink, attributes: object | undefined): void {
  writeByte(sink, 0x5b);
  if (attributes !== undefined && attributes !== null) writeKeyValues(sink, attributes, 0);
  writeByte(sink, 0x5d);
}

/** Writes the `KeyValue`s of `object`, comma-separated, with no brackets. */
export function writeKeyValues(sink: ByteSink, object: object, depth: number): void {
  let first = true;
  let slot = 0;
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    const value = (object as Record<string, unknown>)[key];
    // nested maps' keys are looked up by hash: their positions would mix with the attributes'
    const openings = depth === 0 ? KEYS.getAt(slot++, key) : KEYS.get(key);
    if (typeof value === 'string') {
      writeStringBetween(sink, first ? openings.string : openings.nextString, value, CLOSE_TWO);
    } else if (typeof value === 'number' && Number.isInteger(value)) {
      writeIntegerBetween(sink, first ? openings.int : openings.nextInt, value, CLOSE_TWO);
    } else {
      writeFragment(sink, first ? openings.any : openings.nextAny);
      writeAnyValueJson(sink, value, depth);
      writeByte(sink, 0x7d);
    }
    first = false;
  }
}

/** `}}`, for writeStringBetween and writeIntegerBetween. */
const CLOSE_TWO = 0x7d7d;

/**
 * Writes the `AnyValue` JSON of `value`, met `depth` levels down. Throws when reading it throws,
 * it nests deeper than `MAX_VALUE_DEPTH` or contains itself.
 */
export function writeAnyValueJson(sink: ByteSink, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      writeFragment(sink, STRING_VALUE);
      writeJsonString(sink, value);
      writeByte(sink, 0x7d);
      return;
    case 'boolean':
      writeFragment(sink, value ? TRUE : FALSE);
      return;
    case 'number':
      writeFragment(sink, Number.isInteger(value) ? INT_VALUE : DOUBLE_VALUE);
      writeJsonNumber(sink, value);
      writeByte(sink, 0x7d);
      return;
    case 'object':
      if (value === null) break;
      if (value instanceof Uint8Array) {
        writeFragment(sink, BYTES_VALUE);
        writeBase64(sink, value);
        writeByte(sink, 0x7d);
        return;
      }
      enter(sink.path, value, depth);
      if (Array.isArray(value)) {
        writeFragment(sink, ARRAY_VALUE);
        const length = value.length;
        for (let i = 0; i < length; i++) {
          if (i > 0) writeByte(sink, 0x2c);
          writeAnyValueJson(sink, value[i], depth + 1);
        }
      } else {
        writeFragment(sink, KVLIST_VALUE);
        writeKeyValues(sink, value, depth + 1);
      }
      writeFragment(sink, CLOSE_LIST);
      return;
    default:
      // undefined, symbol, function, bigint: an empty AnyValue
      break;
  }
  writeFragment(sink, EMPTY);
}
