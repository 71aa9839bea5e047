import { describeValue } from '@telemetry-reporter/core';
import { type ByteSink, putVarint32 } from './byte-sink.js';

/**
 * The value of each ASCII hex digit. Other characters get what OpenTelemetry's own conversion
 * gives them (`code - 55`), so a malformed id encodes to the same bytes as there.
 */
const NIBBLES: Int16Array = (() => {
  const table = new Int16Array(128);
  for (let code = 0; code < 128; code++) {
    if (code >= 48 && code <= 57) table[code] = code - 48;
    else if (code >= 97 && code <= 102) table[code] = code - 87;
    else table[code] = code - 55;
  }
  return table;
})();

const nibble = (code: number): number => (code < 128 ? (NIBBLES[code] as number) : code - 55);

/**
 * Writes a hex trace or span id as protobuf `bytes` (length prefix, then one byte per two
 * digits; an odd last digit is ignored). Throws on an id that is not a string.
 */
export function writeHexId(sink: ByteSink, id: unknown): void {
  if (typeof id !== 'string') {
    throw new TypeError(`a trace or span id must be a hex string, got ${describeValue(id)}`);
  }
  const count = id.length >>> 1;
  sink.ensure(5 + count);
  const buf = sink.buf;
  let pos = putVarint32(buf, sink.pos, count);
  for (let i = 0; i < count; i++) {
    const high = nibble(id.charCodeAt(2 * i));
    const low = nibble(id.charCodeAt(2 * i + 1));
    buf[pos++] = ((high << 4) | low) & 0xff;
  }
  sink.pos = pos;
}

/** The last trace id written, and its bytes: records of one trace often come together. */
const NONE = {};
let lastTraceId: unknown = NONE;
const lastTraceBytes = new Uint8Array(16);

/**
 * {@link writeHexId} for trace ids: when the id is the last one written (by any writer), its
 * bytes are copied from a cache instead of converted again.
 */
export function writeTraceId(sink: ByteSink, id: unknown): void {
  if (id !== lastTraceId) {
    writeHexId(sink, id);
    if ((id as string).length === 32) {
      lastTraceId = id;
      const buf = sink.buf;
      const from = sink.pos - 16;
      for (let i = 0; i < 16; i++) lastTraceBytes[i] = buf[from + i] as number;
    }
    return;
  }
  sink.ensure(17);
  const buf = sink.buf;
  let pos = sink.pos;
  buf[pos++] = 16;
  for (let i = 0; i < 16; i++) buf[pos++] = lastTraceBytes[i] as number;
  sink.pos = pos;
}
