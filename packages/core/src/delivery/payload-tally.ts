import type { EncodedBatch } from './transport.js';

/**
 * What a payload builder took of its input, as `EncodedBatch` reports it: the records in the
 * payload, those left out and the first error, and how far from its first position it got
 * (`consumed`). The JSON builders share it, whatever they write into.
 */
export class PayloadTally {
  /** Records in the payload so far. */
  records = 0;
  #failedIndexes: number[] | undefined;
  #firstError: unknown;
  #first = -1;
  #next = -1;

  /** An `add` from position `from`: the first one fixes where `consumed` counts from. */
  start(from: number): void {
    if (this.#first === -1) this.#first = from;
  }

  /** Record `index` is in the payload. */
  took(index: number): void {
    this.records++;
    this.#next = index + 1;
  }

  /** Record `index` is left out, for `error`. */
  fail(index: number, error: unknown): void {
    this.#failedIndexes ??= [];
    this.#failedIndexes.push(index);
    this.#firstError ??= error;
    this.#next = index + 1;
  }

  /** An `add` went through position `to` without the payload filling up. */
  reached(to: number): void {
    this.#next = Math.max(this.#next, to);
  }

  /** The result of the payload, `payload` holding the records taken. */
  result<Payload>(payload: Payload | undefined): EncodedBatch<Payload> {
    return {
      payload,
      recordCount: this.records,
      failedCount: this.#failedIndexes?.length ?? 0,
      firstError: this.#firstError,
      failedIndexes: this.#failedIndexes,
      consumed: this.#first === -1 ? 0 : this.#next - this.#first,
    };
  }
}
