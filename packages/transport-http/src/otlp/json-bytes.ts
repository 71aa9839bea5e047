import { type ByteSink, type Fragment, fragment, putFragment, writeFragment } from './byte-sink.js';

// OTLP/JSON text written straight into the byte buffer, each value exactly as `JSON.stringify`
// would write it, so a payload parses to what OpenTelemetry's JSON serializer sends. Building a
// string per record and encoding it costs more: V8 flattens the string, then encodes it.

/**
 * Strings up to this long are escaped and encoded by one loop; longer ones are checked by a
 * regular expression and encoded natively. (Measured on a 38-character string: the same cost
 * on Node 20, a third less on Node 22, whose native write is a fast API call.)
 */
const LOOPED_STRING = 24;

/** Characters `JSON.stringify` escapes: quote, backslash, controls, and any surrogate (lone ones). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `0`..`9` twice, for two digits at a time. */
const DIGIT_PAIRS = Buffer.from(
  Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0')).join(''),
  'latin1',
);

/** A constant piece of JSON, to copy with {@link writeFragment}. */
export const ascii = (text: string): Fragment => fragment(Buffer.from(text, 'utf8'));

export { writeFragment };

/** Copies a pre-encoded piece of JSON. */
export function writeBytes(sink: ByteSink, bytes: Uint8Array): void {
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

/** Writes text (already JSON: a number, a `JSON.stringify` result) as UTF-8. */
export function writeText(sink: ByteSink, text: string): void {
  sink.ensure(3 * text.length);
  sink.pos += sink.buf.write(text, sink.pos);
}

/** Writes `value` as a JSON string literal. */
export function writeJsonString(sink: ByteSink, value: string): void {
  const length = value.length;
  if (length > LOOPED_STRING) {
    writeLongJsonString(sink, value);
    return;
  }
  // Worst case: six bytes (\uXXXX) per UTF-16 unit.
  sink.ensure(6 * length + 2);
  sink.pos = putShortJsonString(sink.buf, sink.pos, value);
}

/**
 * A string of at most `LOOPED_STRING` units as a JSON string literal at `at`, with no bounds
 * check (it takes at most `6 * length + 2` bytes); returns the end.
 */
function putShortJsonString(buf: Buffer, at: number, value: string): number {
  const length = value.length;
  let pos = at;
  buf[pos++] = 0x22;
  let i = 0;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c >= 0x80 || c === 0x22 || c === 0x5c) break;
    buf[pos++] = c;
  }
  if (i < length) pos = putEscaped(buf, pos, value, i);
  buf[pos++] = 0x22;
  return pos;
}

function writeLongJsonString(sink: ByteSink, value: string): void {
  if (NEEDS_ESCAPE.test(value)) {
    writeText(sink, JSON.stringify(value));
    return;
  }
  sink.ensure(3 * value.length + 2);
  const buf = sink.buf;
  buf[sink.pos++] = 0x22;
  sink.pos += buf.write(value, sink.pos);
  buf[sink.pos++] = 0x22;
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

const SHORT_ESCAPES: Readonly<Record<number, number>> = {
  8: 0x62, // \b
  9: 0x74, // \t
  10: 0x6e, // \n
  12: 0x66, // \f
  13: 0x72, // \r
  34: 0x22, // \"
  92: 0x5c, // \\
};

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** The rest of `value` from `from` on, escaped as `JSON.stringify` does, and UTF-8 encoded. */
function putEscaped(buf: Buffer, at: number, value: string, from: number): number {
  let pos = at;
  const length = value.length;
  for (let i = from; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) {
      buf[pos++] = c;
    } else if (c < 0x80) {
      buf[pos++] = 0x5c;
      const short = SHORT_ESCAPES[c];
      if (short !== undefined) buf[pos++] = short;
      else pos = putUnicodeEscape(buf, pos, c);
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
        // a lone surrogate, which JSON.stringify writes as \udXXX
        buf[pos++] = 0x5c;
        pos = putUnicodeEscape(buf, pos, c);
      }
    }
  }
  return pos;
}

/** `uXXXX` (the backslash is already written), lower-case hex as `JSON.stringify` writes it. */
function putUnicodeEscape(buf: Buffer, at: number, c: number): number {
  buf[at] = 0x75;
  buf[at + 1] = HEX[(c >>> 12) & 0xf] as number;
  buf[at + 2] = HEX[(c >>> 8) & 0xf] as number;
  buf[at + 3] = HEX[(c >>> 4) & 0xf] as number;
  buf[at + 4] = HEX[c & 0xf] as number;
  return at + 5;
}

/** Writes a number as `JSON.stringify` does (`null` for NaN and the infinities). */
export function writeJsonNumber(sink: ByteSink, value: number): void {
  if (value >= 0 && value < 0x80000000 && Number.isInteger(value)) {
    sink.ensure(10);
    sink.pos = putDigits(sink.buf, sink.pos, value);
  } else {
    writeText(sink, Number.isFinite(value) ? String(value) : 'null');
  }
}

/** The decimal digits of `value`, an integer in [0, 2^31), at `at`; returns the end. */
function putDigits(buf: Buffer, at: number, value: number): number {
  // `| 0`: the SDK's numbers are often doubles to V8, and `%` on a double calls fmod
  const int = value | 0;
  let count = 1;
  for (let rest = int; rest >= 10; rest = (rest / 10) | 0) count++;
  const end = at + count;
  let pos = end;
  let rest = int;
  while (rest >= 10) {
    const pair = (rest % 100) * 2;
    rest = (rest / 100) | 0;
    buf[--pos] = DIGIT_PAIRS[pair + 1] as number;
    buf[--pos] = DIGIT_PAIRS[pair] as number;
  }
  if (pos > at) buf[--pos] = 0x30 + rest;
  return end;
}

/** Nine digits of `value`, an integer in [0, 1e9), zero-padded, at `at`. */
function putNineDigits(buf: Buffer, at: number, value: number): void {
  let rest = value | 0;
  let pos = at + 9;
  buf[--pos] = 0x30 + (rest % 10);
  rest = (rest / 10) | 0;
  for (let i = 0; i < 4; i++) {
    const pair = (rest % 100) * 2;
    rest = (rest / 100) | 0;
    buf[--pos] = DIGIT_PAIRS[pair + 1] as number;
    buf[--pos] = DIGIT_PAIRS[pair] as number;
  }
}

/** The digits of the last whole second written: timestamps of one batch share most of theirs. */
let lastSeconds = -1;
const lastSecondsDigits = Buffer.alloc(10);
let lastSecondsLength = 0;

/**
 * Writes `name` (a pre-encoded `,"name":`) and `[seconds, nanoseconds]` as OTLP/JSON writes a
 * 64-bit timestamp: a string of the nanoseconds since the epoch. Fractions are truncated; a
 * non-finite value throws.
 */
export function writeNanosMember(
  sink: ByteSink,
  name: Fragment,
  time: readonly [number, number],
): void {
  const seconds = time[0];
  const nanos = time[1];
  if (
    seconds > 0 &&
    seconds < 0x80000000 &&
    nanos >= 0 &&
    nanos < 1e9 &&
    Number.isInteger(seconds) &&
    Number.isInteger(nanos)
  ) {
    sink.ensure(name.bytes.length + 21);
    let pos = putFragment(sink, sink.pos, name);
    const buf = sink.buf;
    buf[pos++] = 0x22;
    if (seconds !== lastSeconds) {
      lastSecondsLength = putDigits(lastSecondsDigits, 0, seconds);
      lastSeconds = seconds;
    }
    for (let i = 0; i < lastSecondsLength; i++) buf[pos++] = lastSecondsDigits[i] as number;
    putNineDigits(buf, pos, nanos);
    buf[pos + 9] = 0x22;
    sink.pos = pos + 10;
    return;
  }
  writeFragment(sink, name);
  if (
    Number.isSafeInteger(seconds) &&
    seconds > 0 &&
    Number.isInteger(nanos) &&
    nanos >= 0 &&
    nanos < 1e9
  ) {
    // 1e9 + nanos has ten digits: dropping the first pads nanos to nine
    writeText(sink, `"${seconds}${String(1e9 + nanos).slice(1)}"`);
    return;
  }
  const total = BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(Math.trunc(nanos));
  writeText(sink, `"${total}"`);
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

/**
 * Writes a string property, or nothing for undefined and null. Throws on anything else, which
 * OpenTelemetry's serializer would write as is, and a collector reject with the whole request.
 */
export function writeStringMember(sink: ByteSink, name: Fragment, value: unknown): void {
  if (typeof value === 'string') {
    writeStringBetween(sink, name, value, 0);
  } else if (value !== undefined && value !== null) {
    const field = Buffer.from(name.bytes).toString('utf8', 2, name.bytes.length - 2);
    throw new TypeError(`${field} must be a string`);
  }
}

/** Standard base64 of `bytes`, as OTLP/JSON writes `bytes` fields, in quotes. */
export function writeBase64(sink: ByteSink, bytes: Uint8Array): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  sink.ensure(text.length + 2);
  const buf = sink.buf;
  buf[sink.pos++] = 0x22;
  sink.pos += buf.write(text, sink.pos, 'latin1');
  buf[sink.pos++] = 0x22;
}

const NONE = {};

/**
 * The last id written at one place as a JSON string, and its bytes (see `HexIdCache`): copied
 * instead of escaped and encoded again when the next record has the same.
 */
export class JsonIdCache {
  #id: unknown = NONE;
  readonly #bytes = Buffer.alloc(34);
  #length = 0;

  /** Writes `id` as a JSON string. */
  write(sink: ByteSink, id: string): void {
    const length = this.#length;
    if (id === this.#id) {
      sink.ensure(length);
      const buf = sink.buf;
      const bytes = this.#bytes;
      let pos = sink.pos;
      for (let i = 0; i < length; i++) buf[pos++] = bytes[i] as number;
      sink.pos = pos;
      return;
    }
    const at = sink.pos;
    writeJsonString(sink, id);
    const written = sink.pos - at;
    if (written <= 34) {
      const buf = sink.buf;
      for (let i = 0; i < written; i++) this.#bytes[i] = buf[at + i] as number;
      this.#length = written;
      this.#id = id;
    }
  }
}

/** Trace ids of log records and spans. */
export const JSON_TRACE_IDS: JsonIdCache = new JsonIdCache();
/** Span ids of log records. */
export const JSON_LOG_SPAN_IDS: JsonIdCache = new JsonIdCache();
/** Parent span ids of spans. */
export const JSON_PARENT_SPAN_IDS: JsonIdCache = new JsonIdCache();
