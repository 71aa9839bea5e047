import type { ByteSink } from '@telemetry-reporter/core/internal';
import type { OtlpHrTime } from './types.js';

/** Seconds up to here take the exact double arithmetic below; later ones (year 2514+), BigInt. */
const FAST_SECONDS = 2 ** 34;
const TWO_32 = 0x100000000;

/**
 * Writes `[seconds, nanoseconds]` as the fixed64 nanoseconds since the epoch. `seconds * 1e9`
 * passes 2^53, so 1e9 is split as `15258 * 2^16 + 51712` and the halves are added with carries;
 * no BigInt on the common path. Fractions are truncated; a value past 2^64 wraps, and a
 * non-finite one throws.
 */
export function writeHrTime(sink: ByteSink, time: OtlpHrTime): void {
  sink.ensure(8);
  sink.pos = putHrTime(sink.buf, sink.pos, time);
}

/** {@link writeHrTime} with no bounds check: 8 bytes at `at`; returns the end. */
export function putHrTime(buf: Buffer, at: number, time: OtlpHrTime): number {
  const seconds = time[0];
  const nanos = time[1];
  if (
    seconds >= 0 &&
    seconds < FAST_SECONDS &&
    nanos >= 0 &&
    nanos < TWO_32 &&
    Number.isInteger(seconds) &&
    Number.isInteger(nanos)
  ) {
    // Exact: a < 2^49, b < 2^51. Floating-point `%` would call fmod; floor and subtract do not.
    const a = seconds * 15258; // times 2^16 below
    const aHigh = Math.floor(a / 0x10000);
    const b = seconds * 51712 + nanos;
    const bHigh = Math.floor(b / TWO_32);
    const lowSum = (a - aHigh * 0x10000) * 0x10000 + (b - bHigh * TWO_32);
    const high = (aHigh + bHigh + (lowSum >= TWO_32 ? 1 : 0)) >>> 0;
    return putFixed64(buf, at, lowSum >>> 0, high);
  }
  const total = BigInt.asUintN(64, toNanos(seconds, nanos));
  return putFixed64(buf, at, Number(total & 0xffffffffn), Number(total >> 32n));
}

function putFixed64(buf: Buffer, at: number, low: number, high: number): number {
  buf[at] = low & 0xff;
  buf[at + 1] = (low >>> 8) & 0xff;
  buf[at + 2] = (low >>> 16) & 0xff;
  buf[at + 3] = low >>> 24;
  buf[at + 4] = high & 0xff;
  buf[at + 5] = (high >>> 8) & 0xff;
  buf[at + 6] = (high >>> 16) & 0xff;
  buf[at + 7] = high >>> 24;
  return at + 8;
}

function toNanos(seconds: number, nanos: number): bigint {
  return BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(Math.trunc(nanos));
}
