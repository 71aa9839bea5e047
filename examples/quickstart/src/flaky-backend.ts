import {
  PermanentError,
  RetryableError,
  type SendContext,
  type Transport,
} from '@telemetry-reporter/otel';

/** Counters of the embedded backend: what it saw, from its own point of view. */
export interface BackendCounts {
  requests: number;
  accepted: number;
  answered503: number;
  answered429: number;
  answered400: number;
}

/**
 * An in-process stand-in for a telemetry backend that misbehaves the way real ones do: now and
 * then a 503, a 429 with Retry-After, or a 400 for a batch it does not like. Deterministic, so
 * every run of the demo tells the same story.
 */
export class FlakyBackend implements Transport<string> {
  readonly counts: BackendCounts = {
    requests: 0,
    accepted: 0,
    answered503: 0,
    answered429: 0,
    answered400: 0,
  };

  async send(payload: string, context: SendContext): Promise<void> {
    const n = ++this.counts.requests;
    await new Promise((resolve) => setTimeout(resolve, 5)); // network and ingest time
    if (n % 5 === 0) {
      this.counts.answered503++;
      throw new RetryableError('503 Service Unavailable');
    }
    if (n % 11 === 0) {
      this.counts.answered429++;
      throw new RetryableError('429 Too Many Requests', { retryAfterMillis: 50 });
    }
    if (n % 17 === 0) {
      this.counts.answered400++;
      throw new PermanentError('400 Bad Request');
    }
    const records = JSON.parse(payload) as unknown[];
    if (records.length !== context.recordCount) throw new PermanentError('count mismatch');
    this.counts.accepted += records.length;
  }
}
