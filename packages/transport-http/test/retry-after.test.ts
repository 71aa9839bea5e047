import { afterEach, describe, expect, it } from 'vitest';
import { parseRetryAfterMillis } from '../src/index.js';

const now = Date.parse('2026-01-15T12:00:00Z');

const DATES: readonly [value: string, expected: number][] = [
  ['Thu, 15 Jan 2026 12:00:30 GMT', 30_000],
  ['thu, 15 jan 2026 12:00:30 gmt', 30_000], // names are case-insensitive
  ['Thursday, 15-Jan-26 12:00:30 GMT', 30_000], // RFC 850, obsolete but allowed
  ['Thu Jan 15 12:00:30 2026', 30_000], // asctime: no zone, and GMT all the same
  ['Thu Jan  5 12:00:00 2026', 0], // asctime pads a one-digit day with a space; in the past
  ['Thu, 15 Jan 2026 12:00:30', 30_000], // a sender that left out GMT: still GMT
  ['Thu, 15 Jan 2026 11:59:00 GMT', 0], // in the past
  ['Fri, 16 Jan 2026 12:00:00 GMT', 86_400_000],
];

describe('parseRetryAfterMillis', () => {
  it.each([['0', 0], ['2', 2000], [' 120 ', 120_000], ...DATES])(
    '%j -> %i ms',
    (value, expected) => {
      expect(parseRetryAfterMillis(value, now)).toBe(expected);
    },
  );

  it.each([
    [null],
    [undefined],
    [''],
    ['soon'],
    ['-5'],
    ['1.5'],
    ['2e3'],
    ['99999999999999999999'],
    ['Thu, 31 Feb 2026 12:00:00 GMT'], // no such day
    ['Thu, 15 Foo 2026 12:00:00 GMT'],
    ['Thu, 15 Jan 2026 24:00:00 GMT'],
    ['Thu Jan 15 12:00:30'], // asctime without its year
    ['2026-01-15T12:00:30Z'], // not an HTTP date
  ])('ignores %j', (value) => {
    expect(parseRetryAfterMillis(value, now)).toBeUndefined();
  });

  it('reads a two-digit RFC 850 year as at most 50 years ahead, else the century before', () => {
    // now is 2026: 76 is 2076 (50 years ahead), 77 would be 2077 and so is 1977, in the past
    expect(parseRetryAfterMillis('Sunday, 15-Jan-76 12:00:00 GMT', now)).toBe(
      Date.UTC(2076, 0, 15, 12) - now,
    );
    expect(parseRetryAfterMillis('Saturday, 15-Jan-77 12:00:00 GMT', now)).toBe(0);
  });
});

// Date.parse reads a date without a zone as local time: the parser must not. Node applies a TZ
// assigned at run time in a process's main thread (vitest's default 'forks' pool); each case
// first checks that the switch took effect, so the test cannot pass vacuously on a UTC machine.
describe('parseRetryAfterMillis in a process whose time zone is not UTC', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it.each([
    ['America/New_York', 300],
    ['Asia/Kolkata', -330],
    ['Pacific/Kiritimati', -840],
  ])('under TZ=%s, reads every date form as GMT', (zone, offsetMinutes) => {
    process.env.TZ = zone;
    expect(new Date(now).getTimezoneOffset()).toBe(offsetMinutes);
    for (const [value, expected] of DATES) {
      expect(parseRetryAfterMillis(value, now), value).toBe(expected);
    }
  });
});
