import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InMemorySpanExporter,
  ROOT_CONTEXT,
  resourceFromAttributes,
  SamplingDecision,
  SpanStatusCode,
  TracerProvider,
} from '#sdk';
import {
  ReporterSpanProcessor,
  type ReporterSpanProcessorOptions,
  type SpanJson,
  TransportSpanExporter,
  unaccountedRecords,
} from '../../src/index.js';
import { MemoryTransport } from '../helpers/memory-transport.js';

type Sampler = NonNullable<ConstructorParameters<typeof TracerProvider>[0]>['sampler'];

function setup(options: Partial<ReporterSpanProcessorOptions> = {}, sampler?: Sampler) {
  const exporter = options.exporter ?? new InMemorySpanExporter();
  const processor = new ReporterSpanProcessor({ ...options, exporter });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [processor],
    ...(sampler ? { sampler } : {}),
  });
  return { exporter, processor, provider, tracer: provider.getTracer('orders', '1.0.0') };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ReporterSpanProcessor', () => {
  it('exports ended spans when the provider is flushed', async () => {
    const { exporter, processor, provider, tracer } = setup();
    for (let i = 0; i < 10; i++) tracer.startSpan(`op ${i}`).end();
    await provider.forceFlush();
    const spans = (exporter as InMemorySpanExporter).getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `op ${i}`));
    expect(processor.stats()).toMatchObject({ received: 10, exported: 10 });
    expect(unaccountedRecords(processor.stats())).toBe(0);
    await provider.shutdown();
  });

  it('ignores spans that are recorded but not sampled', async () => {
    const recordOnly: Sampler = {
      shouldSample: () => ({ decision: SamplingDecision.RECORD }),
      toString: () => 'RecordOnly',
    };
    const { processor, provider, tracer } = setup({}, recordOnly);
    const span = tracer.startSpan('unsampled');
    expect(span.isRecording()).toBe(true);
    span.end();
    await provider.forceFlush();
    expect(processor.stats()).toMatchObject({ received: 0, exported: 0 });
  });

  it('does nothing on start, whatever it is given', () => {
    const { processor } = setup();
    expect(() => processor.onStart(undefined, ROOT_CONTEXT)).not.toThrow();
    expect(processor.stats().received).toBe(0);
  });

  it('never throws from onEnd, even for an object that is not a span', () => {
    const { processor } = setup();
    const broken = {
      spanContext: () => {
        throw new Error('not a span');
      },
    };
    expect(() => processor.onEnd(broken as never)).not.toThrow();
    expect(processor.stats().received).toBe(0);
  });

  it('waits 5000 ms for a partial batch by default, as BatchSpanProcessor does', async () => {
    vi.useFakeTimers();
    const { exporter, processor, tracer } = setup();
    expect(processor.options.scheduledDelayMillis).toBe(5000);
    tracer.startSpan('lonely').end();
    await vi.advanceTimersByTimeAsync(4999);
    expect((exporter as InMemorySpanExporter).getFinishedSpans()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((exporter as InMemorySpanExporter).getFinishedSpans()).toHaveLength(1);
  });

  it('ships spans as JSON through TransportSpanExporter', async () => {
    const transport = new MemoryTransport();
    const { provider, tracer } = setup({ exporter: new TransportSpanExporter({ transport }) });
    const parent = tracer.startSpan('checkout', { attributes: { 'order.id': 7 } });
    parent.addEvent('paid', { amount: 12 });
    parent.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    parent.end();
    await provider.forceFlush();
    const [span] = transport.records<SpanJson>();
    expect(span).toMatchObject({
      name: 'checkout',
      kind: 0,
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      traceFlags: 1,
      status: { code: 2, message: 'card declined' },
      attributes: { 'order.id': 7 },
      events: [expect.objectContaining({ name: 'paid', attributes: { amount: 12 } })],
      resource: expect.objectContaining({ 'service.name': 'checkout' }),
      scope: { name: 'orders', version: '1.0.0' },
    });
    expect(BigInt(span?.endTimeUnixNano ?? 0)).toBeGreaterThanOrEqual(
      BigInt(span?.startTimeUnixNano ?? 1),
    );
  });

  it('keeps the newest spans with drop_oldest when the exporter stalls', async () => {
    const names: string[] = [];
    const waiting: (() => void)[] = [];
    const stalled = {
      export: (spans: { name: string }[], done: (r: { code: number }) => void) => {
        waiting.push(() => {
          names.push(...spans.map((s) => s.name));
          done({ code: 0 });
        });
      },
      shutdown: async () => {},
    };
    const { processor, tracer } = setup({
      exporter: stalled,
      maxQueueSize: 5,
      maxExportBatchSize: 5,
      overflowPolicy: 'drop_oldest',
    });
    for (let i = 0; i < 5; i++) tracer.startSpan(`first ${i}`).end();
    await new Promise((r) => setImmediate(r)); // the first five are in flight now
    for (let i = 0; i < 12; i++) tracer.startSpan(`later ${i}`).end();
    expect(processor.stats()).toMatchObject({
      received: 17,
      inFlight: 5,
      queued: 5,
      dropped: expect.objectContaining({ queue_full: 7 }),
    });
    expect(unaccountedRecords(processor.stats())).toBe(0);
    const flushed = processor.forceFlush();
    while (names.length < 10) {
      waiting.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await flushed;
    expect(names).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `first ${i}`),
      ...Array.from({ length: 5 }, (_, i) => `later ${i + 7}`),
    ]);
  });

  it('counts spans that never reached onEnd with countDropped, as the log processor does', () => {
    const { processor } = setup();
    processor.countDropped('encoding_failed');
    processor.countDropped('already_shutdown', 3);
    expect(processor.stats()).toMatchObject({
      received: 4,
      dropped: expect.objectContaining({ encoding_failed: 1, already_shutdown: 3 }),
    });
    expect(unaccountedRecords(processor.stats())).toBe(0);
  });
});
