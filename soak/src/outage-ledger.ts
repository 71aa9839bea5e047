// The outage server's books: which records it stored, how often, and under which idempotency key.
// Delivery is at least once, so the server keeps every copy it is sent and counts them twice over:
// by the record id each emitter puts in the record's body (the truth: was anything lost, what was
// duplicated), and by the batch's `idempotency-key` header (what a receiver that drops repeated
// keys would keep; equal to the emitted count only if every record travels under one key forever).

/** The server's view of what it stored. */
export interface LedgerCounts {
  /** Payloads stored (answered 200, or stored and then the answer lost on purpose). */
  storedBatches: number;
  /** Record copies stored, duplicates included. */
  storedRecords: number;
  /** Distinct record ids stored. */
  distinctRecords: number;
  /** Copies beyond the first of their record id: the at-least-once duplicates. */
  duplicateRecords: number;
  /** Distinct idempotency keys, and the records of each counted once. */
  distinctKeys: number;
  recordsByDistinctKey: number;
  /** Payloads whose key was seen before, and their records (the copies a receiver would drop). */
  repeatedKeyBatches: number;
  repeatedKeyRecords: number;
  /** Payloads without an `idempotency-key` (every batch of a spooling exporter has one). */
  keylessBatches: number;
  /** A key seen again with other records than the first time: it does not name one batch. */
  keyConflicts: number;
  /** Records whose id is outside the run. */
  unknownRecords: number;
  /** Payloads that are not a JSON array of records with a numeric `body.recordId`. */
  malformedBodies: number;
}

/** Record ids, in order, of a payload as the soak's emitters encode it; throws otherwise. */
export function recordIdsOf(body: string): number[] {
  const payload: unknown = JSON.parse(body);
  if (!Array.isArray(payload)) throw new TypeError('not an array');
  return payload.map((record: unknown) => {
    const id = (record as { body?: { recordId?: unknown } } | null)?.body?.recordId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      throw new TypeError('a record without a numeric body.recordId');
    }
    return id;
  });
}

/** What a key's payload held, to tell a repeat of the same batch from a reused key. */
function fingerprint(ids: readonly number[]): string {
  let sum = 0;
  for (const id of ids) sum += id;
  return `${ids.length}:${ids[0]}:${ids.at(-1)}:${sum}`;
}

/** Counts every stored payload by record id and by idempotency key. */
export class OutageLedger {
  readonly #copies: Uint8Array;
  readonly #keys = new Map<string, string>();
  readonly #counts: LedgerCounts = {
    storedBatches: 0,
    storedRecords: 0,
    distinctRecords: 0,
    duplicateRecords: 0,
    distinctKeys: 0,
    recordsByDistinctKey: 0,
    repeatedKeyBatches: 0,
    repeatedKeyRecords: 0,
    keylessBatches: 0,
    keyConflicts: 0,
    unknownRecords: 0,
    malformedBodies: 0,
  };

  /** `totalRecords`: ids run from 0 to `totalRecords - 1` across every emitter. */
  constructor(totalRecords: number) {
    this.#copies = new Uint8Array(totalRecords);
  }

  /**
   * Parses a payload without storing it: the server answers 422 to a payload it cannot read,
   * before deciding anything else. `undefined` when malformed (and counted).
   */
  parse(body: string): number[] | undefined {
    try {
      return recordIdsOf(body);
    } catch {
      this.#counts.malformedBodies++;
      return undefined;
    }
  }

  /** Stores a parsed payload sent under `key` (the `idempotency-key` header, if any). */
  store(ids: readonly number[], key: string | undefined): void {
    const c = this.#counts;
    c.storedBatches++;
    c.storedRecords += ids.length;
    for (const id of ids) {
      if (!(id >= 0 && id < this.#copies.length)) {
        c.unknownRecords++;
        continue;
      }
      const copies = this.#copies[id] ?? 0;
      if (copies === 0) c.distinctRecords++;
      else c.duplicateRecords++;
      this.#copies[id] = Math.min(255, copies + 1);
    }
    if (key === undefined) {
      c.keylessBatches++;
      return;
    }
    const seen = this.#keys.get(key);
    const print = fingerprint(ids);
    if (seen === undefined) {
      this.#keys.set(key, print);
      c.distinctKeys++;
      c.recordsByDistinctKey += ids.length;
    } else {
      c.repeatedKeyBatches++;
      c.repeatedKeyRecords += ids.length;
      if (seen !== print) c.keyConflicts++;
    }
  }

  counts(): LedgerCounts {
    return { ...this.#counts };
  }
}
