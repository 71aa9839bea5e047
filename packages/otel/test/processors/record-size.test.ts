import { describe, expect, it, vi } from 'vitest';
import { estimateLogRecordBytes, type ReporterLogRecord } from '../../src/index.js';

// The byte estimate behind maxQueueBytes, as documented: 96 bytes per record; strings by length;
// numbers 8; two levels deep; the first 64 entries of an object or array looked at, and 32 bytes
// for each entry past them.

function withBody(body: unknown): ReporterLogRecord {
  return {
    hrTime: [0, 0],
    attributes: {},
    body,
    resource: { attributes: {} },
    instrumentationScope: { name: 'size' },
  } as unknown as ReporterLogRecord;
}

/** A body with `count` keys `k0`, `k1`… whose values are `value`. */
function manyKeys(count: number, value: unknown = 1): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) body[`k${i}`] = value;
  return body;
}

const EMPTY = estimateLogRecordBytes(withBody(undefined)); // the fixed cost, attributes `{}` included

// Bodies of 100,000 and 1,000,000 keys take seconds to build on a loaded machine: the timeout
// is a hang guard only (the walk is bounded by counting Object.keys calls, not by time).
describe('estimateLogRecordBytes', { timeout: 60_000 }, () => {
  it('counts strings by length, numbers 8, keys by length plus 2, and 2 per object', () => {
    expect(estimateLogRecordBytes(withBody('hello'))).toBe(EMPTY + 5);
    expect(estimateLogRecordBytes(withBody({ ab: 'xyz', n: 1 }))).toBe(
      EMPTY + 2 + (2 + 2 + 3) + (1 + 2 + 8),
    );
  });

  it('counts 32 bytes for EACH entry past the first 64, so the estimate grows with the key count', () => {
    const at64 = estimateLogRecordBytes(withBody(manyKeys(64)));
    expect(estimateLogRecordBytes(withBody(manyKeys(65)))).toBe(at64 + 32);
    expect(estimateLogRecordBytes(withBody(manyKeys(100_000)))).toBe(at64 + (100_000 - 64) * 32);
  });

  it('bounds a 100,000-entry x 1 KB body from below by 32 bytes per entry, not 64 KB in all', () => {
    const body = manyKeys(100_000, 'x'.repeat(1024));
    expect(estimateLogRecordBytes(withBody(body))).toBeGreaterThan(100_000 * 32);
  });

  it('counts arrays the same way, by their length', () => {
    const at64 = estimateLogRecordBytes(withBody(new Array(64).fill(1)));
    expect(estimateLogRecordBytes(withBody(new Array(1000).fill(1)))).toBe(at64 + (1000 - 64) * 32);
  });

  it('counts own enumerable keys only, as JSON encodes them', () => {
    const inherited = Object.create({ big: 'x'.repeat(10_000) }) as Record<string, unknown>;
    inherited.own = 'ab';
    expect(estimateLogRecordBytes(withBody(inherited))).toBe(EMPTY + 2 + (3 + 2 + 2));
  });

  it('lists the keys of a 1,000,000-key body once and looks into at most 64 values: no walk', () => {
    // Every value is the same small object: looking into a value lists its keys, so the calls
    // to Object.keys tell how many values were visited, with no proxy slowing the listing.
    const leaf = { a: 1 };
    const body = manyKeys(1_000_000, leaf);
    const keys = vi.spyOn(Object, 'keys');
    const bytes = estimateLogRecordBytes(withBody(body));
    const listed = keys.mock.calls.map(([target]) => target);
    expect(listed.filter((target) => target === body)).toHaveLength(1);
    expect(listed.filter((target) => target === leaf).length).toBeLessThanOrEqual(64);
    expect(bytes).toBeGreaterThan((1_000_000 - 64) * 32);
  });
});
