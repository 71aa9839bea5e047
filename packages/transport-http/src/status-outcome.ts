/** What an HTTP status means for the payload that was sent. */
export type StatusOutcome = 'delivered' | 'retryable' | 'too_large' | 'permanent';

/**
 * Classifies a response status: 2xx `delivered`; 408, 429 and 5xx `retryable` (a 5xx other than
 * 500, 502, 503 and 504 too, such as 507 or a proxy's 520-524, since server trouble usually
 * passes; retries stay bounded by the retry policy), except 501 and 505, which no retry changes;
 * 413 `too_large` (the delivery splits the batch); anything else, other 4xx and 3xx (redirects
 * are not followed), `permanent`.
 */
export function statusOutcome(status: number): StatusOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 413) return 'too_large';
  if (status === 408 || status === 429) return 'retryable';
  if (status >= 500 && status < 600 && status !== 501 && status !== 505) return 'retryable';
  return 'permanent';
}
