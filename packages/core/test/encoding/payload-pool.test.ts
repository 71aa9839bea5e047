import { describe, expect, it } from 'vitest';
import { PayloadPool } from '../../src/encoding/payload-pool.js';

/** The memory behind a payload, to tell reused buffers from fresh ones. */
const memoryOf = (payload: Uint8Array): ArrayBufferLike => payload.buffer;

describe('PayloadPool', () => {
  it('hands out buffers of exactly the length asked, fresh while none was given back', () => {
    const pool = new PayloadPool();
    const first = pool.take(1000);
    const second = pool.take(1000);
    expect([first.length, second.length]).toEqual([1000, 1000]);
    expect(memoryOf(second)).not.toBe(memoryOf(first));
  });

  it('reuses the memory of a payload given back, for a payload as large or smaller', () => {
    const pool = new PayloadPool();
    const first = pool.take(10_000);
    pool.give(first);
    const smaller = pool.take(6_000);
    expect(memoryOf(smaller)).toBe(memoryOf(first));
    expect(smaller.length).toBe(6_000);
    pool.give(smaller);
    // A little larger fits too: fresh buffers have room to spare.
    expect(memoryOf(pool.take(10_500))).toBe(memoryOf(first));
  });

  it('replaces a buffer given back that is too small for the next payload', () => {
    const pool = new PayloadPool();
    const small = pool.take(1_000);
    pool.give(small);
    const large = pool.take(1_000_000);
    expect(large.length).toBe(1_000_000);
    expect(memoryOf(large)).not.toBe(memoryOf(small));
  });

  it('takes a payload back once: giving it twice never lends its memory to two payloads', () => {
    const pool = new PayloadPool();
    const payload = pool.take(500);
    pool.give(payload);
    pool.give(payload);
    const a = pool.take(500);
    const b = pool.take(500);
    expect(memoryOf(a)).not.toBe(memoryOf(b));
  });

  it('ignores what it did not lend: other buffers, views of its payloads, strings', () => {
    const pool = new PayloadPool();
    const payload = pool.take(500);
    pool.give(Buffer.alloc(500));
    pool.give(new Uint8Array(500));
    pool.give(payload.subarray(0, 100));
    pool.give('text');
    pool.give(undefined);
    expect(memoryOf(pool.take(500))).not.toBe(memoryOf(payload));
    // The payload itself is still its to take back.
    pool.give(payload);
    expect(memoryOf(pool.take(500))).toBe(memoryOf(payload));
  });

  it('does not reuse a payload whose memory moved to another thread', () => {
    const pool = new PayloadPool();
    const payload = pool.take(500);
    structuredClone(payload.buffer, { transfer: [payload.buffer as ArrayBuffer] });
    expect(payload.buffer.byteLength).toBe(0);
    pool.give(payload);
    const next = pool.take(500);
    expect(next.length).toBe(500);
    next.fill(7);
    expect(next[499]).toBe(7);
  });

  it('keeps at most four idle buffers, none larger than 8 MiB', () => {
    const pool = new PayloadPool();
    const payloads = Array.from({ length: 6 }, () => pool.take(100));
    for (const payload of payloads) pool.give(payload);
    const memories = new Set(payloads.map(memoryOf));
    const reused = Array.from({ length: 6 }, () => pool.take(100)).filter((p) =>
      memories.has(memoryOf(p)),
    );
    expect(reused).toHaveLength(4);

    const huge = pool.take(9 * 1024 * 1024);
    pool.give(huge);
    expect(memoryOf(pool.take(9 * 1024 * 1024))).not.toBe(memoryOf(huge));
  });
});
