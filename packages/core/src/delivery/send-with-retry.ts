import { abortableSleep } from '../support/abortable-sleep.js';
import { isPayloadTooLargeError, isPermanentError } from './error-classification.js';
import { type ResolvedRetryOptions, retryDelayMillis } from './retry-policy.js';
import type { SendContext, Transport } from './transport.js';

/** How sending one payload ended. */
export type SendOutcome =
  /** The backend accepted it. */
  | { readonly kind: 'delivered' }
  /** The backend refused it for good (a `PermanentError`). */
  | { readonly kind: 'rejected'; readonly error: unknown }
  /** The backend found it too large (a `PayloadTooLargeError`): split it and send the halves. */
  | { readonly kind: 'too_large' }
  /**
   * Retryable failures until the attempts ran out, or until a retry could only start after the
   * deadline (`why: 'deadline'`).
   */
  | { readonly kind: 'gave_up'; readonly error: unknown; readonly why: 'attempts' | 'deadline' }
  /** The signal aborted it. */
  | { readonly kind: 'aborted' };

/** What one {@link sendWithRetry} needs besides the payload. */
export interface SendRequest {
  readonly recordCount: number;
  /** Sent with every attempt, so that a receiver can drop a repeat. */
  readonly batchId: string | undefined;
  /** The payload's media type, passed on to the transport when known. */
  readonly contentType?: string | undefined;
  readonly signal: AbortSignal;
  /** When `signal` fires, in `Date.now()` milliseconds: a retry after it is not waited for. */
  readonly deadline: number;
  readonly retry: ResolvedRetryOptions;
  /** Each retry, before its attempt. */
  readonly onRetry?: () => void;
  /** Each failed attempt that will be retried, with the wait before the next. */
  readonly onAttemptFailed?: (attempt: number, delay: number) => void;
}

/**
 * Sends a payload through `transport`, retrying retryable failures with backoff, full jitter
 * and Retry-After, until delivered, refused, out of attempts, past the deadline or aborted.
 * Never rejects.
 */
export async function sendWithRetry<Payload>(
  transport: Transport<Payload>,
  payload: Payload,
  request: SendRequest,
): Promise<SendOutcome> {
  const { signal, recordCount, batchId, contentType, retry } = request;
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const context: { -readonly [K in keyof SendContext]: SendContext[K] } = {
        signal,
        attempt,
        recordCount,
      };
      if (batchId !== undefined) context.batchId = batchId;
      if (contentType !== undefined) context.contentType = contentType;
      await transport.send(payload, context);
      return { kind: 'delivered' };
    } catch (error) {
      if (signal.aborted) break;
      if (isPayloadTooLargeError(error)) return { kind: 'too_large' };
      if (isPermanentError(error)) return { kind: 'rejected', error };
      if (attempt >= retry.maxAttempts) return { kind: 'gave_up', error, why: 'attempts' };
      const delay = retryDelayMillis(attempt, error, retry);
      // A timer waits at least 1 ms in Node: a 0 ms wait still lands on the next millisecond.
      if (Date.now() + Math.max(delay, 1) >= request.deadline) {
        // Waiting would only hold the export slot until the deadline aborts it anyway.
        return { kind: 'gave_up', error, why: 'deadline' };
      }
      request.onAttemptFailed?.(attempt, delay);
      if (!(await abortableSleep(delay, signal))) break;
      request.onRetry?.();
    }
  }
  return { kind: 'aborted' };
}
