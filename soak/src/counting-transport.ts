import type { SendContext, Transport } from '@telemetry-reporter/otel';
import { HttpRequestError } from '@telemetry-reporter/transport-http';
import type { AttemptCounts } from './emitter-protocol.js';

/** The first `"recordId":N` of a payload: the emitters put the id first in each record's body. */
const FIRST_RECORD_ID = /"recordId":(\d+)/;

/**
 * A pass-through `Transport` for the outage emitters: counts what each attempt ended in, and,
 * the first time it sees a batch id, whose records the batch holds. In write-ahead mode a batch
 * is sent only once its file is on disk, so "every own record sent at least once" is the moment
 * a SIGKILL can no longer lose one; and a batch of an earlier process's id range can only be a
 * replay from the spool.
 */
export class CountingTransport implements Transport<string> {
  readonly counts: AttemptCounts = {
    attempts: 0,
    delivered: 0,
    refused: 0,
    unavailable: 0,
    aborted: 0,
    otherFailures: 0,
    firstSends: 0,
    ownRecordsSent: 0,
    earlierRecordsSent: 0,
  };
  readonly #inner: Transport<string>;
  readonly #firstId: number;
  readonly #endId: number;
  /** Batch ids sent at least once: a few hundred per process, 32 characters each. */
  readonly #seen = new Set<string>();

  constructor(inner: Transport<string>, firstId: number, idCount: number) {
    this.#inner = inner;
    this.#firstId = firstId;
    this.#endId = firstId + idCount;
  }

  async send(payload: string, context: SendContext): Promise<void> {
    this.counts.attempts++;
    this.#noteFirstSend(payload, context);
    try {
      await this.#inner.send(payload, context);
    } catch (error) {
      this.#classify(error, context);
      throw error;
    }
    this.counts.delivered++;
  }

  async shutdown(): Promise<void> {
    await this.#inner.shutdown?.();
  }

  #noteFirstSend(payload: string, context: SendContext): void {
    const key = context.batchId;
    // Every batch of a spooling exporter has an id; without one nothing can be told apart.
    if (key === undefined || this.#seen.has(key)) return;
    this.#seen.add(key);
    this.counts.firstSends++;
    const id = Number(FIRST_RECORD_ID.exec(payload)?.[1] ?? Number.NaN);
    if (id >= this.#firstId && id < this.#endId) this.counts.ownRecordsSent += context.recordCount;
    else this.counts.earlierRecordsSent += context.recordCount;
  }

  #classify(error: unknown, context: SendContext): void {
    const cause = error instanceof Error ? error.cause : undefined;
    if (context.signal.aborted) this.counts.aborted++;
    else if (cause instanceof HttpRequestError && cause.status === 503) this.counts.unavailable++;
    else if (cause instanceof HttpRequestError && cause.networkCode === 'ECONNREFUSED') {
      this.counts.refused++;
    } else this.counts.otherFailures++;
  }
}
