import { type DiagnosticLogger, silentLogger } from '../support/diagnostic-logger.js';
import { describeValue, integerOption, millisOption } from '../support/option-checks.js';
import { isRetryableError } from './error-classification.js';

/** How a failed send is retried: exponential backoff with full jitter, honouring Retry-After. */
export interface RetryOptions {
  /**
   * Attempts per batch, the first included. An integer >= 1; 1 disables retries.
   * @default 5
   */
  maxAttempts?: number;
  /**
   * Upper bound of the wait before the first retry, in milliseconds. An integer between 0 and
   * 2147483647; one above `maxDelayMillis` is clamped to it, with a warning.
   * @default 1000
   */
  initialDelayMillis?: number;
  /**
   * Upper bound of any computed wait, in milliseconds. A `Retry-After` longer than this is still
   * honoured, unless the retry would start after the export deadline: then the batch is dropped
   * as `retries_exhausted` at once instead of holding its export slot. An integer between 0 and
   * 2147483647.
   * @default 30000
   */
  maxDelayMillis?: number;
  /**
   * Growth of the wait's upper bound per attempt. A finite number >= 1.
   * @default 2
   */
  multiplier?: number;
}

/** {@link RetryOptions} with defaults applied and validated. */
export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>;

/** The defaults of {@link RetryOptions}. */
export const RETRY_DEFAULTS: ResolvedRetryOptions = Object.freeze({
  maxAttempts: 5,
  initialDelayMillis: 1000,
  maxDelayMillis: 30_000,
  multiplier: 2,
});

/**
 * Applies defaults and validates; `false` means a single attempt. Throws a `TypeError` naming the
 * option and echoing the bad value; clamps `initialDelayMillis` to `maxDelayMillis` with a
 * warning, as `maxExportBatchSize` is clamped to `maxQueueSize`.
 */
export function resolveRetryOptions(
  options: RetryOptions | false = {},
  logger: DiagnosticLogger = silentLogger,
): ResolvedRetryOptions {
  if (options === false) return Object.freeze({ ...RETRY_DEFAULTS, maxAttempts: 1 });
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`retry must be false or an object, got ${describeValue(options)}`);
  }
  const merged = { ...RETRY_DEFAULTS };
  for (const key of Object.keys(RETRY_DEFAULTS) as (keyof RetryOptions)[]) {
    if (options[key] !== undefined) merged[key] = options[key];
  }
  let initialDelayMillis = millisOption('retry.initialDelayMillis', merged.initialDelayMillis, 0);
  const maxDelayMillis = millisOption('retry.maxDelayMillis', merged.maxDelayMillis, 0);
  const multiplier = merged.multiplier;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) {
    throw new TypeError(
      `retry.multiplier must be a finite number >= 1, got ${describeValue(multiplier)}`,
    );
  }
  const maxAttempts = integerOption('retry.maxAttempts', merged.maxAttempts, 1);
  if (initialDelayMillis > maxDelayMillis) {
    logger.warn(
      `retry.initialDelayMillis (${initialDelayMillis}) must be <= retry.maxDelayMillis (${maxDelayMillis}); using ${maxDelayMillis}`,
    );
    initialDelayMillis = maxDelayMillis;
  }
  return Object.freeze({ maxAttempts, initialDelayMillis, maxDelayMillis, multiplier });
}

/**
 * The wait before attempt `attempt + 1`, after attempt `attempt` failed with `error`: a uniform
 * random value in `[0, min(maxDelayMillis, initialDelayMillis * multiplier^(attempt-1)))` (full
 * jitter), but never less than the error's `retryAfterMillis`.
 */
export function retryDelayMillis(
  attempt: number,
  error: unknown,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const growth = options.multiplier ** Math.max(0, attempt - 1);
  // 0 * Infinity is NaN: a zero initial delay stays zero however many attempts have failed.
  const ceiling =
    options.initialDelayMillis === 0
      ? 0
      : Math.min(options.maxDelayMillis, options.initialDelayMillis * growth);
  const jittered = Math.floor(random() * ceiling);
  const retryAfter = isRetryableError(error) ? error.retryAfterMillis : undefined;
  return retryAfter === undefined ? jittered : Math.max(retryAfter, jittered);
}
