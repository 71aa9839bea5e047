import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
  type OtlpFormat,
  type OtlpLogRecord,
  type OtlpSpan,
} from '../src/otlp/index.js';
import { logBatch, spanBatch } from './helpers/otlp-arbitraries.js';
import { decoded, transformerLogs, transformerSpans } from './helpers/otlp-oracle.js';
import { makeLogRecords, makeSpans } from './helpers/sdk-records.js';

// One record that cannot be encoded costs only itself: wherever the bad records are, the payload
// is what OpenTelemetry sends for the good ones alone, and failedIndexes lists exactly the bad.

const FORMATS: readonly OtlpFormat[] = ['protobuf', 'json'];

/**
 * `record` with `field` replaced: a derived object, since an SDK record keeps its fields behind
 * prototype getters, which a spread would not copy.
 */
function withField<T extends object>(record: T, field: string, value: unknown): T {
  return Object.create(record, { [field]: { value, enumerable: true } }) as T;
}

/** Arrays and objects nested `levels` deep around a string. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { x: value } : [value];
  return value;
}

function circular(): unknown {
  const value: Record<string, unknown> = { id: 'loop', list: [1] };
  (value.list as unknown[]).push({ back: value });
  return value;
}

function throwing(): unknown {
  return {
    ok: 1,
    get bad(): never {
      throw new Error('getter failed');
    },
  };
}

const throwingProxy = (): unknown =>
  new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('trap');
      },
      getPrototypeOf: () => {
        throw new Error('trap');
      },
    },
  );

/** Ways to break a log record, each found only by writing it. */
const LOG_POISONS: Record<string, (record: OtlpLogRecord) => OtlpLogRecord> = {
  'circular body': (record) => withField(record, 'body', circular()),
  'throwing getter in the body': (record) => withField(record, 'body', throwing()),
  'throwing proxy as an attribute': (record) =>
    withField(record, 'attributes', { ...record.attributes, odd: throwingProxy() }),
  'body nested 513 deep': (record) => withField(record, 'body', nested(513)),
  'no instrumentation scope': (record) => withField(record, 'instrumentationScope', undefined),
  'NaN timestamp': (record) => withField(record, 'hrTime', [Number.NaN, 0]),
  'numeric trace id': (record) =>
    withField(record, 'spanContext', { traceId: 42, spanId: 'aaaaaaaaaaaaaaaa', traceFlags: 1 }),
};

/** Ways to break a span. */
const SPAN_POISONS: Record<string, (span: OtlpSpan) => OtlpSpan> = {
  'circular attribute': (span) => withField(span, 'attributes', { loop: circular() }),
  'throwing spanContext()': (span) =>
    withField(span, 'spanContext', () => {
      throw new Error('no context');
    }),
  'event attribute nested 513 deep': (span) =>
    withField(span, 'events', [{ name: 'deep', time: [1, 2], attributes: { deep: nested(513) } }]),
  'link with a circular attribute': (span) =>
    withField(span, 'links', [
      {
        context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 },
        attributes: { loop: circular() },
      },
    ]),
};

/** Why each poison fails its record (so that no test passes for another reason). */
const REASONS: Record<string, RegExp> = {
  'circular body': /contains itself/,
  'throwing getter in the body': /getter failed/,
  'throwing proxy as an attribute': /trap/,
  'body nested 513 deep': /deeper than 512 levels/,
  'no instrumentation scope': /undefined/,
  'NaN timestamp': /NaN/,
  'numeric trace id': /must be a hex string/,
  'circular attribute': /contains itself/,
  'throwing spanContext()': /no context/,
  'event attribute nested 513 deep': /deeper than 512 levels/,
  'link with a circular attribute': /contains itself/,
};

const poisonName = (names: readonly string[]) => fc.constantFrom(...names);

describe.each(FORMATS)('OTLP %s: isolation', (format) => {
  const logs = createOtlpLogsEncoder({ format });
  const spans = createOtlpSpansEncoder({ format });

  it.each(Object.keys(LOG_POISONS))('a log record with %s fails for that reason', (name) => {
    const [record] = makeLogRecords(1) as [OtlpLogRecord];
    const poison = LOG_POISONS[name] as (r: OtlpLogRecord) => OtlpLogRecord;
    const { firstError } = logs.encode([poison(record)]);
    expect(String(firstError)).toMatch(REASONS[name] as RegExp);
  });

  it.each(Object.keys(SPAN_POISONS))('a span with %s fails for that reason', (name) => {
    const [span] = makeSpans(1) as [OtlpSpan];
    const poison = SPAN_POISONS[name] as (s: OtlpSpan) => OtlpSpan;
    const { firstError } = spans.encode([poison(span)]);
    expect(String(firstError)).toMatch(REASONS[name] as RegExp);
  });

  it.each([
    ['the first', [0]],
    ['one in the middle', [5]],
    ['the last', [9]],
    ['first, neighbours and last', [0, 1, 2, 9]],
    ['all', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
  ])('%s of 10 real log records bad: exactly those dropped', (_, bad) => {
    for (const [name, poison] of Object.entries(LOG_POISONS)) {
      const good = makeLogRecords(10);
      const records = good.map((record, i) => (bad.includes(i) ? poison(record) : record));
      const encoded = logs.encode(records);
      const kept = good.filter((_, i) => !bad.includes(i));
      expect(encoded, name).toMatchObject({
        recordCount: kept.length,
        failedCount: bad.length,
        failedIndexes: bad,
      });
      expect(encoded.firstError, name).toBeInstanceOf(Error);
      if (kept.length === 0) {
        expect(encoded.payload, name).toBeUndefined();
      } else {
        expect(decoded('logs', format, encoded.payload), name).toEqual(
          decoded('logs', format, transformerLogs(format, kept)),
        );
      }
    }
  });

  it.each([
    ['the first', [0]],
    ['one in the middle', [4]],
    ['the last', [7]],
    ['all', [0, 1, 2, 3, 4, 5, 6, 7]],
  ])('%s of 8 real spans bad: exactly those dropped', (_, bad) => {
    for (const [name, poison] of Object.entries(SPAN_POISONS)) {
      const good = makeSpans(8);
      const encoded = spans.encode(good.map((span, i) => (bad.includes(i) ? poison(span) : span)));
      const kept = good.filter((_, i) => !bad.includes(i));
      expect(encoded, name).toMatchObject({
        recordCount: kept.length,
        failedCount: bad.length,
        failedIndexes: bad,
      });
      if (kept.length > 0) {
        expect(decoded('spans', format, encoded.payload), name).toEqual(
          decoded('spans', format, transformerSpans(format, kept)),
        );
      }
    }
  });

  it('generated batches with bad log records anywhere: the rest is what OpenTelemetry sends', () => {
    fc.assert(
      fc.property(
        logBatch,
        fc.array(fc.tuple(fc.nat(), poisonName(Object.keys(LOG_POISONS))), { maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (good, poisons, slice) => {
          const bad = new Map(poisons.map(([at, name]) => [at % good.length, name]));
          const records = good.map((record, i) => {
            const name = bad.get(i);
            return name === undefined
              ? record
              : (LOG_POISONS[name] as (r: OtlpLogRecord) => OtlpLogRecord)(record);
          });
          // through a writer, in slices, so positions count across write() calls
          const writer = logs.createWriter();
          for (let from = 0; from < records.length; from += slice) {
            writer.write(records, from, Math.min(records.length, from + slice));
          }
          const encoded = writer.finish();
          const failedIndexes = [...bad.keys()].sort((a, b) => a - b);
          const kept = good.filter((_, i) => !bad.has(i));
          expect(encoded.recordCount).toBe(kept.length);
          expect(encoded.failedIndexes ?? []).toEqual(failedIndexes);
          if (kept.length > 0) {
            expect(decoded('logs', format, encoded.payload)).toEqual(
              decoded('logs', format, transformerLogs(format, kept)),
            );
          } else {
            expect(encoded.payload).toBeUndefined();
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);

  it('generated batches with bad spans anywhere: the rest is what OpenTelemetry sends', () => {
    fc.assert(
      fc.property(
        spanBatch,
        fc.array(fc.tuple(fc.nat(), poisonName(Object.keys(SPAN_POISONS))), { maxLength: 3 }),
        (good, poisons) => {
          const bad = new Map(poisons.map(([at, name]) => [at % good.length, name]));
          const batch = good.map((span, i) => {
            const name = bad.get(i);
            return name === undefined
              ? span
              : (SPAN_POISONS[name] as (s: OtlpSpan) => OtlpSpan)(span);
          });
          const encoded = spans.encode(batch);
          const kept = good.filter((_, i) => !bad.has(i));
          expect(encoded.failedIndexes ?? []).toEqual([...bad.keys()].sort((a, b) => a - b));
          if (kept.length > 0) {
            expect(decoded('spans', format, encoded.payload)).toEqual(
              decoded('spans', format, transformerSpans(format, kept)),
            );
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);

  it('a value nested exactly 512 deep is kept (as OpenTelemetry sends it); 513 is dropped', () => {
    const [record] = makeLogRecords(1) as [OtlpLogRecord];
    const deepest = withField(record, 'body', nested(512));
    const encoded = logs.encode([deepest, withField(record, 'body', nested(513))]);
    expect(encoded).toMatchObject({ recordCount: 1, failedCount: 1, failedIndexes: [1] });
    expect(decoded('logs', format, encoded.payload)).toEqual(
      decoded('logs', format, transformerLogs(format, [deepest])),
    );
    expect(String(encoded.firstError)).toMatch(/deeper than 512 levels/);
  });

  it('a value shared by siblings is not a cycle; one inside itself is', () => {
    const [record] = makeLogRecords(1) as [OtlpLogRecord];
    const shared = { x: [1, 2] };
    const siblings = withField(record, 'body', {
      left: shared,
      right: shared,
      list: [shared, shared],
    });
    const array: unknown[] = [1];
    array.push([array]);
    const encoded = logs.encode([siblings, withField(record, 'body', array)]);
    expect(encoded).toMatchObject({ recordCount: 1, failedIndexes: [1] });
    expect(String(encoded.firstError)).toMatch(/contains itself/);
    expect(decoded('logs', format, encoded.payload)).toEqual(
      decoded('logs', format, transformerLogs(format, [siblings])),
    );
  });

  it('a record whose resource cannot be encoded fails, with every record of that resource', () => {
    const good = makeLogRecords(4);
    const badResource = { attributes: { loop: circular() } };
    const records = good.map((record, i) =>
      i % 2 === 1 ? withField(record, 'resource', badResource) : record,
    );
    const encoded = logs.encode(records);
    expect(encoded).toMatchObject({ recordCount: 2, failedIndexes: [1, 3] });
  });
});
