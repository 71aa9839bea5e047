import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/internal.js';
import { range } from '../helpers/controlled-export.js';

/** Pushes every item, asserting each was accepted. */
function fill<T>(buffer: RingBuffer<T>, items: readonly T[]): void {
  for (const item of items) expect(buffer.push(item)).toBe(true);
}

describe('RingBuffer order', () => {
  it('shifts items in the order they were pushed', () => {
    const buffer = new RingBuffer<string>(8);
    fill(buffer, ['a', 'b', 'c']);
    expect(buffer.size).toBe(3);
    expect(buffer.shift()).toBe('a');
    expect(buffer.shift()).toBe('b');
    expect(buffer.shift()).toBe('c');
    expect(buffer.shift()).toBeUndefined();
    expect(buffer.size).toBe(0);
  });

  it('takes up to count of the oldest items, oldest first', () => {
    const buffer = new RingBuffer<number>(10);
    fill(buffer, range(7));
    expect(buffer.take(3)).toEqual([0, 1, 2]);
    expect(buffer.size).toBe(4);
    expect(buffer.take(100)).toEqual([3, 4, 5, 6]);
    expect(buffer.take(5)).toEqual([]);
    expect(buffer.take(0)).toEqual([]);
    expect(buffer.size).toBe(0);
  });

  it('mixes shift and take without losing or reordering items', () => {
    const buffer = new RingBuffer<number>(10);
    fill(buffer, range(5));
    expect(buffer.shift()).toBe(0);
    fill(buffer, range(3, 5));
    expect(buffer.take(4)).toEqual([1, 2, 3, 4]);
    expect(buffer.shift()).toBe(5);
    expect(buffer.take(10)).toEqual([6, 7]);
  });

  it('keeps order across many wrap-arounds of the storage', () => {
    const buffer = new RingBuffer<number>(16);
    let next = 0;
    let expected = 0;
    // up to 5 in, 4 out per cycle: the head laps the 16 slots many times, the buffer near full
    for (let cycle = 0; cycle < 500; cycle++) {
      for (let i = 0; i < 5 && !buffer.isFull; i++) expect(buffer.push(next++)).toBe(true);
      for (let i = 0; i < 4; i++) expect(buffer.shift()).toBe(expected++);
    }
    expect(buffer.size).toBe(12);
    for (const item of buffer.take(buffer.size)) expect(item).toBe(expected++);
    expect(expected).toBe(next);
    expect(next).toBeGreaterThan(16 * 100);
  });

  it('keeps order while growing with a wrapped head', () => {
    const buffer = new RingBuffer<number>(100);
    fill(buffer, range(10));
    expect(buffer.take(7)).toEqual(range(7)); // the head sits mid-storage
    fill(buffer, range(60, 10)); // grows from 16 slots while wrapped
    expect(buffer.size).toBe(63);
    expect(buffer.take(63)).toEqual(range(63, 7));
  });
});

describe('RingBuffer capacity', () => {
  it('grows up to a non-power-of-two capacity, keeping order, then refuses', () => {
    const buffer = new RingBuffer<number>(1000);
    expect(buffer.capacity).toBe(1000);
    fill(buffer, range(1000));
    expect(buffer.size).toBe(1000);
    expect(buffer.isFull).toBe(true);
    expect(buffer.push(1000)).toBe(false);
    expect(buffer.size).toBe(1000);
    expect(buffer.take(1000)).toEqual(range(1000));
  });

  it('refuses a push when full without storing the item, and accepts again after a shift', () => {
    const buffer = new RingBuffer<string>(3);
    fill(buffer, ['a', 'b', 'c']);
    expect(buffer.isFull).toBe(true);
    expect(buffer.push('d')).toBe(false);
    expect(buffer.tailPosition).toBe(3);
    expect(buffer.shift()).toBe('a');
    expect(buffer.isFull).toBe(false);
    expect(buffer.push('e')).toBe(true);
    expect(buffer.take(3)).toEqual(['b', 'c', 'e']);
  });

  it('holds exactly one item with capacity 1', () => {
    const buffer = new RingBuffer<number>(1);
    expect(buffer.push(1)).toBe(true);
    expect(buffer.push(2)).toBe(false);
    expect(buffer.shift()).toBe(1);
    expect(buffer.push(3)).toBe(true);
    expect(buffer.take(5)).toEqual([3]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects capacity %s with a TypeError', (capacity) => {
    expect(() => new RingBuffer<number>(capacity)).toThrow(TypeError);
    expect(() => new RingBuffer<number>(capacity)).toThrow(
      `capacity must be an integer >= 1, got ${String(capacity)}`,
    );
  });
});

describe('RingBuffer positions', () => {
  it('counts pushes in tailPosition and removals in headPosition', () => {
    const buffer = new RingBuffer<number>(4);
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([0, 0]);
    fill(buffer, range(3));
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([0, 3]);
    buffer.shift();
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([1, 3]);
    buffer.take(2);
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([3, 3]);
    fill(buffer, range(4));
    expect(buffer.push(99)).toBe(false); // a refused push does not move the tail
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([3, 7]);
    expect(buffer.shift()).toBe(0);
    expect(buffer.shift()).toBe(1);
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([5, 7]);
  });

  it('does not move positions when shifting or taking from an empty buffer', () => {
    const buffer = new RingBuffer<number>(4);
    fill(buffer, range(2));
    buffer.take(2);
    expect(buffer.shift()).toBeUndefined();
    expect(buffer.take(3)).toEqual([]);
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([2, 2]);
  });

  it('clear() removes everything, returns the count and advances the head to the tail', () => {
    const buffer = new RingBuffer<number>(50);
    fill(buffer, range(20));
    buffer.shift();
    expect(buffer.clear()).toBe(19);
    expect(buffer.size).toBe(0);
    expect(buffer.isFull).toBe(false);
    expect(buffer.shift()).toBeUndefined();
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([20, 20]);
    expect(buffer.clear()).toBe(0);
    fill(buffer, [7, 8]);
    expect(buffer.take(5)).toEqual([7, 8]);
    expect([buffer.headPosition, buffer.tailPosition]).toEqual([22, 22]);
  });
});

type Op =
  | { readonly kind: 'push'; readonly value: number }
  | { readonly kind: 'shift' }
  | { readonly kind: 'take'; readonly count: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.integer().map((value): Op => ({ kind: 'push', value })), weight: 5 },
  { arbitrary: fc.constant<Op>({ kind: 'shift' }), weight: 2 },
  { arbitrary: fc.nat({ max: 40 }).map((count): Op => ({ kind: 'take', count })), weight: 1 },
);

describe('RingBuffer against an array model', () => {
  it('behaves like a bounded array under any sequence of push, shift and take', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(opArbitrary, { maxLength: 400 }),
        (capacity, ops) => {
          const buffer = new RingBuffer<number>(capacity);
          const model: number[] = [];
          let removed = 0;
          for (const op of ops) {
            if (op.kind === 'push') {
              const fits = model.length < capacity;
              expect(buffer.push(op.value)).toBe(fits);
              if (fits) model.push(op.value);
            } else if (op.kind === 'shift') {
              if (model.length > 0) removed++;
              expect(buffer.shift()).toBe(model.shift());
            } else {
              const expected = model.splice(0, op.count);
              removed += expected.length;
              expect(buffer.take(op.count)).toEqual(expected);
            }
            expect(buffer.size).toBe(model.length);
            expect(buffer.isFull).toBe(model.length === capacity);
            expect(buffer.headPosition).toBe(removed);
            expect(buffer.tailPosition).toBe(removed + model.length);
          }
          expect(buffer.take(capacity)).toEqual(model);
        },
      ),
      { numRuns: 300 },
    );
  });
});
