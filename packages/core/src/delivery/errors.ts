/** Options of {@link RetryableError}. */
export interface RetryableErrorOptions {
  /**
   * The backend asked to wait this long before the next attempt (e.g. from `Retry-After`).
   * `undefined` (also written out, as `Number(header) * 1000 || undefined` gives it) means no
   * such request.
   * @default none: the retry policy's backoff alone
   */
  retryAfterMillis?: number | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A failed send that may succeed later (a 503, a reset connection). Throw it from
 * `Transport.send` to have the batch retried, after at least `retryAfterMillis` when given.
 */
export class RetryableError extends Error {
  /** Stable identifier for programmatic checks. */
  readonly code: 'TR_RETRYABLE' = 'TR_RETRYABLE';
  /** The minimum wait the backend asked for before the next attempt, in milliseconds. */
  readonly retryAfterMillis: number | undefined;

  constructor(message: string, options: RetryableErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableError';
    const after = options.retryAfterMillis;
    this.retryAfterMillis =
      typeof after === 'number' && Number.isFinite(after) && after >= 0 ? after : undefined;
  }
}

/** The `code` of a {@link PermanentError} or of its subclass {@link PayloadTooLargeError}. */
export type PermanentErrorCode = 'TR_PERMANENT' | 'TR_PAYLOAD_TOO_LARGE';

/** Options of {@link PermanentError}. */
export interface PermanentErrorOptions {
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A failed send that will fail again however often it is retried (a 400, a 401). Throw it from
 * `Transport.send` to drop the batch as `rejected` without retrying.
 */
export class PermanentError extends Error {
  /** Stable identifier for programmatic checks. */
  readonly code: PermanentErrorCode = 'TR_PERMANENT';

  constructor(message: string, options: PermanentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PermanentError';
  }
}

/**
 * The backend refused a payload for its size (HTTP 413). The delivery splits the batch in halves
 * and sends each, down to single records; a single record still too large is dropped as
 * `rejected`. Where the batch cannot be split, it counts as a {@link PermanentError}.
 */
export class PayloadTooLargeError extends PermanentError {
  /** Stable identifier for programmatic checks. */
  override readonly code: PermanentErrorCode = 'TR_PAYLOAD_TOO_LARGE';

  constructor(message: string, options: PermanentErrorOptions = {}) {
    super(message, options);
    this.name = 'PayloadTooLargeError';
  }
}
