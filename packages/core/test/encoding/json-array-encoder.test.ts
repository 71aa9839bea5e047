import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonEncoder, type EncodedBatch, RecordTooLargeError } from '../../src/index.js';
import {
  type ByteSink,
  createJsonArrayBytesEncoder,
  createJsonArrayEncoder,
  writeText,
} from '../../src/internal.js';

// The byte-writing JSON array encoder (the transport exporters' default payload) keeps the
// contract of createJsonEncoder in 'array' format: the oracle here is createJsonEncoder itself,
// fed the same records, limits and slices.

const writeStringified = (sink: ByteSink, item: unknown): void => {
  const json: string | undefined = JSON.stringify(item);
  if (json === undefined) throw new TypeError('record serialises to nothing');
  writeText(sink, json);
};

const oracle = createJsonEncoder<unknown>();

function sliced<P>(
  begin: () => {
    add(items: readonly unknown[], from: number, to: number): number;
    finish(): EncodedBatch<P>;
  },
  items: readonly unknown[],
  step: number,
): EncodedBatch<P> {
  const builder = begin();
  let position = 0;
  while (position < items.length) {
    const next = builder.add(items, position, Math.min(position + step, items.length));
    if (next < Math.min(position + step, items.length)) break; // full
    position = next;
  }
  return builder.finish();
}

/** The comparable part of a result: the error's class, not its instance. */
function outcome(result: EncodedBatch<string>) {
  const { firstError, ...rest } = result;
  return { ...rest, firstError: firstError === undefined ? undefined : (firstError as Error).name };
}

const circular: Record<string, unknown> = {};
circular.self = circular;

const records = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.jsonValue() },
    { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
    { weight: 1, arbitrary: fc.constant(circular) },
    { weight: 1, arbitrary: fc.bigInt() },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 400 }) },
  ),
  { maxLength: 40 },
);

describe('createJsonArrayEncoder', () => {
  it('gives what createJsonEncoder gives: payload, counts, failures and consumed', () => {
    const encoder = createJsonArrayEncoder(writeStringified);
    fc.assert(
      fc.property(
        records,
        fc.option(fc.integer({ min: 1, max: 3_000 })),
        fc.integer({ min: 1, max: 7 }),
        (items, maxBytes, step) => {
          const options = maxBytes === null ? undefined : { maxBytes };
          expect(outcome(encoder.encode(items, options))).toEqual(
            outcome(oracle.encode(items, options)),
          );
          expect(outcome(sliced(() => encoder.begin?.(options) as never, items, step))).toEqual(
            outcome(sliced(() => oracle.begin?.(options) as never, items, step)),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('fills a payload to maxBytes exactly, in UTF-8 bytes, and drops a record too large alone', () => {
    const encoder = createJsonArrayEncoder(writeStringified);
    const euro = '€'.repeat(100); // 302 bytes as JSON
    const full = encoder.encode([euro, euro, euro], { maxBytes: 2 + 302 * 2 + 1 });
    expect(full).toMatchObject({ recordCount: 2, consumed: 2 });
    expect(Buffer.byteLength(full.payload ?? '')).toBe(2 + 302 * 2 + 1);
    const alone = encoder.encode(['a', 'x'.repeat(500), 'b'], { maxBytes: 100 });
    expect(alone).toMatchObject({
      recordCount: 2,
      failedCount: 1,
      failedIndexes: [1],
      consumed: 3,
    });
    expect(alone.firstError).toBeInstanceOf(RecordTooLargeError);
    expect(JSON.parse(alone.payload ?? '')).toEqual(['a', 'b']);
  });

  it('takes back what a failing record wrote, and the payload goes on', () => {
    const encoder = createJsonArrayEncoder<number>((sink, n) => {
      writeText(sink, `{"n":${n}`);
      if (n === 2) throw new RangeError('half written');
      writeText(sink, '}');
    });
    const result = encoder.encode([1, 2, 3]);
    expect(result).toMatchObject({ recordCount: 2, failedCount: 1, failedIndexes: [1] });
    expect(result.firstError).toBeInstanceOf(RangeError);
    expect(result.payload).toBe('[{"n":1},{"n":3}]');
    expect(encoder.encode([2])).toMatchObject({
      payload: undefined,
      recordCount: 0,
      failedCount: 1,
    });
    expect(encoder.encode([])).toMatchObject({ payload: undefined, recordCount: 0, consumed: 0 });
  });

  it('keeps payloads built at the same time apart, and a builder used after finish() writes nothing', () => {
    const encoder = createJsonArrayEncoder(writeStringified);
    const first = encoder.begin?.();
    const second = encoder.begin?.();
    first?.add(['a1', 'a2'], 0, 1);
    second?.add(['b1', 'b2'], 0, 2);
    first?.add(['a1', 'a2'], 1, 2);
    const a = first?.finish();
    // `first` gave its buffer back: the next builder reuses it, and a late add must not touch it
    const third = encoder.begin?.();
    third?.add(['c1'], 0, 1);
    expect(first?.add(['late'], 0, 1)).toBe(0);
    expect(first?.finish()).toMatchObject({ payload: undefined, recordCount: 0 });
    expect(a?.payload).toBe('["a1","a2"]');
    expect(second?.finish().payload).toBe('["b1","b2"]');
    expect(third?.finish().payload).toBe('["c1"]');
  });

  it('encodes a record whose writer encodes another batch (a getter that logs) apart from it', () => {
    let inner: string | undefined;
    const encoder = createJsonArrayEncoder<string>((sink, item) => {
      if (item === 'outer') inner = encoder.encode(['inner']).payload;
      writeText(sink, JSON.stringify(item));
    });
    expect(encoder.encode(['outer', 'after']).payload).toBe('["outer","after"]');
    expect(inner).toBe('["inner"]');
  });

  it('in bytes, gives the UTF-8 of the same payload, with the same counts', () => {
    const strings = createJsonArrayEncoder(writeStringified);
    const bytes = createJsonArrayBytesEncoder(writeStringified);
    fc.assert(
      fc.property(records, fc.option(fc.integer({ min: 1, max: 3_000 })), (items, maxBytes) => {
        const options = maxBytes === null ? undefined : { maxBytes };
        const { payload, ...counts } = bytes.encode(items, options);
        const expected = strings.encode(items, options);
        expect(outcome({ ...counts, payload: undefined })).toEqual(
          outcome({ ...expected, payload: undefined }),
        );
        if (expected.payload === undefined) expect(payload).toBeUndefined();
        else {
          expect(payload).toBeInstanceOf(Uint8Array);
          expect(Buffer.from(payload ?? []).toString('utf8')).toBe(expected.payload);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('in bytes, hands over a copy: the next payload, written in the same buffer, leaves it be', () => {
    const encoder = createJsonArrayBytesEncoder(writeStringified);
    const first = encoder.encode(['first']).payload;
    encoder.encode(['second, longer']);
    expect(Buffer.from(first ?? []).toString('utf8')).toBe('["first"]');
  });

  it('in bytes, writes the next payload into the memory of one given back (release), only then', () => {
    const encoder = createJsonArrayBytesEncoder(writeStringified);
    const first = encoder.encode(['first, the longest']).payload as Uint8Array;
    const second = encoder.encode(['second']).payload as Uint8Array;
    expect(second.buffer).not.toBe(first.buffer);
    encoder.release?.(first);
    const third = encoder.encode(['third']).payload as Uint8Array;
    expect(third.buffer).toBe(first.buffer);
    expect(Buffer.from(third).toString('utf8')).toBe('["third"]');
    expect(Buffer.from(second).toString('utf8')).toBe('["second"]');
  });

  it('in bytes, payloads in reused memory hold what they should, whatever is given back when', () => {
    const strings = createJsonArrayEncoder(writeStringified);
    const bytes = createJsonArrayBytesEncoder(writeStringified);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(records, fc.boolean()), { minLength: 1, maxLength: 12 }),
        (batches) => {
          const held: { payload: Uint8Array; text: string | undefined }[] = [];
          for (const [items, giveBack] of batches) {
            const payload = bytes.encode(items).payload;
            const text = strings.encode(items).payload;
            if (payload === undefined) continue;
            held.push({ payload, text });
            if (giveBack) bytes.release?.(held.shift()?.payload as Uint8Array);
          }
          // Those not given back are intact, though later payloads reused the others' memory.
          for (const { payload, text } of held) {
            expect(Buffer.from(payload).toString('utf8')).toBe(text);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
