import { describe, expect, it } from 'vitest';
import {
  type BatchSerializer,
  encodeIsolating,
  MAX_FAILED_ATTEMPTS,
} from '../src/otlp/isolating-encode.js';
import { isUnwalkable, MAX_WALK_DEPTH } from '../src/otlp/unwalkable.js';

interface Item {
  readonly id: number;
  readonly bad?: 'visible' | 'hidden';
}

/** A serializer that, like OTLP's, fails a whole batch for one bad item; counts its calls. */
function serializer() {
  const calls = { ok: 0, failed: 0 };
  const serialize: BatchSerializer<Item> = (items) => {
    if (items.some((item) => item.bad !== undefined)) {
      calls.failed++;
      throw new RangeError('Maximum call stack size exceeded');
    }
    calls.ok++;
    return new TextEncoder().encode(items.map((item) => item.id).join(','));
  };
  return { calls, serialize };
}

const items = (n: number, bad: Record<number, Item['bad']> = {}): Item[] =>
  Array.from({ length: n }, (_, id) => (bad[id] ? { id, bad: bad[id] } : { id }));
const ids = (payload: Uint8Array | undefined) =>
  new TextDecoder().decode(payload).split(',').map(Number);
const visible = (item: Item) => item.bad === 'visible';

describe('encodeIsolating', () => {
  it('one call when the whole batch serialises', () => {
    const { calls, serialize } = serializer();
    const encoded = encodeIsolating(items(100), { serialize, isUnencodable: visible });
    expect(encoded).toMatchObject({ recordCount: 100, failedCount: 0 });
    expect(calls).toEqual({ ok: 1, failed: 0 });
  });

  it('items the cheap check flags cost two calls in all', () => {
    const { calls, serialize } = serializer();
    const encoded = encodeIsolating(items(100, { 3: 'visible', 60: 'visible' }), {
      serialize,
      isUnencodable: visible,
    });
    expect(encoded).toMatchObject({ recordCount: 98, failedCount: 2, failedIndexes: [3, 60] });
    expect(encoded.firstError).toBeInstanceOf(RangeError);
    expect(calls).toEqual({ ok: 1, failed: 1 });
    expect(ids(encoded.payload)).not.toContain(3);
  });

  it('bisects what only the serializer sees, in about k·log2(n) calls', () => {
    const { calls, serialize } = serializer();
    const encoded = encodeIsolating(items(1000, { 0: 'hidden', 517: 'hidden', 999: 'hidden' }), {
      serialize,
      isUnencodable: visible,
    });
    expect(encoded).toMatchObject({ recordCount: 997, failedIndexes: [0, 517, 999] });
    expect(ids(encoded.payload)).toHaveLength(997);
    expect(calls.failed).toBeLessThanOrEqual(2 + 3 * Math.ceil(Math.log2(1000)));
  });

  it(`stops bisecting after ${MAX_FAILED_ATTEMPTS} failed calls and drops what is unresolved`, () => {
    const { calls, serialize } = serializer();
    const bad = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [i * 5, 'hidden' as const]),
    );
    const encoded = encodeIsolating(items(500, bad), { serialize, isUnencodable: visible });
    // the whole batch, the batch without flagged items, the budget, the final one
    expect(calls.failed).toBeLessThanOrEqual(MAX_FAILED_ATTEMPTS + 3);
    expect(encoded.recordCount + encoded.failedCount).toBe(500);
    expect(encoded.failedIndexes).toEqual(expect.arrayContaining(Object.keys(bad).map(Number)));
    expect(ids(encoded.payload)).toHaveLength(encoded.recordCount);
    expect(ids(encoded.payload).every((id) => id % 5 !== 0)).toBe(true);
  });

  it('an item that fails only in company loses the batch, counted', () => {
    let n = 0;
    const flaky: BatchSerializer<Item> = (batch) => {
      if (batch.length > 1 || ++n === 1) throw new Error('flaky');
      return new Uint8Array([1]);
    };
    const encoded = encodeIsolating(items(4), { serialize: flaky, isUnencodable: () => false });
    expect(encoded).toMatchObject({ payload: undefined, recordCount: 0, failedCount: 4 });
  });

  it('a serializer returning no payload counts as failing', () => {
    const encoded = encodeIsolating(items(3), {
      serialize: () => undefined,
      isUnencodable: () => false,
    });
    expect(encoded).toMatchObject({ payload: undefined, failedCount: 3 });
    expect(encoded.firstError).toBeInstanceOf(TypeError);
  });
});

describe('isUnwalkable', () => {
  const cyclic = () => {
    const value: Record<string, unknown> = { a: [1, 2] };
    (value.a as unknown[]).push({ back: value });
    return value;
  };
  const shared = { x: 1 };

  it.each([
    ['plain values', () => ['text', 1, true, null, undefined, { a: { b: [1, 'c'] } }], false],
    [
      'a shared, not circular, object',
      () => [{ left: shared, right: shared }, [shared, shared]],
      false,
    ],
    ['bytes', () => [new Uint8Array(10), { data: new Float64Array(3) }], false],
    ['a cycle through an array', () => [cyclic()], true],
    [
      'an array that contains itself',
      () => {
        const a: unknown[] = [];
        a.push(a);
        return [a];
      },
      true,
    ],
    [
      'a throwing getter',
      () => [
        {
          get x() {
            throw new Error('no');
          },
        },
      ],
      true,
    ],
    [
      'a throwing read',
      () => {
        throw new Error('no');
      },
      true,
    ],
  ] as const)('%s -> %s', (_, read, expected) => {
    expect(isUnwalkable(read as () => unknown[])).toBe(expected);
  });

  it(`flags a value nested deeper than ${MAX_WALK_DEPTH} levels, not one that deep`, () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { x: value } : [value];
      return value;
    };
    expect(isUnwalkable(() => [nest(MAX_WALK_DEPTH)])).toBe(false);
    expect(isUnwalkable(() => [nest(MAX_WALK_DEPTH + 1)])).toBe(true);
    expect(isUnwalkable(() => [nest(10_000)])).toBe(true);
  });
});
