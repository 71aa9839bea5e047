import { describe, expect, it } from 'vitest';
import {
  PermanentError,
  RETRY_DEFAULTS,
  RetryableError,
  type RetryOptions,
  resolveRetryOptions,
  retryDelayMillis,
} from '../../src/index.js';

const justUnderOne = (): number => 0.999999;
const zero = (): number => 0;

describe('resolveRetryOptions', () => {
  it('applies the documented defaults', () => {
    const expected = {
      maxAttempts: 5,
      initialDelayMillis: 1000,
      maxDelayMillis: 30_000,
      multiplier: 2,
    };
    expect(RETRY_DEFAULTS).toEqual(expected);
    expect(resolveRetryOptions()).toEqual(expected);
    expect(resolveRetryOptions({})).toEqual(expected);
    expect(Object.isFrozen(resolveRetryOptions())).toBe(true);
  });

  it('keeps defaults for options left undefined and takes the others', () => {
    expect(
      resolveRetryOptions({ maxAttempts: 3, initialDelayMillis: undefined, multiplier: 1.5 }),
    ).toEqual({
      maxAttempts: 3,
      initialDelayMillis: 1000,
      maxDelayMillis: 30_000,
      multiplier: 1.5,
    });
  });

  it('turns false into a single attempt with the other defaults', () => {
    expect(resolveRetryOptions(false)).toEqual({ ...RETRY_DEFAULTS, maxAttempts: 1 });
  });

  it('accepts the boundary values', () => {
    expect(
      resolveRetryOptions({
        maxAttempts: 1,
        initialDelayMillis: 0,
        maxDelayMillis: 0,
        multiplier: 1,
      }),
    ).toEqual({ maxAttempts: 1, initialDelayMillis: 0, maxDelayMillis: 0, multiplier: 1 });
  });

  it.each<[string, RetryOptions, string, string]>([
    ['maxAttempts 0', { maxAttempts: 0 }, 'retry.maxAttempts', 'got 0'],
    ['maxAttempts -1', { maxAttempts: -1 }, 'retry.maxAttempts', 'got -1'],
    ['maxAttempts 1.5', { maxAttempts: 1.5 }, 'retry.maxAttempts', 'got 1.5'],
    ['maxAttempts NaN', { maxAttempts: Number.NaN }, 'retry.maxAttempts', 'got NaN'],
    ['maxAttempts "3"', { maxAttempts: '3' as never }, 'retry.maxAttempts', "got '3'"],
    ['initialDelayMillis -1', { initialDelayMillis: -1 }, 'retry.initialDelayMillis', 'got -1'],
    ['maxDelayMillis -1', { maxDelayMillis: -1 }, 'retry.maxDelayMillis', 'got -1'],
    ['multiplier 0.5', { multiplier: 0.5 }, 'retry.multiplier', 'got 0.5'],
    [
      'multiplier Infinity',
      { multiplier: Number.POSITIVE_INFINITY },
      'retry.multiplier',
      'got Infinity',
    ],
  ])('rejects %s with a TypeError naming the option', (_label, options, name, echo) => {
    let thrown: unknown;
    try {
      resolveRetryOptions(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    expect(message.startsWith(`${name} `)).toBe(true);
    expect(message.endsWith(echo)).toBe(true);
  });

  // A maxDelayMillis below initialDelayMillis is clamped with a warning, not refused: see
  // hostile-config.test.ts ('inconsistent combinations').

  it.each([null, true, 5, []])(
    'rejects retry: %s, which is neither false nor an object',
    (value) => {
      expect(() => resolveRetryOptions(value as never)).toThrow(TypeError);
      expect(() => resolveRetryOptions(value as never)).toThrow(
        /^retry must be false or an object/,
      );
    },
  );
});

describe('retryDelayMillis', () => {
  const options = resolveRetryOptions();

  it('draws from [0, ceiling): random 0 waits 0, random just under 1 waits just under the ceiling', () => {
    const error = new Error('boom');
    expect(retryDelayMillis(1, error, options, zero)).toBe(0);
    expect(retryDelayMillis(1, error, options, justUnderOne)).toBe(999);
    expect(retryDelayMillis(3, error, options, zero)).toBe(0);
    expect(retryDelayMillis(3, error, options, justUnderOne)).toBe(3999);
  });

  it('scales the jitter linearly inside the ceiling', () => {
    expect(retryDelayMillis(2, new Error('boom'), options, () => 0.5)).toBe(1000);
    expect(retryDelayMillis(2, new Error('boom'), options, () => 0.25)).toBe(500);
  });

  it('grows the ceiling exponentially and caps it at maxDelayMillis', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map(
      (attempt) => retryDelayMillis(attempt, new Error('boom'), options, justUnderOne) + 1,
    );
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('follows a custom multiplier and cap', () => {
    const custom = resolveRetryOptions({
      initialDelayMillis: 100,
      maxDelayMillis: 1000,
      multiplier: 3,
    });
    const ceilings = [1, 2, 3, 4].map(
      (attempt) => retryDelayMillis(attempt, new Error('boom'), custom, justUnderOne) + 1,
    );
    expect(ceilings).toEqual([100, 300, 900, 1000]);
  });

  it('never waits less than a RetryableError asks for', () => {
    const error = new RetryableError('busy', { retryAfterMillis: 5000 });
    expect(retryDelayMillis(1, error, options, zero)).toBe(5000);
    expect(retryDelayMillis(1, error, options, justUnderOne)).toBe(5000);
  });

  it('honours a Retry-After longer than maxDelayMillis', () => {
    const error = new RetryableError('busy', { retryAfterMillis: 120_000 });
    expect(retryDelayMillis(10, error, options, justUnderOne)).toBe(120_000);
  });

  it('keeps the jittered delay when it is longer than Retry-After', () => {
    const error = new RetryableError('busy', { retryAfterMillis: 100 });
    expect(retryDelayMillis(3, error, options, justUnderOne)).toBe(3999);
    expect(retryDelayMillis(3, error, options, zero)).toBe(100);
  });

  it('sets no floor for a plain Error, a PermanentError or a RetryableError without Retry-After', () => {
    expect(retryDelayMillis(1, new Error('boom'), options, zero)).toBe(0);
    expect(retryDelayMillis(1, new PermanentError('no'), options, zero)).toBe(0);
    expect(retryDelayMillis(1, new RetryableError('busy'), options, zero)).toBe(0);
    expect(retryDelayMillis(1, 'a string', options, zero)).toBe(0);
  });

  it('recognises Retry-After on a RetryableError from another copy of the package', () => {
    const foreign = Object.assign(new Error('busy'), {
      code: 'TR_RETRYABLE',
      retryAfterMillis: 2500,
    });
    expect(retryDelayMillis(1, foreign, options, zero)).toBe(2500);
  });

  it('ignores an invalid retryAfterMillis', () => {
    for (const retryAfterMillis of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = new RetryableError('busy', { retryAfterMillis });
      expect(error.retryAfterMillis).toBeUndefined();
      expect(retryDelayMillis(1, error, options, zero)).toBe(0);
    }
  });

  it('caps the ceiling however many attempts were made', () => {
    expect(retryDelayMillis(1100, new Error('boom'), options, justUnderOne)).toBe(29_999);
  });

  // initialDelayMillis 0 times multiplier^(attempt-1), which overflows to Infinity from attempt
  // 1025 on, is 0 * Infinity = NaN: the delay becomes NaN instead of 0.
  it('keeps a zero initial delay at zero after more than 1024 attempts', () => {
    const immediate = resolveRetryOptions({ maxAttempts: 5000, initialDelayMillis: 0 });
    expect(retryDelayMillis(1024, new Error('boom'), immediate, justUnderOne)).toBe(0);
    expect(retryDelayMillis(1025, new Error('boom'), immediate, justUnderOne)).toBe(0);
  });

  // Same overflow: Math.max(retryAfterMillis, NaN) is NaN, so Retry-After is lost.
  it('honours Retry-After with a zero initial delay after more than 1024 attempts', () => {
    const immediate = resolveRetryOptions({ maxAttempts: 5000, initialDelayMillis: 0 });
    const error = new RetryableError('busy', { retryAfterMillis: 500 });
    expect(retryDelayMillis(1025, error, immediate, zero)).toBe(500);
  });
});
