import { describeValue, oneOf } from '../support/option-checks.js';
import type { EncodedBatch, Encoder } from './transport.js';

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
   * `'array'`: one JSON array holding one element per record. `'ndjson'`: one JSON document per
   * line, each line ending in `\n`.
   * @default 'array'
   */
  format?: 'array' | 'ndjson';
}

/**
 * A JSON encoder that serialises record by record, so that a record which cannot be serialised
 * (a circular reference, a BigInt, a throwing `toJSON` or getter, `map` throwing) is left out
 * alone and counted; the rest of its batch ships. The payload is a string.
 */
export function createJsonEncoder<Item>(
  options: JsonEncoderOptions<Item> = {},
): Encoder<Item, string> {
  const map = options.map;
  if (map !== undefined && typeof map !== 'function') {
    throw new TypeError(`map must be a function, got ${describeValue(map)}`);
  }
  const format = options.format === undefined ? 'array' : oneOf('format', options.format, FORMATS);
  return {
    encode(items: readonly Item[]): EncodedBatch<string> {
      const parts: string[] = [];
      let failedIndexes: number[] | undefined;
      let firstError: unknown;
      for (let i = 0; i < items.length; i++) {
        try {
          const json = JSON.stringify(map === undefined ? items[i] : map(items[i] as Item));
          if (typeof json !== 'string') throw new TypeError('record serialises to nothing');
          parts.push(json);
        } catch (error) {
          failedIndexes ??= [];
          failedIndexes.push(i);
          firstError ??= error;
        }
      }
      const failedCount = failedIndexes?.length ?? 0;
      const payload =
        parts.length === 0
          ? undefined
          : format === 'array'
            ? `[${parts.join(',')}]`
            : `${parts.join('\n')}\n`;
      return { payload, recordCount: parts.length, failedCount, firstError, failedIndexes };
    },
  };
}
