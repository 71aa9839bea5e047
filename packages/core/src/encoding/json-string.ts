import type { ByteSink } from './byte-sink.js';

// JSON string literals written straight into the byte buffer, escaped exactly as
// `JSON.stringify` escapes them, so a payload parses to what OpenTelemetry's JSON serializer
// sends. (Building a string per record and encoding it costs more: V8 flattens the string,
// then encodes it.)

/**
 * Strings up to this long are escaped and encoded by one loop; longer ones are checked by a
 * regular expression and encoded natively. (Measured on a 38-character string: the same cost
 * on Node 20, a third less on Node 22, whose native write is a fast API call.)
 */
export const LOOPED_STRING = 24;

/** Characters `JSON.stringify` escapes: quote, backslash, controls, and any surrogate (lone ones). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

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
export function putShortJsonString(buf: Buffer, at: number, value: string): number {
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

/** A string longer than `LOOPED_STRING` as a JSON string literal: checked, then encoded natively. */
export function writeLongJsonString(sink: ByteSink, value: string): void {
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
