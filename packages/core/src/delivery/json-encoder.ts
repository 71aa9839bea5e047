import { describeValue, oneOf } from '../support/option-checks.js';
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
   * Serialises one record to its JSON text, in place of `JSON.stringify(map(record))`: for a
   * hand-written serialiser that is faster than building an object first. May throw: that
   * record alone is dropped as `encoding_failed`. Must return a JSON text; `map` is then unused.
   * @default JSON.stringify of `map(record)`
   */
  stringify?: (item: Item) => string;
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
  const { map, stringify } = options;
  if (map !== undefined && typeof map !== 'function') {
    throw new TypeError(`map must be a function, got ${describeValue(map)}`);
  }
  if (stringify !== undefined && typeof stringify !== 'function') {
    throw new TypeError(`stringify must be a function, got ${describeValue(stringify)}`);
  }
  const format = options.format === undefined ? 'array' : oneOf('format', options.format, FORMATS);
  const toJson: (item: Item) => unknown =
    stringify ??
    (map === undefined ? (item) => JSON.stringify(item) : (item) => JSON.stringify(map(item)));
  const begin = (encodeOptions?: EncodeOptions): PayloadBuilder<Item, string> =>
    new JsonPayloadBuilder(toJson, format, encodeOptions?.maxBytes ?? Number.POSITIVE_INFINITY);
  return {
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

class JsonPayloadBuilder<Item> implements PayloadBuilder<Item, string> {
  readonly #toJson: (item: Item) => unknown;
  readonly #format: 'array' | 'ndjson';
  readonly #maxBytes: number;
  readonly #parts: string[] = [];
  #failedIndexes: number[] | undefined;
  #firstError: unknown;
  #first = -1;
  #next = -1;
  #full = false;
  /** Bytes so far (brackets and separators included), or an upper bound while far from full. */
  #bytes: number;
  #exact = false;

  constructor(toJson: (item: Item) => unknown, format: 'array' | 'ndjson', maxBytes: number) {
    this.#toJson = toJson;
    this.#format = format;
    this.#maxBytes = maxBytes;
    this.#bytes = format === 'array' ? 2 : 0; // the brackets
  }

  add(items: readonly Item[], from: number, to: number): number {
    if (this.#first === -1) this.#first = from;
    for (let i = from; i < to; i++) {
      if (this.#full) return i;
      let json: unknown;
      try {
        json = this.#toJson(items[i] as Item);
        if (typeof json !== 'string') throw new TypeError('record serialises to nothing');
      } catch (error) {
        this.#fail(i, error);
        continue;
      }
      const fit = this.#fits(json as string, i);
      if (fit === 'full') return i;
      if (fit === 'too_large') continue;
      this.#parts.push(json as string);
      this.#next = i + 1;
    }
    this.#next = Math.max(this.#next, to);
    return to;
  }

  finish(): EncodedBatch<string> {
    const parts = this.#parts;
    const failedCount = this.#failedIndexes?.length ?? 0;
    const payload =
      parts.length === 0
        ? undefined
        : this.#format === 'array'
          ? `[${parts.join(',')}]`
          : `${parts.join('\n')}\n`;
    const consumed = this.#first === -1 ? 0 : this.#next - this.#first;
    return {
      payload,
      recordCount: parts.length,
      failedCount,
      firstError: this.#firstError,
      failedIndexes: this.#failedIndexes,
      consumed,
    };
  }

  /**
   * Whether `json` still fits, counting its bytes when it does. Exact byte counts cost a scan of
   * the text, so they start only once an upper bound (3 bytes per UTF-16 unit) could pass the
   * limit. A record too large even alone is failed: its own fault; the payload goes on.
   */
  #fits(json: string, index: number): 'fits' | 'full' | 'too_large' {
    const array = this.#format === 'array';
    // ',' before every element but the first; '\n' after every line.
    const extra = array ? (this.#parts.length === 0 ? 0 : 1) : 1;
    const maxBytes = this.#maxBytes;
    if (!this.#exact) {
      const bound = this.#bytes + (json.length + extra) * MAX_UTF8_PER_UNIT;
      if (bound <= maxBytes) {
        this.#bytes = bound;
        return 'fits';
      }
      this.#exact = true;
      this.#bytes = this.#exactBytes();
    }
    const bytes = Buffer.byteLength(json);
    if (this.#bytes + bytes + extra <= maxBytes) {
      this.#bytes += bytes + extra;
      return 'fits';
    }
    const alone = array ? 2 + bytes : bytes + 1;
    if (alone > maxBytes) {
      this.#fail(index, new RecordTooLargeError(alone, maxBytes));
      return 'too_large';
    }
    this.#full = true;
    return 'full';
  }

  #exactBytes(): number {
    let total = 0;
    for (const part of this.#parts) total += Buffer.byteLength(part);
    const count = this.#parts.length;
    return this.#format === 'array' ? 2 + total + Math.max(0, count - 1) : total + count;
  }

  #fail(index: number, error: unknown): void {
    this.#failedIndexes ??= [];
    this.#failedIndexes.push(index);
    this.#firstError ??= error;
    this.#next = index + 1;
  }
}
