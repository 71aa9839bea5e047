import type { EncodedBatch } from '@telemetry-reporter/core';

/** Serialises a whole batch into one payload; may throw because of a single bad item. */
export type BatchSerializer<Item> = (items: Item[]) => Uint8Array | undefined;

/** How {@link encodeIsolating} serialises and spots bad items. */
export interface IsolationStrategy<Item> {
  readonly serialize: BatchSerializer<Item>;
  /** A cheap check for items the serializer certainly fails on (circular values). */
  readonly isUnencodable: (item: Item) => boolean;
}

/**
 * The most failed serializer calls one batch may cost while bisecting. Each can take
 * milliseconds (a stack overflow), and encoding runs on the event loop; past this, ranges still
 * unresolved are dropped whole rather than block the process for seconds.
 */
export const MAX_FAILED_ATTEMPTS = 64;

type Attempt =
  | { readonly ok: true; readonly payload: Uint8Array }
  | { readonly ok: false; readonly error: unknown };

/**
 * Encodes `items` with a serializer that fails a whole batch for one bad item (OTLP's throw on a
 * circular body or a throwing getter), keeping every item it can:
 * 1. the whole batch is tried; when it serialises, that is the only call;
 * 2. otherwise items the cheap check flags are dropped, and the rest is tried once more;
 * 3. if that still fails, failing ranges are halved until the bad items are found alone (about
 *    k·log2(n) calls for k bad items), within {@link MAX_FAILED_ATTEMPTS} failed calls.
 * `failedIndexes` lists the positions left out, ascending; `firstError` is the serializer's error.
 */
export function encodeIsolating<Item>(
  items: readonly Item[],
  strategy: IsolationStrategy<Item>,
): EncodedBatch<Uint8Array> {
  if (items.length === 0) return { payload: undefined, recordCount: 0, failedCount: 0 };
  const { serialize, isUnencodable } = strategy;
  const whole = attempt(serialize, items.slice());
  if (whole.ok) return { payload: whole.payload, recordCount: items.length, failedCount: 0 };

  const failed = new Set<number>();
  const candidates: number[] = [];
  for (let i = 0; i < items.length; i++) {
    if (isUnencodable(items[i] as Item)) failed.add(i);
    else candidates.push(i);
  }
  const pick = (indexes: readonly number[]): Item[] => indexes.map((i) => items[i] as Item);
  let rest = candidates.length === 0 ? undefined : attempt(serialize, pick(candidates));

  if (rest !== undefined && !rest.ok) {
    let budget = MAX_FAILED_ATTEMPTS;
    const drop = (start: number, end: number): void => {
      for (let i = start; i < end; i++) failed.add(candidates[i] as number);
    };
    // [start, end) is known to fail: find which of its items do.
    const isolate = (start: number, end: number): void => {
      if (end - start === 1) {
        drop(start, end);
        return;
      }
      const middle = start + Math.ceil((end - start) / 2);
      for (const [from, to] of [
        [start, middle],
        [middle, end],
      ] as const) {
        if (budget <= 0) drop(from, to);
        else if (!attempt(serialize, pick(candidates.slice(from, to))).ok) {
          budget--;
          isolate(from, to);
        }
      }
    };
    isolate(0, candidates.length);
    const kept = candidates.filter((i) => !failed.has(i));
    rest = kept.length === 0 ? undefined : attempt(serialize, pick(kept));
  }

  if (rest?.ok) {
    const failedIndexes = [...failed].sort((a, b) => a - b);
    return {
      payload: rest.payload,
      recordCount: items.length - failedIndexes.length,
      failedCount: failedIndexes.length,
      failedIndexes,
      firstError: whole.error,
    };
  }
  // Nothing could be kept, or the serializer fails on a batch whose every part it accepts (an
  // item that fails only sometimes): the whole batch is lost to encoding, and counted.
  return {
    payload: undefined,
    recordCount: 0,
    failedCount: items.length,
    failedIndexes: items.map((_, index) => index),
    firstError: whole.error,
  };
}

function attempt<Item>(serialize: BatchSerializer<Item>, items: Item[]): Attempt {
  try {
    const payload = serialize(items);
    if (payload === undefined) {
      return { ok: false, error: new TypeError('the serializer returned no payload') };
    }
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, error };
  }
}
