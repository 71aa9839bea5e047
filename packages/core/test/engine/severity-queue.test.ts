import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeverityQueue } from '../../src/internal.js';

interface Entry {
  id: number;
  severity: number;
  bytes: number;
}

describe('SeverityQueue', () => {
  it('takes in emission order whatever the severities', () => {
    const queue = new SeverityQueue<number>(10);
    const severities = [9, 5, 17, 0, 5, 21];
    for (const [id, severity] of severities.entries()) queue.push(id, severity, 1);
    expect(queue.take(4)).toEqual([0, 1, 2, 3]);
    expect(queue.take(10)).toEqual([4, 5]);
    expect(queue.size).toBe(0);
  });

  it('evicts the oldest record of the lowest severity present', () => {
    const queue = new SeverityQueue<string>(10);
    queue.push('info-1', 9, 1);
    queue.push('debug-1', 5, 1);
    queue.push('error-1', 17, 1);
    queue.push('debug-2', 5, 1);
    expect(queue.lowestSeverity()).toBe(5);
    expect(queue.evictLowest()).toBe('debug-1');
    expect(queue.lastEvictedSeverity).toBe(5);
    expect(queue.evictLowest()).toBe('debug-2');
    expect(queue.evictLowest()).toBe('info-1');
    expect(queue.lowestSeverity()).toBe(17);
    expect(queue.take(5)).toEqual(['error-1']);
    expect(queue.lowestSeverity()).toBe(-1);
    expect(queue.evictLowest()).toBeUndefined();
  });

  it('ranks records without severity lowest', () => {
    const queue = new SeverityQueue<string>(4);
    queue.push('trace', 1, 1);
    queue.push('none', 0, 1);
    expect(queue.evictLowest()).toBe('none');
    expect(queue.lastEvictedSeverity).toBe(0);
  });

  it('keeps the byte total and the positions', () => {
    const queue = new SeverityQueue<string>(4);
    expect(queue.headPosition).toBe(0);
    queue.push('a', 9, 100);
    queue.push('b', 5, 20);
    queue.push('c', 9, 3);
    expect(queue.bytes).toBe(123);
    expect(queue.evictLowest()).toBe('b');
    expect(queue.bytes).toBe(103);
    expect(queue.headPosition).toBe(0); // 'a' is still the oldest
    expect(queue.evictOldest()).toBe('a');
    expect(queue.headPosition).toBe(2);
    expect(queue.tailPosition).toBe(3);
    expect(queue.clear()).toBe(1);
    expect(queue.bytes).toBe(0);
    expect(queue.headPosition).toBe(3);
  });

  it('tells how many bytes rank strictly below a class', () => {
    const queue = new SeverityQueue<string>(10);
    queue.push('none', 0, 7);
    queue.push('debug', 5, 100);
    queue.push('error', 17, 900);
    queue.push('debug-2', 5, 20);
    expect(queue.bytesBelow(0)).toBe(0);
    expect(queue.bytesBelow(5)).toBe(7);
    expect(queue.bytesBelow(13)).toBe(127);
    expect(queue.bytesBelow(24)).toBe(1027);
    queue.evictLowest();
    queue.take(1); // 'debug'
    expect(queue.bytesBelow(13)).toBe(20);
  });

  it('keeps fractional byte estimates from drifting once a class empties', () => {
    const queue = new SeverityQueue<number>(10);
    for (let i = 0; i < 3; i++) queue.push(i, 9, 0.1);
    queue.push(3, 17, 0.2);
    queue.take(3);
    expect(queue.bytesBelow(17)).toBe(0);
    queue.take(1);
    expect(queue.bytes).toBe(0);
  });

  it('exposes the severity of the last eviction read-only', () => {
    const queue = new SeverityQueue<string>(4);
    queue.push('debug', 5, 1);
    queue.evictOldest();
    expect(queue.lastEvictedSeverity).toBe(5);
    expect(() => {
      (queue as { lastEvictedSeverity: number }).lastEvictedSeverity = 21;
    }).toThrow(TypeError);
    expect(queue.lastEvictedSeverity).toBe(5);
  });

  it('refuses a push when full and grows its pool up to the capacity', () => {
    const queue = new SeverityQueue<number>(3000);
    for (let i = 0; i < 3000; i++) expect(queue.push(i, i % 25, 1)).toBe(true);
    expect(queue.isFull).toBe(true);
    expect(queue.push(3000, 0, 1)).toBe(false);
    expect(queue.take(3000)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('rejects a bad capacity', () => {
    expect(() => new SeverityQueue(0)).toThrow('capacity must be an integer >= 1, got 0');
  });

  // 300 fast-check runs: CPU-bound, seconds on a loaded machine; the timeout is a hang guard.
  it('matches a plain-array model under random operations', { timeout: 30_000 }, () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('push' as const),
        severity: fc.integer({ min: 0, max: 24 }),
        bytes: fc.integer({ min: 0, max: 1000 }),
      }),
      fc.record({ kind: fc.constant('take' as const), count: fc.integer({ min: 0, max: 6 }) }),
      fc.constant({ kind: 'evictLowest' as const }),
      fc.constant({ kind: 'evictOldest' as const }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(op, { maxLength: 200 }),
        (capacity, ops) => {
          const queue = new SeverityQueue<Entry>(capacity);
          let model: Entry[] = [];
          let nextId = 0;
          for (const o of ops) {
            if (o.kind === 'push') {
              const entry = { id: nextId++, severity: o.severity, bytes: o.bytes };
              const pushed = queue.push(entry, entry.severity, entry.bytes);
              expect(pushed).toBe(model.length < capacity);
              if (pushed) model.push(entry);
              else nextId--;
            } else if (o.kind === 'take') {
              expect(queue.take(o.count)).toEqual(model.slice(0, o.count));
              model = model.slice(o.count);
            } else if (o.kind === 'evictOldest') {
              expect(queue.evictOldest()).toEqual(model.shift());
            } else {
              const lowest = Math.min(...model.map((e) => e.severity));
              const index = model.findIndex((e) => e.severity === lowest);
              const expected = index === -1 ? undefined : model.splice(index, 1)[0];
              expect(queue.evictLowest()).toEqual(expected);
            }
            expect(queue.size).toBe(model.length);
            expect(queue.bytes).toBe(model.reduce((sum, e) => sum + e.bytes, 0));
            expect(queue.lowestSeverity()).toBe(
              model.length === 0 ? -1 : Math.min(...model.map((e) => e.severity)),
            );
            expect(queue.headPosition).toBe(model[0]?.id ?? nextId);
            for (const severity of [0, 1, 5, 12, 24]) {
              const below = model.filter((e) => e.severity < severity);
              expect(queue.bytesBelow(severity)).toBe(below.reduce((sum, e) => sum + e.bytes, 0));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
