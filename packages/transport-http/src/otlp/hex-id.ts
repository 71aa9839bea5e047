import type { ByteSink } from '@telemetry-reporter/core/internal';
import { describeValue } from '@telemetry-reporter/core/internal';
import { LastIdCache } from './last-id-cache.js';
import { putVarint32 } from './protobuf-wire.js';

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
    const high = id.charCodeAt(2 * i);
    const low = id.charCodeAt(2 * i + 1);
    buf[pos++] =
      (high | low) < 128
        ? ((NIBBLES[high] as number) << 4) | (NIBBLES[low] as number)
        : ((nibble(high) << 4) | nibble(low)) & 0xff;
  }
  sink.pos = pos;
}

/** A 16-byte trace id as protobuf `bytes`: its length byte and the id. */
const MAX_ID_BYTES = 17;

/** Trace ids of log records and spans. */
export const TRACE_IDS: LastIdCache<unknown> = new LastIdCache(writeHexId, MAX_ID_BYTES);
/** Span ids of log records (all the records logged inside one span). */
export const LOG_SPAN_IDS: LastIdCache<unknown> = new LastIdCache(writeHexId, MAX_ID_BYTES);
/** Parent span ids of spans (siblings). */
export const PARENT_SPAN_IDS: LastIdCache<unknown> = new LastIdCache(writeHexId, MAX_ID_BYTES);
