import { ByteSink } from '@telemetry-reporter/core/internal';
import { putVarint32, varintSize } from './protobuf-wire.js';

// Protobuf `string` fields: length prefix, then UTF-8.

/**
 * Strings up to this many UTF-16 units are encoded by the loop below, longer ones natively:
 * the call costs about as much as a loop over this many characters (Node 20; less on 22).
 */
export const SHORT_STRING = 24;

/** Longer strings have their UTF-8 length measured first, not guessed (see below). */
const MEASURED_STRING = 64 * 1024;

/**
 * Writes a string as protobuf `string`: length prefix, then UTF-8, each lone surrogate as
 * U+FFFD (what `TextEncoder` and `Buffer#write` write, so the bytes stay valid UTF-8).
 */
export function writeString(sink: ByteSink, value: string): void {
  const length = value.length;
  if (length > SHORT_STRING) {
    writeLongString(sink, value);
    return;
  }
  // At most 3 bytes per UTF-16 unit: 72 bytes, one byte of length.
  sink.ensure(1 + 3 * length);
  const buf = sink.buf;
  const at = sink.pos;
  const pos = putString(buf, at + 1, value);
  buf[at] = pos - at - 1;
  sink.pos = pos;
}

/**
 * The length prefix is sized for ASCII (one byte per unit) and the string encoded natively
 * after it; when the guess was short (multi-byte characters), the bytes move up. Very long
 * strings are measured first instead, so the buffer need not grow to three times their size.
 */
function writeLongString(sink: ByteSink, value: string): void {
  const length = value.length;
  if (length > MEASURED_STRING) {
    const bytes = Buffer.byteLength(value, 'utf8');
    sink.ensure(5 + bytes);
    const at = putVarint32(sink.buf, sink.pos, bytes);
    sink.pos = at + sink.buf.write(value, at, bytes, 'utf8');
    return;
  }
  const guess = varintSize(length);
  sink.ensure(5 + 3 * length);
  const buf = sink.buf;
  const at = sink.pos;
  const bytes = buf.write(value, at + guess);
  const prefix = varintSize(bytes);
  if (prefix !== guess) buf.copyWithin(at + prefix, at + guess, at + guess + bytes);
  putVarint32(buf, at, bytes);
  sink.pos = at + prefix + bytes;
}

/**
 * UTF-8 of `value` at `at` with no bounds check (it takes at most `3 * value.length` bytes): an
 * ASCII run is copied a byte a unit, the rest goes through {@link putUtf8}. Returns the end.
 */
export function putString(buf: Buffer, at: number, value: string): number {
  const length = value.length;
  let pos = at;
  let i = 0;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) break;
    buf[pos++] = c;
  }
  return i < length ? putUtf8(buf, pos, value, i) : pos;
}

/** UTF-8 of `value` from index `from` on, written at `at` with no bounds check; returns the end. */
function putUtf8(buf: Buffer, at: number, value: string, from: number): number {
  let pos = at;
  const length = value.length;
  for (let i = from; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >>> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[pos++] = 0xe0 | (c >>> 12);
      buf[pos++] = 0x80 | ((c >>> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      const next = c < 0xdc00 && i + 1 < length ? value.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        buf[pos++] = 0xf0 | (point >>> 18);
        buf[pos++] = 0x80 | ((point >>> 12) & 0x3f);
        buf[pos++] = 0x80 | ((point >>> 6) & 0x3f);
        buf[pos++] = 0x80 | (point & 0x3f);
        i++;
      } else {
        // a lone surrogate: U+FFFD
        buf[pos++] = 0xef;
        buf[pos++] = 0xbf;
        buf[pos++] = 0xbd;
      }
    }
  }
  return pos;
}

/** The UTF-8 bytes of a string, length-prefixed, as a standalone array (for caches). */
export function stringField(tag: number, value: string): Uint8Array {
  const sink = new ByteSink(16 + 3 * value.length);
  sink.buf[sink.pos++] = tag;
  writeString(sink, value);
  return sink.buf.subarray(0, sink.pos);
}

/** Writes the tag byte `tag` and the string `value`; throws if `value` is not a string. */
export function writeStringField(sink: ByteSink, tag: number, value: unknown, name: string): void {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  sink.ensure(1);
  sink.buf[sink.pos++] = tag;
  writeString(sink, value);
}
