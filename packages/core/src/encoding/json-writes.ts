import type { ByteSink } from './byte-sink.js';
import { type Fragment, fragment, putFragment, writeFragment } from './fragment.js';
import { putDigits, writeJsonNumber } from './json-number.js';
import {
  LOOPED_STRING,
  putShortJsonString,
  writeLongJsonString,
  writeText,
} from './json-string.js';

// The pieces of JSON objects written as bytes: constant names and punctuation, and properties.

/** A constant piece of JSON, to copy with {@link writeFragment}. */
export const ascii = (text: string): Fragment => fragment(Buffer.from(text, 'utf8'));

/** Copies bytes of JSON as they are (no length prefix, unlike protobuf's `writeBytes`). */
export function writeRawJson(sink: ByteSink, bytes: Uint8Array): void {
  const length = bytes.length;
  sink.ensure(length);
  const buf = sink.buf;
  if (length > 16) {
    // TypedArray#set is a memmove; below ~16 bytes the call costs more than a loop
    buf.set(bytes, sink.pos);
    sink.pos += length;
    return;
  }
  let pos = sink.pos;
  for (let i = 0; i < length; i++) buf[pos++] = bytes[i] as number;
  sink.pos = pos;
}

/** Writes one ASCII byte. */
export function writeByte(sink: ByteSink, byte: number): void {
  sink.ensure(1);
  sink.buf[sink.pos++] = byte;
}

/**
 * Writes `opening` (a key, a property name), the string `value` and `closing` (up to two
 * bytes, 0 for none): one bounds check for the three, the commonest shape of an attribute.
 */
export function writeStringBetween(
  sink: ByteSink,
  opening: Fragment,
  value: string,
  closing: number,
): void {
  const length = value.length;
  if (length > LOOPED_STRING) {
    writeFragment(sink, opening);
    writeLongJsonString(sink, value);
    writeClosing(sink, closing);
    return;
  }
  sink.ensure(opening.bytes.length + 6 * length + 4);
  let pos = putShortJsonString(sink.buf, putFragment(sink, sink.pos, opening), value);
  pos = putClosing(sink.buf, pos, closing);
  sink.pos = pos;
}

/** Writes `opening`, the integer `value` and `closing`, as {@link writeStringBetween}. */
export function writeIntegerBetween(
  sink: ByteSink,
  opening: Fragment,
  value: number,
  closing: number,
): void {
  if (!(value >= 0 && value < 0x80000000)) {
    writeFragment(sink, opening);
    writeJsonNumber(sink, value);
    writeClosing(sink, closing);
    return;
  }
  sink.ensure(opening.bytes.length + 12);
  let pos = putDigits(sink.buf, putFragment(sink, sink.pos, opening), value);
  pos = putClosing(sink.buf, pos, closing);
  sink.pos = pos;
}

/** `closing` is one or two bytes: `0x7d` is `}`, `0x7d7d` is `}}`. */
function putClosing(buf: Buffer, at: number, closing: number): number {
  let pos = at;
  if (closing > 0xff) buf[pos++] = closing >>> 8;
  if (closing !== 0) buf[pos++] = closing & 0xff;
  return pos;
}

function writeClosing(sink: ByteSink, closing: number): void {
  sink.ensure(2);
  sink.pos = putClosing(sink.buf, sink.pos, closing);
}

/**
 * Writes `name` (a pre-encoded `,"name":`) and `value` as `JSON.stringify` writes a property,
 * or nothing where it leaves the property out (undefined, a function, a symbol). Throws where it
 * throws (a BigInt).
 */
export function writeMember(sink: ByteSink, name: Fragment, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) writeIntegerBetween(sink, name, value, 0);
    else {
      writeFragment(sink, name);
      writeJsonNumber(sink, value);
    }
    return;
  }
  if (typeof value === 'string') {
    writeStringBetween(sink, name, value, 0);
    return;
  }
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined) return;
  writeFragment(sink, name);
  writeText(sink, text);
}
