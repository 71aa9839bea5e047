import { channel } from 'node:diagnostics_channel';
import {
  BAD_INPUTS,
  type BadInput,
  isPolluted,
  type PrototypeSnapshot,
  prototypeSnapshot,
} from '@telemetry-reporter-internal/test-kit/bad-input-corpus';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LoggerProvider, resourceFromAttributes, TracerProvider } from '#sdk';
import {
  createTelemetryReporter,
  type ExceptionBody,
  forwardDiagnosticsChannels,
  type LogRecordJson,
  type ReporterLogRecord,
  ReporterLogRecordProcessor,
  type ReporterSpan,
  ReporterSpanProcessor,
  type ReporterStats,
  type SpanJson,
  type TelemetryReporter,
  TransportLogRecordExporter,
  TransportSpanExporter,
  unaccountedRecords,
} from '../src/index.js';
import {
  collectingLogProcessor,
  collectingSpanProcessor,
} from './helpers/collecting-processors.js';
import { MemoryTransport } from './helpers/memory-transport.js';
import { sdk } from './helpers/reporter-sdk.js';

// The corpus documents what each encoder makes of a value. With the default 4 MiB request bound
// the 10 MiB string would be dropped for its size instead (covered by the delivery's tests).
const UNBOUNDED = Number.POSITIVE_INFINITY;

// Every corpus value through the otel encoders: the default log and span JSON encoders (through
// TransportLogRecordExporter / TransportSpanExporter under our processors), records emitted
// through the SDK, logException (as a cause and as the thrown value), log(), and the
// diagnostics_channel snapshot. Each is encoded as documented or dropped alone as
// encoding_failed; its batch-mates ship; nothing throws at the caller; no prototype is polluted.

let before: PrototypeSnapshot;
beforeAll(() => {
  before = prototypeSnapshot();
});
afterAll(() => {
  expect(prototypeSnapshot()).toEqual(before);
  expect(isPolluted()).toBe(false);
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function expectAccounted(stats: ReporterStats): ReporterStats {
  expect(unaccountedRecords(stats), JSON.stringify(stats)).toBe(0);
  return stats;
}

/** Whether JSON leaves the record out (not only the field). */
const jsonDrops = (input: BadInput): boolean => input.json.kind === 'dropped';

/** Three real SDK log records of the line under test, bodies `record 0..2`. */
function sdkLogRecords(): [ReporterLogRecord, ReporterLogRecord, ReporterLogRecord] {
  const records: ReporterLogRecord[] = [];
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [collectingLogProcessor(records)],
  });
  const logger = provider.getLogger('orders');
  for (let i = 0; i < 3; i++) logger.emit({ body: `record ${i}`, attributes: { index: i } });
  return records as [ReporterLogRecord, ReporterLogRecord, ReporterLogRecord];
}

/** Three real SDK spans of the line under test, named `span 0..2`. */
function sdkSpans(): [ReporterSpan, ReporterSpan, ReporterSpan] {
  const spans: ReporterSpan[] = [];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [collectingSpanProcessor(spans)],
  });
  const tracer = provider.getTracer('orders');
  for (let i = 0; i < 3; i++) tracer.startSpan(`span ${i}`).end();
  return spans as [ReporterSpan, ReporterSpan, ReporterSpan];
}

/** `record` seen through a derived object whose `key` is `value`, as a mutating processor would. */
function derived<T extends object>(record: T, key: string, value: unknown): T {
  return Object.create(record, { [key]: { value, enumerable: true } }) as T;
}

function logPipeline() {
  const transport = new MemoryTransport();
  const processor = new ReporterLogRecordProcessor({
    exporter: new TransportLogRecordExporter({
      transport,
      retry: false,
      maxRequestBytes: UNBOUNDED,
    }),
    maxExportBatchSize: 100,
  });
  cleanups.push(() => processor.shutdown());
  return { transport, processor };
}

describe('the default log encoder (TransportLogRecordExporter)', () => {
  it.each(BAD_INPUTS)('$name as a body', async (input) => {
    const { transport, processor } = logPipeline();
    const [first, middle, last] = sdkLogRecords();
    for (const record of [first, derived(middle, 'body', input.make()), last]) {
      processor.onEmit(record);
    }
    await processor.forceFlush();
    const stats = expectAccounted(processor.stats());
    const records = transport.records<LogRecordJson>();
    expect(records.map((r) => r.attributes.index)).toEqual(jsonDrops(input) ? [0, 2] : [0, 1, 2]);
    expect(stats.dropped.encoding_failed).toBe(jsonDrops(input) ? 1 : 0);
    const odd = records.find((r) => r.attributes.index === 1);
    if (input.json.kind === 'omitted') expect(odd && Object.hasOwn(odd, 'body')).toBe(false);
    if (input.json.kind === 'encoded') expect(odd?.body).toEqual(input.json.as);
  });

  it.each(BAD_INPUTS)('$name as an attribute value', async (input) => {
    const { transport, processor } = logPipeline();
    const [first, middle, last] = sdkLogRecords();
    const attributes = { ...middle.attributes, odd: input.make() };
    for (const record of [first, derived(middle, 'attributes', attributes), last]) {
      processor.onEmit(record);
    }
    await processor.forceFlush();
    const stats = expectAccounted(processor.stats());
    const records = transport.records<LogRecordJson>();
    expect(records.map((r) => r.body)).toEqual(
      jsonDrops(input) ? ['record 0', 'record 2'] : ['record 0', 'record 1', 'record 2'],
    );
    expect(stats.dropped.encoding_failed).toBe(jsonDrops(input) ? 1 : 0);
    const odd = records.find((r) => r.body === 'record 1');
    if (input.json.kind === 'omitted')
      expect(Object.hasOwn(odd?.attributes ?? {}, 'odd')).toBe(false);
    if (input.json.kind === 'encoded') expect(odd?.attributes.odd).toEqual(input.json.as);
  });
});

describe('the default span encoder (TransportSpanExporter)', () => {
  it.each(BAD_INPUTS)('$name as a span attribute value', async (input) => {
    const transport = new MemoryTransport();
    const processor = new ReporterSpanProcessor({
      exporter: new TransportSpanExporter({ transport, retry: false, maxRequestBytes: UNBOUNDED }),
      maxExportBatchSize: 100,
    });
    cleanups.push(() => processor.shutdown());
    const [first, middle, last] = sdkSpans();
    const attributes = { ...middle.attributes, odd: input.make() };
    for (const span of [first, derived(middle, 'attributes', attributes), last]) {
      processor.onEnd(span);
    }
    await processor.forceFlush();
    const stats = expectAccounted(processor.stats());
    const spans = transport.records<SpanJson>();
    expect(spans.map((s) => s.name)).toEqual(
      jsonDrops(input) ? ['span 0', 'span 2'] : ['span 0', 'span 1', 'span 2'],
    );
    expect(stats.dropped.encoding_failed).toBe(jsonDrops(input) ? 1 : 0);
    const odd = spans.find((s) => s.name === 'span 1');
    if (input.json.kind === 'omitted')
      expect(Object.hasOwn(odd?.attributes ?? {}, 'odd')).toBe(false);
    if (input.json.kind === 'encoded') expect(odd?.attributes.odd).toEqual(input.json.as);
  });
});

describe("through the SDK's logger.emit()", () => {
  it('bodies: each corpus value is kept by the SDK and encoded or dropped alone', async () => {
    const { transport, processor } = logPipeline();
    const provider = new LoggerProvider({ processors: [processor] });
    const logger = provider.getLogger('corpus');
    for (const [i, input] of BAD_INPUTS.entries()) {
      logger.emit({ body: `good ${i}` });
      logger.emit({ body: input.make() as string });
    }
    await processor.forceFlush();
    const stats = expectAccounted(processor.stats());
    const dropped = BAD_INPUTS.filter(jsonDrops).length;
    expect(stats.dropped.encoding_failed).toBe(dropped);
    expect(transport.delivered).toHaveLength(1); // one batch: no value sank it
    expect(transport.records<LogRecordJson>().map((r) => r.body)).toEqual(
      expect.arrayContaining(BAD_INPUTS.map((_, i) => `good ${i}`)),
    );
  });

  it('attributes: the SDK drops what is no AnyValue; a value it chokes on throws from its emit()', async () => {
    const { transport, processor } = logPipeline();
    const provider = new LoggerProvider({ processors: [processor] });
    const logger = provider.getLogger('corpus');
    const thrown: string[] = [];
    for (const input of BAD_INPUTS) {
      try {
        logger.emit({ body: input.name, attributes: { odd: input.make() as string } });
      } catch {
        // The SDK's attribute validation recurses and reads every property; createTelemetryReporter
        // and forwardDiagnosticsChannels catch what it throws and count encoding_failed.
        thrown.push(input.name);
      }
    }
    expect(thrown.sort()).toEqual(
      [
        'Proxy that throws on every trap',
        'array nested 10,000 deep',
        'object nested 10,000 deep',
        'throwing getters',
      ].sort(),
    );
    await processor.forceFlush();
    const stats = expectAccounted(processor.stats());
    expect(stats.received).toBe(BAD_INPUTS.length - thrown.length);
    expect(stats.exported + stats.dropped.encoding_failed).toBe(stats.received);
    expect(transport.records()).toHaveLength(stats.exported);
  });
});

describe('createTelemetryReporter', () => {
  function reporter(): { transport: MemoryTransport; reporter: TelemetryReporter } {
    const transport = new MemoryTransport();
    const r = createTelemetryReporter({
      transport,
      sdk,
      maxExportBatchSize: 100,
      retry: false,
      maxRequestBytes: UNBOUNDED,
    });
    cleanups.push(async () => {
      await r.stop();
    });
    return { transport, reporter: r };
  }

  const expectCause = (cause: ExceptionBody['causes'], input: BadInput): void => {
    expect(cause).toHaveLength(1);
    expect(cause?.[0]?.type).toBe(input.cause.type);
    if (typeof input.cause.message === 'string')
      expect(cause?.[0]?.message).toBe(input.cause.message);
    else expect(cause?.[0]?.message).toMatch(input.cause.message);
  };

  it.each(BAD_INPUTS)('logException: $name as the cause', async (input) => {
    const { transport, reporter: r } = reporter();
    expect(() =>
      r.logException(new Error('outer', { cause: input.make() }), 'error', { 'order.id': 7 }),
    ).not.toThrow();
    expect(await r.flush()).toBe(true);
    expectAccounted(r.stats());
    const [record] = transport.records<LogRecordJson>();
    const body = record?.body as ExceptionBody;
    expect(body).toMatchObject({ type: 'Error', message: 'outer' });
    expectCause(body.causes, input);
    expect(record?.attributes['exception.stacktrace']).toContain('Caused by: ');
    expect(r.stats().exported).toBe(1);
  });

  it.each(BAD_INPUTS)('logException: $name thrown itself', async (input) => {
    const { transport, reporter: r } = reporter();
    expect(() => r.logException(input.make())).not.toThrow();
    expect(await r.flush()).toBe(true);
    expectAccounted(r.stats());
    const body = transport.records<LogRecordJson>()[0]?.body as ExceptionBody;
    expect(body.type).toBe(input.cause.type);
    expect(r.stats().exported).toBe(1);
  });

  it.each(BAD_INPUTS)('log: $name as data, then as metadata', async (input) => {
    const { transport, reporter: r } = reporter();
    expect(() => r.log('before', 'info', 'ok')).not.toThrow();
    expect(() => r.log('odd data', 'info', input.make())).not.toThrow();
    expect(() => r.log('odd metadata', 'info', 'ok', { odd: input.make() })).not.toThrow();
    expect(() => r.log('after', 'info', 'ok')).not.toThrow();
    expect(await r.flush()).toBe(true);
    const stats = expectAccounted(r.stats());
    expect(stats.received).toBe(4);
    const names = transport.records<LogRecordJson>().map((record) => record.eventName);
    expect(names).toEqual(expect.arrayContaining(['before', 'after']));
    expect(names.includes('odd data')).toBe(!jsonDrops(input));
    // Metadata goes through the SDK's attribute rules: kept, dropped by the SDK, or the record
    // could not be built (counted as encoding_failed); never thrown at the caller.
    expect(stats.exported + stats.dropped.encoding_failed).toBe(4);
  });
});

describe('forwardDiagnosticsChannels: the message snapshot', () => {
  let channels = 0;

  function forwarding() {
    const name = `telemetry-reporter-corpus:${++channels}`;
    const { transport, processor } = logPipeline();
    const provider = new LoggerProvider({ processors: [processor] });
    const unsubscribe = forwardDiagnosticsChannels({
      channels: [name],
      logger: provider.getLogger('dc'),
      processor,
    });
    cleanups.push(unsubscribe);
    return { transport, processor, publish: (message: unknown) => channel(name).publish(message) };
  }

  it.each(BAD_INPUTS)('$name as a property of a message', async (input) => {
    const { transport, processor, publish } = forwarding();
    publish({ value: 'before' });
    // The snapshot runs on the publisher's stack, with work bounded by its value and depth
    // budgets whatever the value (see forward-diagnostics-channels.test.ts), not by a timing
    // that a loaded machine would stretch.
    expect(() => publish({ value: input.make() })).not.toThrow();
    publish({ value: 'after' });
    await processor.forceFlush();
    const stats = expectAccounted(processor.stats());
    const bodies = transport.records<LogRecordJson>().map((r) => r.body as { value: unknown });
    if (input.snapshot.kind === 'dropped') {
      expect(stats.dropped.encoding_failed).toBe(1);
      expect(bodies).toEqual([{ value: 'before' }, { value: 'after' }]);
      return;
    }
    expect(stats.dropped.encoding_failed).toBe(0);
    expect(bodies).toHaveLength(3);
    expect(bodies[1]).toEqual({ value: input.snapshot.as });
  });

  it.each(BAD_INPUTS)('$name as the message itself', async (input) => {
    const { transport, processor, publish } = forwarding();
    expect(() => publish(input.make())).not.toThrow();
    publish('after');
    await processor.forceFlush();
    const stats = expectAccounted(processor.stats());
    expect(stats.exported + stats.dropped.encoding_failed).toBe(2);
    expect(transport.records<LogRecordJson>().at(-1)?.body).toBe('after');
  });

  it('keeps a __proto__ key of a message as an own key of the copy, never as its prototype', async () => {
    const { transport, processor, publish } = forwarding();
    publish(JSON.parse('{"__proto__":{"polluted":true},"id":1}'));
    await processor.forceFlush();
    const raw = transport.attempts[0]?.payload ?? '';
    expect(raw).toContain('"__proto__":{"polluted":true}');
    expect(isPolluted()).toBe(false);
  });
});
