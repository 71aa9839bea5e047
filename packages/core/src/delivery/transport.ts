// The transport contract: what an encoder produces and what a transport is given to send.

/** What a transport's `send` is told about the attempt it makes. */
export interface SendContext {
  /** Aborted when the export deadline or the shutdown deadline passes; pass it to your I/O. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** How many records the payload holds. */
  readonly recordCount: number;
}

/**
 * Delivers an encoded payload to a backend. Resolve when the backend accepted it; throw a
 * `RetryableError` (or any error) to have it retried, a `PermanentError` to drop it.
 */
export interface Transport<Payload = unknown> {
  /** Sends one payload. Resolving means delivered. */
  send(payload: Payload, context: SendContext): Promise<void>;
  /** Releases resources (sockets, agents). Called once, after the last send. */
  shutdown?(): Promise<void>;
}

/** The result of encoding a batch: one payload holding the records that could be encoded. */
export interface EncodedBatch<Payload> {
  /** The payload to send; `undefined` when no record of the batch could be encoded. */
  readonly payload: Payload | undefined;
  /** How many records the payload holds. */
  readonly recordCount: number;
  /** How many records were left out because they could not be encoded. */
  readonly failedCount: number;
  /** The first encoding error, for diagnostics. */
  readonly firstError?: unknown;
  /**
   * Positions (in the input) of the records left out. Lets a delivery split the batch when the
   * backend says it is too large (HTTP 413) without counting those records twice; without it,
   * a batch with encoding failures that is too large is rejected whole.
   */
  readonly failedIndexes?: readonly number[];
}

/**
 * Turns a batch of records into a payload, isolating records that cannot be encoded: a bad
 * record is left out and counted in `failedCount`, never failing the whole batch.
 */
export interface Encoder<Item, Payload> {
  /** Encodes `items`; must not throw. */
  encode(items: readonly Item[]): EncodedBatch<Payload>;
}
