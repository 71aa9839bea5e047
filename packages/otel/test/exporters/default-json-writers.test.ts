import { ByteSink } from '@telemetry-reporter/core/internal';
import { BAD_INPUTS } from '@telemetry-reporter-internal/test-kit/bad-input-corpus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoggerProvider, resourceFromAttributes, TracerProvider } from '#sdk';
import { writeLogRecordJson, writeSpanJson } from '../../src/exporters/default-json-writers.js';
import {
  logRecordToJson,
  type ReporterLogRecord,
  type ReporterSpan,
  spanToJson,
} from '../../src/index.js';
import {
  collectingLogProcessor,
  collectingSpanProcessor,
} from '../helpers/collecting-processors.js';

// The default payload is written as bytes (no object and no string per record, the resource
// and scope serialised once); the oracle is what it replaces: JSON.stringify of logRecordToJson
// and spanToJson. Both must give the same text, or both fail, for every value.

type Outcome = { text: string } | { fails: true };

function outcome(run: () => string): Outcome {
  try {
    return { text: run() };
  } catch {
    return { fails: true };
  }
}

const sink = new ByteSink(16);

function written<T>(write: (sink: ByteSink, item: T) => void, item: T): string {
  // A tiny buffer shared by every case, written after junk: each write must grow it and start
  // where it is told, as in a payload.
  sink.reset();
  sink.ensure(3);
  sink.buf.write('[1,', 0, 'latin1');
  sink.pos = 3;
  write(sink, item);
  return sink.buf.toString('utf8', 3, sink.pos);
}

function expectSameLog(record: ReporterLogRecord): void {
  expect(outcome(() => written(writeLogRecordJson, record))).toEqual(
    outcome(() => JSON.stringify(logRecordToJson(record))),
  );
}

function expectSameSpan(span: ReporterSpan): void {
  expect(outcome(() => written(writeSpanJson, span))).toEqual(
    outcome(() => JSON.stringify(spanToJson(span))),
  );
}

/** Real SDK log records of the line under test, one per emit. */
function logRecords(emit: (logger: ReturnType<LoggerProvider['getLogger']>) => void) {
  const records: ReporterLogRecord[] = [];
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.id': 7 }),
    processors: [collectingLogProcessor(records)],
  });
  emit(provider.getLogger('orders', '1.2.3'));
  return records;
}

const SOME_TIME = [1_700_000_000, 123_456_789] as const;

function plainRecord(overrides: Partial<Record<keyof ReporterLogRecord, unknown>>) {
  return {
    hrTime: SOME_TIME,
    attributes: {},
    resource: { attributes: { 'service.name': 'x' } },
    instrumentationScope: { name: 'scope' },
    ...overrides,
  } as unknown as ReporterLogRecord;
}

/** A span as a processor sees it, with `overrides` over plain values. */
function plainSpan(overrides: Partial<Record<keyof ReporterSpan, unknown>> = {}): ReporterSpan {
  return {
    name: 'span',
    kind: 1,
    spanContext: () => ({ traceId: 't'.repeat(32), spanId: 's'.repeat(16), traceFlags: 1 }),
    startTime: SOME_TIME,
    endTime: SOME_TIME,
    status: { code: 0 },
    attributes: {},
    links: [],
    events: [],
    resource: { attributes: {} },
    instrumentationScope: { name: 'scope' },
    ...overrides,
  } as unknown as ReporterSpan;
}

describe('the default JSON bytes equal JSON.stringify of logRecordToJson', () => {
  it('for SDK records with every field', () => {
    const records = logRecords((logger) => {
      logger.emit({
        body: 'hello "world"\n',
        severityNumber: 9,
        severityText: 'INFO',
        eventName: 'order.placed',
        attributes: { a: 1, b: 'two', c: true, d: [1, 'x'], e: { nested: null } },
      });
      logger.emit({ body: { any: ['json', 2] } });
      logger.emit({});
    });
    for (const record of records) expectSameLog(record);
  });

  it.each(BAD_INPUTS.map((input) => [input.name, input] as const))(
    '%s as a body, an attribute value, and the attributes',
    (_name, input) => {
      expectSameLog(plainRecord({ body: input.make() }));
      expectSameLog(plainRecord({ attributes: { value: input.make() } }));
      expectSameLog(plainRecord({ attributes: input.make() }));
    },
  );

  it('for odd times, trace contexts and a missing resource or scope', () => {
    for (const hrTime of [
      [0, 0],
      [-1, 500_000_000],
      [1_700_000_000, 999_999_999],
      [8.64e12, 0],
      [Number.NaN, 0],
      [1.5, 2.5],
      ['1', '2'],
    ]) {
      expectSameLog(plainRecord({ hrTime, hrTimeObserved: hrTime }));
    }
    expectSameLog(
      plainRecord({
        spanContext: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 },
      }),
    );
    expectSameLog(plainRecord({ resource: undefined, instrumentationScope: undefined }));
    expectSameLog(plainRecord({ resource: { attributes: undefined } }));
  });

  it('for arrays without a prototype, times at the ends of Date, and a function resource', () => {
    const bare = Object.setPrototypeOf([1, 'two'], null) as unknown[];
    expectSameLog(plainRecord({ body: bare, attributes: { list: bare } }));
    expectSameLog(plainRecord({ attributes: bare }));
    for (const hrTime of [
      [8.64e12, 500_000_000],
      [-8.64e12, 500_000_000],
      [8.64e12 - 1, 999_999_999],
      [-8.64e12 + 1, 0],
    ]) {
      expectSameLog(plainRecord({ hrTime }));
    }
    const resource = Object.assign(() => {}, { attributes: { 'service.name': 'fn' } });
    expectSameLog(plainRecord({ resource }));
  });

  it('for generated records (fast-check)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.oneof(fc.string(), fc.double()), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.boolean())),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), value),
        value,
        fc.option(fc.integer({ min: -5, max: 30 })),
        fc.option(fc.string({ unit: 'binary' })),
        (attributes, body, severityNumber, eventName) => {
          expectSameLog(
            plainRecord({
              attributes,
              body,
              ...(severityNumber === null ? {} : { severityNumber }),
              ...(eventName === null ? {} : { eventName }),
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows a resource whose attributes object changed (an async detection that settled)', () => {
    const resource = { attributes: { before: 1 } as Record<string, unknown> };
    expectSameLog(plainRecord({ resource }));
    resource.attributes = { after: 2 };
    expect(written(writeLogRecordJson, plainRecord({ resource }))).toContain(
      '"resource":{"after":2}',
    );
  });
});

describe('the default span JSON bytes equal JSON.stringify of spanToJson', () => {
  it('for SDK spans with events, links, a parent and a status', () => {
    const spans: ReporterSpan[] = [];
    const provider = new TracerProvider({
      spanProcessors: [collectingSpanProcessor(spans)],
    });
    const tracer = provider.getTracer('checkout', '2.0.0');
    tracer.startActiveSpan('parent', (parent) => {
      const child = tracer.startSpan('child "quoted"', {
        attributes: { 'http.method': 'GET', retries: 2 },
        links: [{ context: parent.spanContext(), attributes: { why: 'follows' } }],
      });
      child.addEvent('cache miss', { key: 'k1' });
      child.setStatus({ code: 2, message: 'boom' });
      child.end();
      parent.end();
    });
    expect(spans).toHaveLength(2);
    for (const span of spans) expectSameSpan(span);
  });

  it('for odd statuses, and events and links empty, odd or missing', () => {
    const statuses = [
      { code: 2, message: 'boom "quoted"' },
      { code: -0 },
      { code: 1.5 },
      { code: '2' },
      { code: 2, message: 42 },
      { code: Number.NaN },
      {},
      { code: 2 ** 40, message: '' },
    ];
    for (const status of statuses) expectSameSpan(plainSpan({ status }));
    const event = { name: 'e', time: SOME_TIME, attributes: { k: 'v' } };
    const link = { context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, attributes: {} };
    for (const [events, links] of [
      [[event], [link]],
      [Object.assign([], { extra: 1 }), []],
      [new (class extends Array {})(), []],
      [undefined, []],
      [[], { length: 0 }],
    ]) {
      expectSameSpan(plainSpan({ events, links }));
    }
  });

  it('for a span whose first members are all left out, and lists that map to nothing', () => {
    const nothing = () => ({});
    expectSameSpan(plainSpan({ name: undefined }));
    expectSameSpan(plainSpan({ name: undefined, kind: undefined }));
    expectSameSpan(plainSpan({ name: undefined, kind: Symbol('k'), spanContext: nothing }));
    expectSameSpan(plainSpan({ name: () => 'n', kind: undefined, spanContext: nothing }));
    const mapsToNothing = { map: () => undefined };
    expectSameSpan(plainSpan({ events: mapsToNothing, links: mapsToNothing }));
    const written = outcome(() => {
      const out = new ByteSink(64);
      writeSpanJson(out, plainSpan({ name: undefined, kind: undefined, spanContext: nothing }));
      return out.buf.toString('utf8', 0, out.pos);
    });
    expect('text' in written && JSON.parse(written.text)).toMatchObject({
      timestamp: expect.any(String),
    });
  });

  it('for generated events and links (fast-check), holes and odd elements included', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.boolean())),
      fc.array(fc.string(), { maxLength: 2 }),
    );
    const time = fc.oneof(
      fc.constant(SOME_TIME),
      fc.tuple(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 999_999_999 })),
      fc.tuple(fc.double(), fc.double()),
    );
    const event = fc.oneof(
      { weight: 8, arbitrary: fc.record({ name: value, time, attributes: value }) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    const link = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          context: fc.record({ traceId: value, spanId: value }),
          attributes: value,
        }),
      },
      { weight: 1, arbitrary: fc.constant({}) },
    );
    const sparse = <T>(items: fc.Arbitrary<T>) =>
      fc.sparseArray(items, { maxLength: 4, noTrailingHole: false });
    fc.assert(
      fc.property(sparse(event), sparse(link), (events, links) => {
        expectSameSpan(plainSpan({ events, links }));
      }),
      { numRuns: 400 },
    );
  });

  it.each(BAD_INPUTS.map((input) => [input.name, input] as const))(
    '%s as a span attribute value',
    (_name, input) => {
      expectSameSpan(plainSpan({ attributes: { value: input.make() } }));
    },
  );
});
