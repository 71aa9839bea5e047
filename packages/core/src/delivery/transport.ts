// The transport contract: what an encoder produces and what a transport is given to send.

/** What a transport's `send` is told about the attempt it makes. */
export interface SendContext {
  /** Aborted when the export deadline or the shutdown deadline passes; pass it to your I/O. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** How many records the payload holds. */
  readonly recordCount: number;
  /**
   * The batch's stable id (32 hex digits), the same on every attempt and every replay from a
   * spool: a receiver can drop a repeat by it (the HTTP transport sends it as
   * `Idempotency-Key`). Set when the delivery has a spool.
   */
  readonly batchId?: string;
  /**
   * The payload's media type: its encoder's `contentType`, when it states one, or on a replay
   * from a spool, the type the batch was spooled with. A transport can label the payload with
   * it and need no option of its own.
   */
  readonly contentType?: string;
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
  /**
   * True when `send` also takes a text payload as its UTF-8 bytes, a `Uint8Array`, in place of
   * the string. Encoders that write text as bytes (the transport exporters' default JSON) then
   * hand the bytes over as they are: making a string of a 512-record payload, which the
   * transport turns back into bytes to send it, costs about as much again as writing it.
   * `createHttpTransport` sets it. Set it only if `send` handles a `Uint8Array`.
   * @default false: text payloads arrive as strings
   */
  readonly acceptsBytes?: boolean;
  /**
   * True when `send` keeps no reference to the payload once its promise settles, and nothing it
   * started reads the payload after that. The delivery then gives each payload back to its
   * encoder (`Encoder.release`) once done with it, and the encoder may reuse its memory for a
   * later payload: for the exporters' default JSON and the OTLP encoders, this saves allocating
   * a fresh buffer per batch. `createHttpTransport` sets it, except with its `fetch` option.
   * Leave it unset if `send` may still read the payload after settling (a write it does not
   * wait for) or keeps it (a queue of its own): a reused payload would send another's bytes.
   * @default false: payloads are left to the garbage collector
   */
  readonly releasesPayload?: boolean;
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
  /**
   * How many of the input records, from the first, this result covers: encoded into the payload
   * or left out as failed. Fewer than all when the payload reached `maxBytes`; the delivery then
   * encodes the rest into the next payload. At least 1 for a non-empty input.
   * @default all of them
   */
  readonly consumed?: number;
}

/** Options of one encoding: what a payload may hold. */
export interface EncodeOptions {
  /**
   * The most bytes one payload may hold. Records that would not fit are left for the next
   * payload (see {@link EncodedBatch.consumed}); a record that does not fit even alone is left
   * out as failed: it is dropped for its own size, never the batch with it.
   * @default no limit
   */
  readonly maxBytes?: number;
}

/**
 * Turns a batch of records into a payload, isolating records that cannot be encoded: a bad
 * record is left out and counted in `failedCount`, never failing the whole batch.
 */
export interface Encoder<Item, Payload> {
  /** The media type of the payloads, when the encoder knows it (kept with spooled batches). */
  readonly contentType?: string;
  /**
   * Encodes `items` (as many as fit in `options.maxBytes`, when the encoder supports it); must
   * not throw. An encoder that ignores `maxBytes` still works: the delivery splits an oversize
   * payload in halves, as it splits one the backend refused as too large.
   */
  encode(items: readonly Item[], options?: EncodeOptions): EncodedBatch<Payload>;
  /**
   * Optional: starts one payload filled over several calls, so that a large batch is encoded in
   * slices and the delivery can yield the event loop between them. Without it, the delivery
   * encodes each payload in one call to `encode`.
   */
  begin?(options?: EncodeOptions): PayloadBuilder<Item, Payload>;
  /**
   * Optional: takes back a payload this encoder made, which the delivery no longer needs (sent,
   * refused, dropped or split, never one a spool may still be writing), so that its memory can
   * serve a later payload. Called only when the transport sets `releasesPayload`; at most once
   * per payload, and not for every payload (the encoder must not count on it). Must not throw.
   */
  release?(payload: Payload): void;
}

/**
 * One payload being filled, slice by slice, by an {@link Encoder} that supports it. Positions are
 * those of the one `items` array every `add` receives.
 */
export interface PayloadBuilder<Item, Payload> {
  /**
   * Encodes `items[from, to)` into the payload, leaving out (as failed) any record that cannot be
   * encoded. Returns the position after the last record taken: `to`, or less once the payload
   * is full (`maxBytes`); a full payload takes no more. Must not throw.
   */
  add(items: readonly Item[], from: number, to: number): number;
  /**
   * The payload with everything added; `failedIndexes` are positions in `items`, and `consumed`
   * counts from the first position added.
   */
  finish(): EncodedBatch<Payload>;
}
