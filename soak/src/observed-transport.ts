import type { SendContext, Transport } from '@telemetry-reporter/otel';
import { HttpRequestError } from '@telemetry-reporter/transport-http';
import type { SecretSweep } from './secrets.js';

/** What the client saw of each attempt, by outcome. */
export interface ClientCounts {
  attempts: number;
  delivered: number;
  status503: number;
  status429: number;
  status400: number;
  otherStatus: number;
  /** Attempts aborted because the export deadline passed (the server hung). */
  abortedByDeadline: number;
  /** Network failures, attempt timeouts, anything else. */
  otherFailures: number;
  /**
   * Sends that resolved (the server accepted the payload) after the export deadline had already
   * counted their records as `export_timeout`: at-least-once territory. Records, not sends.
   */
  lateDeliveredRecords: number;
}

/**
 * A pass-through `Transport` that counts what each attempt of the real transport ended in and
 * sweeps every error it throws for secrets, as it is thrown (nothing is kept).
 */
export class ObservedTransport implements Transport<string> {
  readonly counts: ClientCounts = {
    attempts: 0,
    delivered: 0,
    status503: 0,
    status429: 0,
    status400: 0,
    otherStatus: 0,
    abortedByDeadline: 0,
    otherFailures: 0,
    lateDeliveredRecords: 0,
  };
  readonly #inner: Transport<string>;
  readonly #sweep: SecretSweep;

  constructor(inner: Transport<string>, sweep: SecretSweep) {
    this.#inner = inner;
    this.#sweep = sweep;
  }

  async send(payload: string, context: SendContext): Promise<void> {
    this.counts.attempts++;
    try {
      await this.#inner.send(payload, context);
    } catch (error) {
      this.#classify(error, context);
      this.#sweep.error(error);
      throw error;
    }
    this.counts.delivered++;
    // The engine settles a batch's records as `export_timeout` and then aborts its signal, in
    // one synchronous step: an aborted signal here means they were counted as dropped.
    if (context.signal.aborted) this.counts.lateDeliveredRecords += context.recordCount;
  }

  async shutdown(): Promise<void> {
    await this.#inner.shutdown?.();
  }

  #classify(error: unknown, context: SendContext): void {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof HttpRequestError && cause.status !== undefined) {
      if (cause.status === 503) this.counts.status503++;
      else if (cause.status === 429) this.counts.status429++;
      else if (cause.status === 400) this.counts.status400++;
      else this.counts.otherStatus++;
    } else if (context.signal.aborted) {
      this.counts.abortedByDeadline++;
    } else {
      this.counts.otherFailures++;
    }
  }
}
