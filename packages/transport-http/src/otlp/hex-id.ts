import { describeValue } from '@telemetry-reporter/core/internal';
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
    const high = id.charCodeAt(2 * i);
    const low = id.charCodeAt(2 * i + 1);
    buf[pos++] =
      (high | low) < 128
        ? ((NIBBLES[high] as number) << 4) | (NIBBLES[low] as number)
        : ((nibble(high) << 4) | nibble(low)) & 0xff;
  }
  sink.pos = pos;
}

const NONE = {};

/**
 * The last id written at one place (a log record's trace id, a span's parent...), and its bytes:
 * records of one trace, or of one span, often come together, and the id is then copied instead
 * of converted again. One per place, since ids of different places alternate.
 */
export class HexIdCache {
  #id: unknown = NONE;
  readonly #bytes = new Uint8Array(17);
  #length = 0;

  /** {@link writeHexId}, from the cache when `id` is the one written last. */
  write(sink: ByteSink, id: unknown): void {
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
    writeHexId(sink, id);
    const written = sink.pos - at;
    if (written <= 17) {
      const buf = sink.buf;
      for (let i = 0; i < written; i++) this.#bytes[i] = buf[at + i] as number;
      this.#length = written;
      this.#id = id;
    }
  }
}

/** Trace ids of log records and spans. */
export const TRACE_IDS: HexIdCache = new HexIdCache();
/** Span ids of log records (all the records logged inside one span). */
export const LOG_SPAN_IDS: HexIdCache = new HexIdCache();
/** Parent span ids of spans (siblings). */
export const PARENT_SPAN_IDS: HexIdCache = new HexIdCache();
