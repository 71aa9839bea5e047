import {
  BAD_INPUTS,
  type BadInput,
  isPolluted,
  type PrototypeSnapshot,
  prototypeSnapshot,
} from '@telemetry-reporter-internal/test-kit/bad-input-corpus';
import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchEngine,
  createJsonEncoder,
  type SendContext,
  type Transport,
  TransportDelivery,
} from '../src/index.js';

// Every corpus value through createJsonEncoder, as a whole record and as a property of one, in
// both formats: encoded as documented or dropped alone as encoding_failed, its batch-mates
// shipped, no prototype polluted. No encode is timed: a loaded machine stretches any duration,
// and the vitest timeout is the hang guard.

let before: PrototypeSnapshot;
beforeAll(() => {
  before = prototypeSnapshot();
});
afterAll(() => {
  expect(prototypeSnapshot()).toEqual(before);
  expect(isPolluted()).toBe(false);
});

const FORMATS = ['array', 'ndjson'] as const;

/** The documents of a payload, parsed. */
function documents(payload: string | undefined, format: (typeof FORMATS)[number]): unknown[] {
  if (payload === undefined) return [];
  if (format === 'array') return JSON.parse(payload) as unknown[];
  expect(payload.endsWith('\n')).toBe(true);
  return payload
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

/** Whether the input leaves its record out of a JSON payload. */
const dropsRecord = (input: BadInput, whole: boolean): boolean =>
  input.json.kind === 'dropped' || (whole && input.json.kind === 'omitted');

describe.each(FORMATS)("createJsonEncoder, format '%s'", (format) => {
  const encoder = createJsonEncoder<unknown>({ format });

  it.each(BAD_INPUTS)('$name as a whole record', (input) => {
    const result = encoder.encode(['before', input.make(), 'after']);
    const parsed = documents(result.payload, format);
    if (dropsRecord(input, true)) {
      expect(result).toMatchObject({ recordCount: 2, failedCount: 1, failedIndexes: [1] });
      expect(result.firstError).toBeDefined();
      expect(parsed).toEqual(['before', 'after']);
    } else {
      expect(result).toMatchObject({ recordCount: 3, failedCount: 0 });
      expect(parsed).toHaveLength(3);
      expect(parsed[1]).toEqual(input.json.kind === 'encoded' ? input.json.as : undefined);
    }
  });

  it.each(BAD_INPUTS)('$name as a property of a record', (input) => {
    const result = encoder.encode([{ id: 0 }, { id: 1, value: input.make() }, { id: 2 }]);
    const parsed = documents(result.payload, format) as Record<string, unknown>[];
    if (dropsRecord(input, false)) {
      expect(result).toMatchObject({ recordCount: 2, failedCount: 1, failedIndexes: [1] });
      expect(parsed).toEqual([{ id: 0 }, { id: 2 }]);
      return;
    }
    expect(result).toMatchObject({ recordCount: 3, failedCount: 0 });
    const record = parsed[1] as Record<string, unknown>;
    if (input.json.kind === 'omitted') expect(Object.hasOwn(record, 'value')).toBe(false);
    else expect(record.value).toEqual(input.json.kind === 'encoded' ? input.json.as : undefined);
  });
});

describe('createJsonEncoder on the corpus', () => {
  it('writes lone surrogates as \\u escapes, so the payload is well-formed UTF-16 and UTF-8', () => {
    const payload = createJsonEncoder<unknown>().encode(['a\uD800b\uDFFFc']).payload ?? '';
    expect(payload).toBe('["a\\ud800b\\udfffc"]');
    expect(payload).not.toMatch(/[\uD800-\uDFFF]/); // no raw surrogate left, paired or not
  });

  it('keeps a __proto__ key as a key: the parsed payload has it as an own property', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true}}') as object;
    const parsed = JSON.parse(createJsonEncoder<unknown>().encode([input]).payload ?? '') as [
      Record<string, unknown>,
    ];
    expect(Object.hasOwn(parsed[0], '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed[0])).toBe(Object.prototype);
    expect(isPolluted()).toBe(false);
  });
});

describe('the whole corpus in one batch through BatchEngine and TransportDelivery', () => {
  it('drops each unencodable record alone; every other record is delivered once', async () => {
    const delivered: unknown[][] = [];
    const transport: Transport<string> = {
      async send(payload: string, _context: SendContext) {
        delivered.push(JSON.parse(payload) as unknown[]);
      },
    };
    const delivery = new TransportDelivery<unknown, string>({
      transport,
      encoder: createJsonEncoder<unknown>(),
      // The corpus documents what the encoder makes of each value; with the default 4 MiB
      // bound, the 10 MiB string would be dropped for its size (transport-delivery tests).
      maxRequestBytes: Number.POSITIVE_INFINITY,
    });
    const engine = new BatchEngine<unknown>({
      exportBatch: (batch, context) => delivery.deliver(batch, context),
      maxExportBatchSize: 1_000,
      maxQueueSize: 1_000,
    });
    const items = BAD_INPUTS.flatMap((input, i) => [`good ${i}`, input.make()]);
    for (const item of items) expect(engine.offer(item)).toBe(true);
    expect(await engine.flush()).toBe(true);
    const failed = BAD_INPUTS.filter((input) => dropsRecord(input, true)).length;
    const stats = expectInvariant(engine.stats());
    expect(stats.dropped.encoding_failed).toBe(failed);
    expect(stats.exported).toBe(items.length - failed);
    expect(delivered).toHaveLength(1); // one batch, one payload: nothing sank it
    expect(delivered[0]).toEqual(expect.arrayContaining(BAD_INPUTS.map((_, i) => `good ${i}`)));
    await engine.shutdown();
  });
});
