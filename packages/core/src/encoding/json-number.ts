import type { ByteSink } from './byte-sink.js';
import { type Fragment, putFragment, writeFragment } from './fragment.js';
import { writeText } from './json-string.js';

// JSON numbers, and OTLP/JSON's 64-bit timestamps (decimal strings), as `JSON.stringify` writes
// them.

/** `0`..`9` twice, for two digits at a time. */
const DIGIT_PAIRS = Buffer.from(
  Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0')).join(''),
  'latin1',
);

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
export function putDigits(buf: Buffer, at: number, value: number): number {
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
  if (tryWriteNanosMember(sink, name, time)) return;
  const seconds = time[0];
  const nanos = time[1];
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
 * {@link writeNanosMember} for the times a clock gives (whole seconds after 1970 and before
 * 2038, whole nanoseconds), digit by digit; returns false, having written nothing, for any
 * other, which each caller formats its own way.
 */
export function tryWriteNanosMember(
  sink: ByteSink,
  name: Fragment,
  time: readonly [number, number],
): boolean {
  const seconds = time[0];
  const nanos = time[1];
  if (
    !(
      seconds > 0 &&
      seconds < 0x80000000 &&
      nanos >= 0 &&
      nanos < 1e9 &&
      Number.isInteger(seconds) &&
      Number.isInteger(nanos)
    )
  ) {
    return false;
  }
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
  return true;
}
