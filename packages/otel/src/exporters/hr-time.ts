import type { HrTimeLike } from '../sdk/sdk-types.js';

/** `[seconds, nanos]` as a decimal string of nanoseconds since the epoch, without BigInt. */
export function hrTimeToUnixNanos(time: HrTimeLike): string {
  const [seconds, nanos] = time;
  if (seconds === 0) return String(nanos);
  return `${seconds}${String(nanos).padStart(9, '0')}`;
}

/** `[seconds, nanos]` as an ISO 8601 string with millisecond precision. */
export function hrTimeToIso(time: HrTimeLike): string {
  return new Date(time[0] * 1000 + Math.floor(time[1] / 1e6)).toISOString();
}
