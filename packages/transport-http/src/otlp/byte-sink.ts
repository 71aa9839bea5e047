// The byte buffer the protobuf writers fill, and the wire-format primitives they need. Kept
// outside any class method dispatch: the writers call these functions millions of times a
// second, and V8 inlines small module functions more reliably than polymorphic methods.

/** Where a growable buffer starts; one 512-record batch of small log records fits. */
const INITIAL_BYTES = 128 * 1024;

/**
 * A buffer kept past this after a batch (a 10 MiB body grew it) is given back, so one huge
 * record does not pin its memory for the life of the process.
 */
const RETAINED_BYTES = 8 * 1024 * 1024;

/**
 * A growable byte buffer written front to back. `buf` and `pos` are public because the
 * writers read and write them directly; everything else goes through the functions below.
 */
export class ByteSink {
  /** The storage; replaced (and the old one copied) when it grows. */
  buf: Buffer;
  /** The next position to write. */
  pos = 0;
  /** A view of `buf`, for doubles and 8-byte copies; replaced with it. */
  view: DataView;
  /** The arrays and objects enclosing the value being written, outermost first (for cycles). */
  readonly path: unknown[] = [];

  constructor(initialBytes: number = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Makes room for `extra` more bytes after `pos`. */
  ensure(extra: number): void {
    if (this.pos + extra > this.buf.length) this.#grow(this.pos + extra);
  }

  /** Forgets what was written; gives back a buffer that grew past {@link RETAINED_BYTES}. */
  reset(): void {
    this.pos = 0;
    this.path.length = 0;
    if (this.buf.length > RETAINED_BYTES) this.#replace(Buffer.allocUnsafeSlow(INITIAL_BYTES));
  }

  #grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.#replace(next);
  }

  #replace(next: Buffer): void {
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }
}

/** How many bytes the varint of `value` (an integer in [0, 2^32)) takes. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Writes `value`, an integer in [0, 2^32), as a varint, with no bounds check. */
export function putVarint32(buf: Uint8Array, at: number, value: number): number {
  let pos = at;
  let v = value >>> 0;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Writes a varint of an integer in [0, 2^32). */
export function writeVarint32(sink: ByteSink, value: number): void {
  sink.ensure(5);
  sink.pos = putVarint32(sink.buf, sink.pos, value);
}

/**
 * Writes any number as a protobuf varint the way OpenTelemetry's serializer does: integers in
 * [0, 2^32) directly, others as 64-bit two's complement (negative ones take ten bytes), the
 * fraction dropped; `NaN` and non-numbers as 0.
 */
export function writeVarint(sink: ByteSink, value: unknown): void {
  const v = typeof value === 'number' ? value : Number.NaN;
  if (v >= 0 && v <= 0xffffffff) {
    writeVarint32(sink, v);
    return;
  }
  let low: number;
  let high: number;
  if (v >= 0) {
    low = v >>> 0;
    high = (v / 0x100000000) >>> 0;
  } else if (v < 0) {
    const abs = -v;
    low = ~(abs >>> 0) >>> 0;
    high = ~((abs / 0x100000000) >>> 0) >>> 0;
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
  } else {
    writeVarint32(sink, 0);
    return;
  }
  sink.ensure(10);
  const buf = sink.buf;
  let pos = sink.pos;
  while (high > 0 || low > 0x7f) {
    buf[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  buf[pos++] = low;
  sink.pos = pos;
}

/** Writes a little-endian fixed32 of `value >>> 0`. */
export function writeFixed32(sink: ByteSink, value: number): void {
  sink.ensure(4);
  const buf = sink.buf;
  const pos = sink.pos;
  const v = value >>> 0;
  buf[pos] = v & 0xff;
  buf[pos + 1] = (v >>> 8) & 0xff;
  buf[pos + 2] = (v >>> 16) & 0xff;
  buf[pos + 3] = v >>> 24;
  sink.pos = pos + 4;
}

/** Writes a little-endian fixed64 from its two 32-bit halves. */
export function writeFixed64(sink: ByteSink, low: number, high: number): void {
  sink.ensure(8);
  const buf = sink.buf;
  const pos = sink.pos;
  buf[pos] = low & 0xff;
  buf[pos + 1] = (low >>> 8) & 0xff;
  buf[pos + 2] = (low >>> 16) & 0xff;
  buf[pos + 3] = low >>> 24;
  buf[pos + 4] = high & 0xff;
  buf[pos + 5] = (high >>> 8) & 0xff;
  buf[pos + 6] = (high >>> 16) & 0xff;
  buf[pos + 7] = high >>> 24;
  sink.pos = pos + 8;
}

/** Writes an IEEE 754 double, little-endian. */
export function writeDouble(sink: ByteSink, value: number): void {
  sink.ensure(8);
  sink.view.setFloat64(sink.pos, value, true);
  sink.pos += 8;
}

/** Writes `bytes` with their length prefix. */
export function writeBytes(sink: ByteSink, bytes: Uint8Array): void {
  const length = bytes.length;
  sink.ensure(5 + length);
  const buf = sink.buf;
  let pos = putVarint32(buf, sink.pos, length);
  if (length <= 32) {
    for (let i = 0; i < length; i++) buf[pos++] = bytes[i] as number;
  } else {
    buf.set(bytes, pos);
    pos += length;
  }
  sink.pos = pos;
}

/**
 * Starts a length-delimited field: reserves one byte for its length, the common case for
 * attributes and values. {@link endLength} writes the length, moving the content when it needs
 * more bytes; measured, this beats a separate size pass, which walks every value twice.
 */
export function beginLength(sink: ByteSink): number {
  sink.ensure(1);
  return sink.pos++;
}

/** Ends the field {@link beginLength} started at `at`. */
export function endLength(sink: ByteSink, at: number): void {
  const length = sink.pos - at - 1;
  if (length < 0x80) {
    sink.buf[at] = length;
    return;
  }
  const extra = varintSize(length) - 1;
  sink.ensure(extra);
  const buf = sink.buf;
  buf.copyWithin(at + 1 + extra, at + 1, sink.pos);
  putVarint32(buf, at, length);
  sink.pos += extra;
}

/** Like {@link beginLength} with two bytes reserved: for whole records, mostly 128 B to 16 KiB. */
export function beginLength2(sink: ByteSink): number {
  sink.ensure(2);
  const at = sink.pos;
  sink.pos += 2;
  return at;
}

/** Ends the field {@link beginLength2} started at `at`. */
export function endLength2(sink: ByteSink, at: number): void {
  const length = sink.pos - at - 2;
  const buf = sink.buf;
  if (length >= 0x80 && length < 0x4000) {
    buf[at] = (length & 0x7f) | 0x80;
    buf[at + 1] = length >>> 7;
    return;
  }
  if (length < 0x80) {
    buf.copyWithin(at + 1, at + 2, sink.pos);
    buf[at] = length;
    sink.pos -= 1;
    return;
  }
  const extra = varintSize(length) - 2;
  sink.ensure(extra);
  const grown = sink.buf;
  grown.copyWithin(at + 2 + extra, at + 2, sink.pos);
  putVarint32(grown, at, length);
  sink.pos += extra;
}

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
  let pos = at + 1;
  let i = 0;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) break;
    buf[pos++] = c;
  }
  if (i < length) pos = putUtf8(buf, pos, value, i);
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

/** UTF-8 of `value` from index `from` on, written at `at` with no bounds check; returns the end. */
export function putUtf8(buf: Buffer, at: number, value: string, from: number): number {
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

/** Copies `bytes` (a cached, pre-encoded fragment) to the sink. */
export function writeRaw(sink: ByteSink, bytes: Uint8Array): void {
  const length = bytes.length;
  sink.ensure(length);
  const buf = sink.buf;
  let pos = sink.pos;
  if (length <= 32) {
    for (let i = 0; i < length; i++) buf[pos++] = bytes[i] as number;
  } else {
    buf.set(bytes, pos);
    pos += length;
  }
  sink.pos = pos;
}

/** Writes the tag byte `tag` and the string `value`; throws if `value` is not a string. */
export function writeStringField(sink: ByteSink, tag: number, value: unknown, name: string): void {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  sink.ensure(1);
  sink.buf[sink.pos++] = tag;
  writeString(sink, value);
}

/** Writes the tag byte `tag` and a varint of `value` (see {@link writeVarint}). */
export function writeVarintField(sink: ByteSink, tag: number, value: unknown): void {
  sink.ensure(1);
  sink.buf[sink.pos++] = tag;
  writeVarint(sink, value);
}

/**
 * A constant piece of output (JSON punctuation and names, an encoded attribute key) with its
 * bytes also as 8-byte words: copied with one `setFloat64` per 8 bytes, it costs half a
 * `TypedArray#set` call and a third of a byte loop (measured on Node 20 and 22).
 */
export interface Fragment {
  readonly bytes: Uint8Array;
  /**
   * The words at 0, 8, 16... and, last, the word ending at the end (overlapping the one before
   * it); undefined when shorter than 8 bytes, or when a word would be a NaN, whose bits a JS
   * engine may change.
   */
  readonly words: Float64Array | undefined;
}

/** The {@link Fragment} of `bytes`. */
export function fragment(bytes: Uint8Array): Fragment {
  const length = bytes.length;
  if (length < 8) return { bytes, words: undefined };
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const full = length >>> 3;
  const words = new Float64Array(full + 1);
  for (let i = 0; i < full; i++) words[i] = view.getFloat64(8 * i, true);
  words[full] = view.getFloat64(length - 8, true);
  return { bytes, words: words.some(Number.isNaN) ? undefined : words };
}

/** Copies a {@link Fragment}. */
export function writeFragment(sink: ByteSink, piece: Fragment): void {
  sink.ensure(piece.bytes.length);
  sink.pos = putFragment(sink, sink.pos, piece);
}

/** Copies a {@link Fragment} to `at` with no bounds check; returns the end. */
export function putFragment(sink: ByteSink, at: number, piece: Fragment): number {
  const bytes = piece.bytes;
  const length = bytes.length;
  const words = piece.words;
  if (words === undefined) {
    const buf = sink.buf;
    for (let i = 0; i < length; i++) buf[at + i] = bytes[i] as number;
  } else {
    const view = sink.view;
    const last = words.length - 1;
    for (let i = 0; i < last; i++) view.setFloat64(at + 8 * i, words[i] as number, true);
    view.setFloat64(at + length - 8, words[last] as number, true);
  }
  return at + length;
}
