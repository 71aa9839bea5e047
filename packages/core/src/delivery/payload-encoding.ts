import type { ExportBatchContext } from '../engine/engine-types.js';
import type { DiagnosticLogger } from '../support/diagnostic-logger.js';
import { nextTurn, sliceBudgetLeft, timedSlice } from '../support/event-loop-turns.js';
import type { EncodedBatch, Encoder } from './transport.js';

/**
 * Records per `add` call between two looks at the clock; a batch or payload of more records
 * than this is encoded, and sent, on turns of the event loop of its own.
 */
export const SLICE_RECORDS = 32;

/** One payload, ready to send, and what it holds. */
export interface EncodedPart<Item, Payload> {
  readonly payload: Payload;
  /** Records in the payload. */
  readonly count: number;
  /** The records in the payload, when known: a payload too large is split by them. */
  readonly items: readonly Item[] | undefined;
}

/** The result of encoding from a position: the next payload, if any, and where to go on. */
export interface NextPayload<Item, Payload> {
  readonly part: EncodedPart<Item, Payload> | undefined;
  /** Position after the last record this payload covers (sent or failed). */
  readonly end: number;
}

/**
 * Encodes the next payload of `items`, starting at `from`, holding at most `maxBytes` when the
 * encoder can bound it. Records that cannot be encoded are settled as `encoding_failed` here.
 * More than one slice of records is encoded from a turn of its own, not inside the task that
 * started the export (an emitting call's, when it filled a batch); an encoder that builds
 * payloads in slices is then fed on as many turns as the per-turn budget takes (see
 * support/event-loop-turns.ts), so no export blocks the loop for long. A slice's worth or
 * fewer is encoded at once, whatever the clock says: small exports do not depend on timing.
 * Aborted while waiting for its turn, it encodes nothing and returns `from`.
 */
export async function encodeNextPayload<Item, Payload>(
  encoder: Encoder<Item, Payload>,
  items: readonly Item[],
  from: number,
  maxBytes: number,
  context: ExportBatchContext,
  logger: DiagnosticLogger,
): Promise<NextPayload<Item, Payload>> {
  if (items.length - from > SLICE_RECORDS) {
    await nextTurn();
    if (context.signal.aborted) return { part: undefined, end: from };
  }
  const options = maxBytes === Number.POSITIVE_INFINITY ? undefined : { maxBytes };
  const input = from === 0 ? items : items.slice(from);
  let encoded: EncodedBatch<Payload>;
  try {
    encoded =
      encoder.begin === undefined
        ? timedSlice(() => encoder.encode(input, options))
        : await buildInSlices(encoder.begin.bind(encoder), input, options, context);
  } catch (error) {
    logger.warn(`encoder threw; ${input.length} records dropped`, error);
    context.settle(input.length, 'encoding_failed', error);
    return { part: undefined, end: items.length };
  }
  return partOf(encoded, input, from, (count, error) => {
    logger.debug(`${count} records could not be encoded`, error);
    context.settle(count, 'encoding_failed', error);
  });
}

/**
 * {@link encodeNextPayload} in one synchronous call, for when the records must be encoded now
 * (at a deadline, to spool them): `settleFailed` is told about records that cannot be encoded.
 */
export function encodePayloadNow<Item, Payload>(
  encoder: Encoder<Item, Payload>,
  items: readonly Item[],
  from: number,
  maxBytes: number,
  settleFailed: (count: number, error: unknown) => void,
): NextPayload<Item, Payload> {
  const options = maxBytes === Number.POSITIVE_INFINITY ? undefined : { maxBytes };
  const input = from === 0 ? items : items.slice(from);
  let encoded: EncodedBatch<Payload>;
  try {
    encoded = encoder.encode(input, options);
  } catch (error) {
    settleFailed(input.length, error);
    return { part: undefined, end: items.length };
  }
  return partOf(encoded, input, from, settleFailed);
}

/** The payload of an encoding and where the next starts; reports what could not be encoded. */
function partOf<Item, Payload>(
  encoded: EncodedBatch<Payload>,
  input: readonly Item[],
  from: number,
  settleFailed: (count: number, error: unknown) => void,
): NextPayload<Item, Payload> {
  const consumed = clampConsumed(encoded.consumed, input.length);
  const sendable = encoded.payload === undefined ? 0 : Math.max(0, encoded.recordCount);
  // Whatever the encoder neither put in the payload nor reported is lost to encoding too,
  // never silently counted as exported.
  const unencoded = Math.max(encoded.failedCount, consumed - sendable);
  if (unencoded > 0) settleFailed(unencoded, encoded.firstError);
  const end = from + consumed;
  if (encoded.payload === undefined || sendable === 0) return { part: undefined, end };
  return {
    part: {
      payload: encoded.payload,
      count: Math.min(sendable, consumed - unencoded),
      items: payloadItems(input.slice(0, consumed), unencoded, encoded.failedIndexes),
    },
    end,
  };
}

async function buildInSlices<Item, Payload>(
  begin: NonNullable<Encoder<Item, Payload>['begin']>,
  items: readonly Item[],
  options: { maxBytes: number } | undefined,
  context: ExportBatchContext,
): Promise<EncodedBatch<Payload>> {
  const builder = begin(options);
  let position = 0;
  while (position < items.length) {
    // The first slice runs at once: a batch of more than one slice waited for a turn of its
    // own (its budget fresh), a smaller one is that slice.
    if (position > 0 && sliceBudgetLeft() <= 0) {
      await nextTurn();
      // The deadline passed while waiting: what is built is still a valid payload, but its send
      // would be aborted at once; the engine settles the rest at its deadline.
      if (context.signal.aborted) break;
    }
    const end = Math.min(position + SLICE_RECORDS, items.length);
    const next = timedSlice(() => builder.add(items, position, end));
    if (next < end) break; // the payload is full
    position = next;
  }
  // Assembling the payload copies it whole: it counts against the turn like the slices.
  return timedSlice(() => builder.finish());
}

/** `consumed` as the encoder reported it, within [1, length]; all of them when absent. */
function clampConsumed(consumed: number | undefined, length: number): number {
  if (typeof consumed !== 'number' || !Number.isInteger(consumed)) return length;
  return Math.min(length, Math.max(length === 0 ? 0 : 1, consumed));
}

/** The records a payload holds: all of them, those not failed, or unknown. */
function payloadItems<Item>(
  items: readonly Item[],
  unencoded: number,
  failedIndexes: readonly number[] | undefined,
): readonly Item[] | undefined {
  if (unencoded === 0) return items;
  if (failedIndexes === undefined || failedIndexes.length !== unencoded) return undefined;
  const failed = new Set(failedIndexes);
  return items.filter((_, index) => !failed.has(index));
}

/** The payload's size in bytes, when it is a string or bytes; `undefined` otherwise. */
export function payloadBytes(payload: unknown): number | undefined {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (payload instanceof Uint8Array) return payload.byteLength;
  return undefined;
}
