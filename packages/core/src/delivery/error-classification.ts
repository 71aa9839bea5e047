import { safeRead } from '../support/safe-read.js';
import { PayloadTooLargeError, PermanentError, RetryableError } from './errors.js';

/**
 * True for a {@link PermanentError}, also one from another copy of this package (checked by its
 * `code`), so that duplicated installs still classify correctly.
 */
export function isPermanentError(error: unknown): error is PermanentError {
  return (
    error instanceof PermanentError ||
    hasCode(error, 'TR_PERMANENT') ||
    hasCode(error, 'TR_PAYLOAD_TOO_LARGE')
  );
}

/** True for a {@link PayloadTooLargeError}, also one from another copy of this package. */
export function isPayloadTooLargeError(error: unknown): error is PayloadTooLargeError {
  return error instanceof PayloadTooLargeError || hasCode(error, 'TR_PAYLOAD_TOO_LARGE');
}

/** True for a {@link RetryableError}, also one from another copy of this package. */
export function isRetryableError(error: unknown): error is RetryableError {
  return error instanceof RetryableError || hasCode(error, 'TR_RETRYABLE');
}

function hasCode(error: unknown, code: string): boolean {
  // A hostile getter reads as undefined: not one of ours.
  return safeRead(error, 'code') === code;
}
