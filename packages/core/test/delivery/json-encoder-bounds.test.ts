import { describe, expect, it } from 'vitest';
import { createJsonEncoder, RecordTooLargeError } from '../../src/index.js';

// maxBytes: a payload holds as many records as fit, in bytes of UTF-8; a record that does not fit
// even alone is dropped for its own size, and the payload goes on without it.

const text = (length: number, char = 'a'): string => char.repeat(length);

describe('createJsonEncoder with maxBytes', () => {
  it.each([
    ['array', (n: number) => 2 + n * 102 + (n - 1)],
    ['ndjson', (n: number) => n * 103],
  ] as const)(
    '%s: fills a payload up to maxBytes, exactly, and leaves the rest',
    (format, size) => {
      const encoder = createJsonEncoder<string>({ format });
      const items = Array.from({ length: 10 }, () => text(100)); // 102 bytes each as JSON
      const maxBytes = size(3);
      const result = encoder.encode(items, { maxBytes });
      expect(result).toMatchObject({ recordCount: 3, failedCount: 0, consumed: 3 });
      expect(Buffer.byteLength(result.payload ?? '')).toBe(maxBytes);
      expect(encoder.encode(items, { maxBytes: maxBytes - 1 })).toMatchObject({ consumed: 2 });
    },
  );

  it('counts multi-byte characters as UTF-8 bytes, not string length', () => {
    const encoder = createJsonEncoder<string>();
    const euro = text(1000, '€'); // 3,000 bytes of UTF-8, 1,000 UTF-16 units
    const result = encoder.encode([euro, euro, euro], { maxBytes: 6_100 });
    expect(result).toMatchObject({ recordCount: 2, consumed: 2 });
    expect(Buffer.byteLength(result.payload ?? '')).toBeLessThanOrEqual(6_100);
  });

  it('drops a record too large even alone, and goes on with the next ones', () => {
    const encoder = createJsonEncoder<string>();
    const result = encoder.encode(['small', text(5_000), 'after'], { maxBytes: 1_000 });
    expect(result).toMatchObject({
      recordCount: 2,
      failedCount: 1,
      failedIndexes: [1],
      consumed: 3,
    });
    expect(JSON.parse(result.payload ?? '')).toEqual(['small', 'after']);
    expect(result.firstError).toBeInstanceOf(RecordTooLargeError);
    expect((result.firstError as Error).message).toMatch(/5004 bytes, more than .*\(1000\)/);
  });

  it('built in slices, gives the same payload as in one call', () => {
    const encoder = createJsonEncoder<unknown>();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const items: unknown[] = [1, 'two', circular, { four: 4 }, [5], null, 'seven'];
    const whole = encoder.encode(items);
    const builder = encoder.begin?.();
    expect(builder).toBeDefined();
    let position = 0;
    while (position < items.length) {
      position = builder?.add(items, position, Math.min(position + 2, items.length)) ?? Infinity;
    }
    expect(builder?.finish()).toEqual(whole);
    expect(whole).toMatchObject({ recordCount: 6, failedIndexes: [2], consumed: 7 });
  });

  it('takes nothing more once a payload is full', () => {
    const builder = createJsonEncoder<string>().begin?.({ maxBytes: 20 });
    const items = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc'];
    expect(builder?.add(items, 0, 3)).toBe(1);
    expect(builder?.add(items, 1, 3)).toBe(1);
    expect(builder?.finish()).toMatchObject({ recordCount: 1, consumed: 1 });
  });
});

describe('createJsonEncoder with write', () => {
  it('joins the pieces a record appends, and takes back those of a record that throws', () => {
    const encoder = createJsonEncoder<number>({
      write: (n, out) => {
        out.push('{"n":', String(n));
        if (n === 2) throw new Error('half written');
        out.push('}');
      },
    });
    const result = encoder.encode([1, 2, 3]);
    expect(JSON.parse(result.payload ?? '')).toEqual([{ n: 1 }, { n: 3 }]);
    expect(result).toMatchObject({ recordCount: 2, failedIndexes: [1], consumed: 3 });
    expect((result.firstError as Error).message).toBe('half written');
  });

  it('fails a record that writes nothing, and refuses a write that is not a function', () => {
    const encoder = createJsonEncoder<number>({
      write: (n, out) => {
        if (n !== 0) out.push(String(n));
      },
      format: 'ndjson',
    });
    expect(encoder.encode([0, 1, 2])).toMatchObject({
      payload: '1\n2\n',
      failedIndexes: [0],
    });
    expect(() => createJsonEncoder({ write: 5 as never })).toThrow(
      'write must be a function, got 5',
    );
  });

  it('bounds pieces by their UTF-8 bytes as it bounds whole texts', () => {
    const encoder = createJsonEncoder<string>({
      write: (s, out) => out.push('"', s, '"'),
    });
    const euro = '€'.repeat(1000);
    const result = encoder.encode([euro, euro, euro], { maxBytes: 6_100 });
    expect(result).toMatchObject({ recordCount: 2, consumed: 2 });
    expect(Buffer.byteLength(result.payload ?? '')).toBe(6_007);
  });
});
