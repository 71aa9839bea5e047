import { describe, expect, it } from 'vitest';
import { createJsonEncoder, type JsonEncoderOptions } from '../../src/index.js';

interface Circular {
  name: string;
  self?: Circular;
}

function circular(): Circular {
  const value: Circular = { name: 'loop' };
  value.self = value;
  return value;
}

function throwingGetter(): object {
  return Object.defineProperty({ name: 'getter' }, 'broken', {
    enumerable: true,
    get() {
      throw new Error('getter exploded');
    },
  });
}

const throwingToJson = {
  toJSON(): never {
    throw new Error('toJSON exploded');
  },
};

describe('createJsonEncoder formats', () => {
  it('encodes a batch as one JSON array by default', () => {
    const items = [{ a: 1 }, 'two', 3, null, [4]];
    const encoded = createJsonEncoder<unknown>().encode(items);
    expect(encoded.payload).toBe('[{"a":1},"two",3,null,[4]]');
    expect(JSON.parse(encoded.payload ?? '')).toEqual(items);
    expect(encoded).toMatchObject({ recordCount: 5, failedCount: 0 });
    expect(encoded.firstError).toBeUndefined();
  });

  it("encodes one document per line, each ending in '\\n', with format 'ndjson'", () => {
    const items = [{ a: 1 }, { b: 'x\ny' }, 3];
    const encoded = createJsonEncoder<unknown>({ format: 'ndjson' }).encode(items);
    expect(encoded.payload).toBe('{"a":1}\n{"b":"x\\ny"}\n3\n');
    const lines = (encoded.payload ?? '').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line) as unknown)).toEqual(items);
    expect(encoded.recordCount).toBe(3);
  });

  it('serialises what map returns', () => {
    const encoder = createJsonEncoder<{ id: number; secret: string }>({
      map: (item) => ({ id: item.id }),
    });
    expect(encoder.encode([{ id: 1, secret: 's' }]).payload).toBe('[{"id":1}]');
  });

  it('returns no payload for an empty batch', () => {
    expect(createJsonEncoder<unknown>().encode([])).toMatchObject({
      payload: undefined,
      recordCount: 0,
      failedCount: 0,
    });
  });
});

describe('createJsonEncoder per-record isolation', () => {
  it.each<[string, unknown]>([
    ['a circular object', circular()],
    ['a BigInt', 10n],
    ['an object holding a BigInt', { count: 10n }],
    ['an object with a throwing toJSON', throwingToJson],
    ['an object with a throwing getter', throwingGetter()],
    ['a top-level function', () => 1],
    ['a top-level symbol', Symbol('s')],
    ['a top-level undefined', undefined],
  ])('drops %s alone and encodes the rest', (_label, bad) => {
    for (const format of ['array', 'ndjson'] as const) {
      const encoded = createJsonEncoder<unknown>({ format }).encode([{ n: 1 }, bad, { n: 2 }]);
      expect(encoded.recordCount).toBe(2);
      expect(encoded.failedCount).toBe(1);
      expect(encoded.firstError).toBeInstanceOf(Error);
      expect(encoded.payload).toBe(format === 'array' ? '[{"n":1},{"n":2}]' : '{"n":1}\n{"n":2}\n');
    }
  });

  it('drops the record whose map throws, and only that one', () => {
    const failure = new Error('map exploded');
    const encoder = createJsonEncoder<number>({
      map: (n) => {
        if (n === 2) throw failure;
        return { n };
      },
    });
    const encoded = encoder.encode([1, 2, 3]);
    expect(encoded).toMatchObject({ recordCount: 2, failedCount: 1 });
    expect(encoded.firstError).toBe(failure);
    expect(JSON.parse(encoded.payload ?? '')).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('reports the first error and counts every failure', () => {
    const encoded = createJsonEncoder<unknown>().encode([1, circular(), 2, 5n, throwingToJson, 3]);
    expect(encoded).toMatchObject({ recordCount: 3, failedCount: 3 });
    expect(encoded.firstError).toBeInstanceOf(TypeError);
    expect(String(encoded.firstError)).toMatch(/circular/i);
    expect(encoded.payload).toBe('[1,2,3]');
  });

  it('nests nothing of a dropped record: the payload is still valid JSON', () => {
    const items = [{ ok: true }, { nested: { deeper: circular() } }, { ok: false }];
    const encoded = createJsonEncoder<unknown>().encode(items);
    expect(JSON.parse(encoded.payload ?? '')).toEqual([{ ok: true }, { ok: false }]);
  });

  it('returns no payload when every record fails', () => {
    for (const format of ['array', 'ndjson'] as const) {
      const encoded = createJsonEncoder<unknown>({ format }).encode([circular(), 1n, undefined]);
      expect(encoded.payload).toBeUndefined();
      expect(encoded).toMatchObject({ recordCount: 0, failedCount: 3 });
      expect(encoded.firstError).toBeInstanceOf(TypeError);
    }
  });

  it('keeps a value nested under a key even when it serialises to nothing there', () => {
    // JSON.stringify omits undefined and function properties inside objects: not a failure
    const encoded = createJsonEncoder<unknown>().encode([{ a: undefined, b: () => 1, c: 1 }]);
    expect(encoded).toMatchObject({ payload: '[{"c":1}]', recordCount: 1, failedCount: 0 });
  });
});

describe('createJsonEncoder strings', () => {
  it('escapes a lone UTF-16 surrogate so the payload is valid JSON that round-trips', () => {
    const items = [{ msg: 'broken \uD800 high' }, { msg: 'broken \uDC00 low' }, '\uD83D'];
    for (const format of ['array', 'ndjson'] as const) {
      const encoded = createJsonEncoder<unknown>({ format }).encode(items);
      const payload = encoded.payload ?? '';
      expect(payload).toContain('\\ud800');
      expect(payload).toContain('\\udc00');
      expect(payload).toContain('\\ud83d');
      // no unpaired surrogate left in the payload itself: it encodes to UTF-8 without loss
      expect(Buffer.from(payload, 'utf8').toString('utf8')).toBe(payload);
      const decoded =
        format === 'array'
          ? (JSON.parse(payload) as unknown)
          : payload
              .trimEnd()
              .split('\n')
              .map((line) => JSON.parse(line) as unknown);
      expect(decoded).toEqual(items);
    }
  });

  it('keeps a well-formed surrogate pair as is', () => {
    const encoded = createJsonEncoder<string>().encode(['\uD83D\uDE00']);
    expect(encoded.payload).toBe('["\uD83D\uDE00"]');
  });
});

describe('createJsonEncoder options', () => {
  it.each<[string, JsonEncoderOptions<unknown>, RegExp]>([
    ['map: 5', { map: 5 as never }, /^map must be a function, got 5$/],
    ['map: null', { map: null as never }, /^map must be a function, got null$/],
    ['map: a string', { map: 'id' as never }, /^map must be a function, got 'id'$/],
    [
      'format: xml',
      { format: 'xml' as never },
      /^format must be one of 'array', 'ndjson', got 'xml'$/,
    ],
    [
      'format: null',
      { format: null as never },
      /^format must be one of 'array', 'ndjson', got null$/,
    ],
    ['format: ARRAY', { format: 'ARRAY' as never }, /^format must be .*ARRAY/],
  ])('rejects %s with a TypeError naming the option', (_label, options, message) => {
    expect(() => createJsonEncoder<unknown>(options)).toThrow(TypeError);
    expect(() => createJsonEncoder<unknown>(options)).toThrow(message);
  });

  it('accepts explicit undefined options as the defaults', () => {
    const encoder = createJsonEncoder<number>({ map: undefined, format: undefined });
    expect(encoder.encode([1, 2]).payload).toBe('[1,2]');
  });
});
