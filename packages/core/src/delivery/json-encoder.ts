import { describeValue, oneOf } from '../support/option-checks.js';
import { PayloadTally } from './payload-tally.js';
import type { EncodedBatch, EncodeOptions, Encoder, PayloadBuilder } from './transport.js';

const FORMATS: readonly ('array' | 'ndjson')[] = ['array', 'ndjson'];

/** Options of {@link createJsonEncoder}. */
export interface JsonEncoderOptions<Item> {
  /**
   * Turns a record into the plain value to serialise (pick fields, rename, flatten). May throw:
   * that record alone is dropped as `encoding_failed`.
   * @default the record itself
   */
  map?: (item: Item) => unknown;
  /**
   * Writes a record's JSON text itself, appending it to `out` in one or more pieces, in place of
   * `JSON.stringify(map(record))`: for a hand-written serialiser that builds no object. May
   * throw: what it appended is taken back and that record alone is dropped as
   * `encoding_failed`. `map` is then unused.
   * @default appends JSON.stringify of `map(record)`
   */
  write?: (item: Item, out: string[]) => void;
  /**
   * `'array'`: one JSON array holding one element per record. `'ndjson'`: one JSON document per
   * line, each line ending in `\n`.
   * @default 'array'
   */
  format?: 'array' | 'ndjson';
}

/** A record that does not fit in a payload of `maxBytes` even alone. */
export class RecordTooLargeError extends Error {
  /** Stable identifier for programmatic checks. */
  readonly code: 'TR_RECORD_TOO_LARGE' = 'TR_RECORD_TOO_LARGE';

  constructor(bytes: number, maxBytes: number) {
    super(`the record encodes to ${bytes} bytes, more than one payload may hold (${maxBytes})`);
    this.name = 'RecordTooLargeError';
  }
}

/**
 * A JSON encoder that serialises record by record, so that a record which cannot be serialised
 * (a circular reference, a BigInt, a throwing `toJSON` or getter, `map` throwing) is left out
 * alone and counted; the rest of its batch ships. The payload is a string. With `maxBytes`, a
 * payload holds as many records as fit, and the rest go into the next one.
 */
export function createJsonEncoder<Item>(
  options: JsonEncoderOptions<Item> = {},
): Encoder<Item, string> {
  const { map, write } = options;
  if (map !== undefined && typeof map !== 'function') {
    throw new TypeError(`map must be a function, got ${describeValue(map)}`);
  }
  if (write !== undefined && typeof write !== 'function') {
    throw new TypeError(`write must be a function, got ${describeValue(write)}`);
  }
  const format = options.format === undefined ? 'array' : oneOf('format', options.format, FORMATS);
  const writeJson: (item: Item, out: string[]) => void =
    write ??
    ((item, out) => {
      const json: unknown = JSON.stringify(map === undefined ? item : map(item));
      if (typeof json !== 'string') throw new TypeError('record serialises to nothing');
      out.push(json);
    });
  const begin = (encodeOptions?: EncodeOptions): PayloadBuilder<Item, string> =>
    new JsonPayloadBuilder(writeJson, format, encodeOptions?.maxBytes ?? Number.POSITIVE_INFINITY);
  return {
    contentType: format === 'array' ? 'application/json' : 'application/x-ndjson',
    encode(items: readonly Item[], encodeOptions?: EncodeOptions): EncodedBatch<string> {
      const builder = begin(encodeOptions);
      builder.add(items, 0, items.length);
      return builder.finish();
    },
    begin,
  };
}

/** Bytes a UTF-16 code unit takes in UTF-8, at most. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * One payload, kept as the pieces of its records' texts (and their separators) until
 * `finish()` joins them at once: no text is copied twice.
 */
class JsonPayloadBuilder<Item> implements PayloadBuilder<Item, string> {
  readonly #write: (item: Item, out: string[]) => void;
  readonly #separator: string;
  readonly #array: boolean;
  readonly #maxBytes: number;
  readonly #pieces: string[] = [];
  readonly #tally = new PayloadTally();
  #full = false;
  /** Bytes so far (brackets and separators included), or an upper bound while far from full. */
  #bytes: number;
  #exact = false;

  constructor(
    write: (item: Item, out: string[]) => void,
    format: 'array' | 'ndjson',
    maxBytes: number,
  ) {
    this.#write = write;
    this.#array = format === 'array';
    this.#separator = this.#array ? ',' : '\n';
    this.#maxBytes = maxBytes;
    this.#bytes = this.#array ? 2 : 0; // the brackets
  }

  add(items: readonly Item[], from: number, to: number): number {
    const tally = this.#tally;
    tally.start(from);
    const pieces = this.#pieces;
    for (let i = from; i < to; i++) {
      if (this.#full) return i;
      const mark = pieces.length;
      if (tally.records > 0) pieces.push(this.#separator);
      const start = pieces.length;
      try {
        this.#write(items[i] as Item, pieces);
        if (pieces.length === start) throw new TypeError('record serialises to nothing');
      } catch (error) {
        pieces.length = mark;
        tally.fail(i, error);
        continue;
      }
      const fit = this.#fits(mark, start, i);
      if (fit !== 'fits') {
        pieces.length = mark;
        if (fit === 'full') return i;
        continue; // too large even alone: failed, the payload goes on
      }
      tally.took(i);
    }
    tally.reached(to);
    return to;
  }

  finish(): EncodedBatch<string> {
    const text = this.#pieces.join('');
    const records = this.#tally.records;
    return this.#tally.result(records === 0 ? undefined : this.#array ? `[${text}]` : `${text}\n`);
  }

  /**
   * Whether record `index`, written at pieces [start, end) (after its separator at `mark`, if any),
   * still fits, counting its bytes when it does. Exact byte counts cost a scan of the text, so
   * they start only once an upper bound (3 bytes per UTF-16 unit) could pass the limit. A record
   * too large even alone is failed: its own fault.
   */
  #fits(mark: number, start: number, index: number): 'fits' | 'full' | 'too_large' {
    const pieces = this.#pieces;
    const end = pieces.length;
    const maxBytes = this.#maxBytes;
    // ',' or '\n' between records; in NDJSON the last line's '\n' too.
    const extra = start - mark + (this.#array ? 0 : this.#tally.records === 0 ? 1 : 0);
    if (!this.#exact) {
      let units = 0;
      for (let j = start; j < end; j++) units += (pieces[j] as string).length;
      const bound = this.#bytes + (units + extra) * MAX_UTF8_PER_UNIT;
      if (bound <= maxBytes) {
        this.#bytes = bound;
        return 'fits';
      }
      this.#exact = true;
      this.#bytes = this.#exactBytesBefore(mark);
    }
    let bytes = 0;
    for (let j = start; j < end; j++) bytes += Buffer.byteLength(pieces[j] as string);
    if (this.#bytes + bytes + extra <= maxBytes) {
      this.#bytes += bytes + extra;
      return 'fits';
    }
    const alone = this.#array ? 2 + bytes : bytes + 1;
    if (alone > maxBytes) {
      this.#tally.fail(index, new RecordTooLargeError(alone, maxBytes));
      return 'too_large';
    }
    this.#full = true;
    return 'full';
  }

  /** Exact bytes of the payload made of the pieces before `mark`. */
  #exactBytesBefore(mark: number): number {
    let total = this.#array ? 2 : this.#tally.records > 0 ? 1 : 0;
    for (let j = 0; j < mark; j++) total += Buffer.byteLength(this.#pieces[j] as string);
    return total;
  }
}
