import type { ByteSink } from '@telemetry-reporter/core/internal';

// The protobuf wire format's primitives, written into a ByteSink.

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
function writeVarint32(sink: ByteSink, value: number): void {
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
  widenLength(sink, at, 1, length);
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
  widenLength(sink, at, 2, length);
}

/**
 * Writes `length` as a varint at `at`, where `reserved` bytes were left for it and it needs more:
 * what was written after them moves up to make room.
 */
function widenLength(sink: ByteSink, at: number, reserved: number, length: number): void {
  const extra = varintSize(length) - reserved;
  sink.ensure(extra);
  const buf = sink.buf;
  buf.copyWithin(at + reserved + extra, at + reserved, sink.pos);
  putVarint32(buf, at, length);
  sink.pos += extra;
}

/** Writes the tag byte `tag` and a varint of `value` (see {@link writeVarint}). */
export function writeVarintField(sink: ByteSink, tag: number, value: unknown): void {
  sink.ensure(1);
  sink.buf[sink.pos++] = tag;
  writeVarint(sink, value);
}
