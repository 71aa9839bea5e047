import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  context,
  InMemoryLogRecordExporter,
  LoggerProvider,
  loggingErrorHandler,
  ROOT_CONTEXT,
  resourceFromAttributes,
  SeverityNumber,
  setGlobalErrorHandler,
} from '#sdk';
import {
  type LogRecordJson,
  PermanentError,
  ReporterLogRecordProcessor,
  type ReporterLogRecordProcessorOptions,
  type ReporterStats,
  RetryableError,
  TransportLogRecordExporter,
  unaccountedRecords,
} from '../../src/index.js';
import { MemoryTransport } from '../helpers/memory-transport.js';

function setup(options: Partial<ReporterLogRecordProcessorOptions> = {}) {
  const exporter = options.exporter ?? new InMemoryLogRecordExporter();
  const processor = new ReporterLogRecordProcessor({ ...options, exporter });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [processor],
  });
  const logger = provider.getLogger('orders', '1.2.3');
  return { exporter, processor, provider, logger };
}

function expectAccounted(stats: ReporterStats): ReporterStats {
  expect(unaccountedRecords(stats), JSON.stringify(stats)).toBe(0);
  return stats;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('as a LoggerProvider processor', () => {
  it('exports what logger.emit() produced when the provider is flushed', async () => {
    const { exporter, processor, provider, logger } = setup();
    for (let i = 0; i < 20; i++) {
      logger.emit({ body: `order ${i}`, severityNumber: SeverityNumber.INFO });
    }
    expect(expectAccounted(processor.stats())).toMatchObject({ received: 20, queued: 20 });
    await provider.forceFlush();
    const records = (exporter as InMemoryLogRecordExporter).getFinishedLogRecords();
    expect(records.map((r) => r.body)).toEqual(Array.from({ length: 20 }, (_, i) => `order ${i}`));
    expect(expectAccounted(processor.stats())).toMatchObject({ exported: 20, queued: 0 });
    await provider.shutdown();
  });

  it('takes the same options as BatchLogRecordProcessor', () => {
    const { processor } = setup({
      maxQueueSize: 4096,
      maxExportBatchSize: 256,
      scheduledDelayMillis: 200,
      exportTimeoutMillis: 5000,
    });
    expect(processor.options).toMatchObject({
      maxQueueSize: 4096,
      maxExportBatchSize: 256,
      scheduledDelayMillis: 200,
      exportTimeoutMillis: 5000,
      overflowPolicy: 'drop_newest',
      maxConcurrentExports: 1,
    });
  });

  it('exports partial batches on the scheduled delay', async () => {
    vi.useFakeTimers();
    const { exporter, logger } = setup({ scheduledDelayMillis: 1000 });
    logger.emit({ body: 'a' });
    await vi.advanceTimersByTimeAsync(999);
    expect((exporter as InMemoryLogRecordExporter).getFinishedLogRecords()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((exporter as InMemoryLogRecordExporter).getFinishedLogRecords()).toHaveLength(1);
  });

  it('counts records after shutdown as already_shutdown', async () => {
    const { processor, provider, logger } = setup();
    await provider.shutdown();
    processor.onEmit(
      {
        hrTime: [0, 0],
        attributes: {},
        resource: { attributes: {} },
        instrumentationScope: { name: 'x' },
      },
      ROOT_CONTEXT,
    );
    logger.emit({ body: 'late' }); // the SDK may or may not still call processors
    expect(expectAccounted(processor.stats()).dropped.already_shutdown).toBeGreaterThanOrEqual(1);
  });
});

describe('with any OpenTelemetry exporter', () => {
  it('drops a batch as rejected when the exporter reports failure, and hands its error to the global error handler', async () => {
    const handled: unknown[] = [];
    setGlobalErrorHandler((error) => handled.push(error));
    try {
      const error = new Error('collector said no');
      const failing = {
        export: (_: unknown[], done: (r: { code: number; error?: Error }) => void) =>
          done({ code: 1, error }),
        shutdown: async () => {},
      };
      const { processor, provider, logger } = setup({ exporter: failing });
      for (let i = 0; i < 5; i++) logger.emit({ body: i });
      await provider.forceFlush();
      expect(expectAccounted(processor.stats())).toMatchObject({
        exported: 0,
        dropped: expect.objectContaining({ rejected: 5 }),
      });
      await Promise.resolve(); // the handler is called on a microtask, off the export's stack
      expect(handled).toEqual([error]);
    } finally {
      setGlobalErrorHandler(loggingErrorHandler());
    }
  });

  it('treats a synchronous throw from export() as a failure, and keeps going', async () => {
    let calls = 0;
    const exported: unknown[] = [];
    const flaky = {
      export: (records: { body?: unknown }[], done: (r: { code: number }) => void) => {
        calls++;
        if (calls === 1) throw new Error('serializer exploded');
        exported.push(...records.map((r) => r.body));
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const { processor, provider, logger } = setup({ exporter: flaky, maxExportBatchSize: 2 });
    for (let i = 0; i < 4; i++) logger.emit({ body: i });
    await provider.forceFlush();
    expect(exported).toEqual([2, 3]);
    expect(expectAccounted(processor.stats())).toMatchObject({
      exported: 2,
      dropped: expect.objectContaining({ rejected: 2 }),
    });
  });

  it('waits for async resource attributes before exporting', async () => {
    let resolveDetection: () => void = () => {};
    const detection = new Promise<void>((r) => {
      resolveDetection = r;
    });
    const exporter = new InMemoryLogRecordExporter();
    const processor = new ReporterLogRecordProcessor({ exporter });
    const resource = {
      attributes: {},
      asyncAttributesPending: true,
      waitForAsyncAttributes: () => detection,
    };
    processor.onEmit({
      hrTime: [1, 0],
      attributes: {},
      resource,
      instrumentationScope: { name: 's' },
    });
    const flushed = processor.forceFlush();
    await new Promise((r) => setImmediate(r));
    expect(exporter.getFinishedLogRecords()).toHaveLength(0);
    resolveDetection();
    await flushed;
    expect(exporter.getFinishedLogRecords()).toHaveLength(1);
  });

  it('runs the exporter with tracing suppressed', async () => {
    const suppressKey = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
    let active = ROOT_CONTEXT;
    context.setGlobalContextManager({
      active: () => active,
      with: (ctx, fn, thisArg, ...args) => {
        const previous = active;
        active = ctx;
        try {
          return fn.call(thisArg, ...args);
        } finally {
          active = previous;
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    });
    try {
      const seen: unknown[] = [];
      const exporter = {
        export: (_: unknown[], done: (r: { code: number }) => void) => {
          seen.push(context.active().getValue(suppressKey));
          done({ code: 0 });
        },
        shutdown: async () => {},
      };
      const { provider, logger } = setup({ exporter });
      logger.emit({ body: 'x' });
      await provider.forceFlush();
      expect(seen).toEqual([true]);
    } finally {
      context.disable();
    }
  });
});

describe('with TransportLogRecordExporter', () => {
  it('ships JSON records with the documented fields', async () => {
    const transport = new MemoryTransport();
    const { provider, logger } = setup({ exporter: new TransportLogRecordExporter({ transport }) });
    logger.emit({
      body: { orderId: 42 },
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      attributes: { 'http.route': '/checkout' },
      timestamp: new Date('2026-01-02T03:04:05.678Z'),
    });
    await provider.forceFlush();
    const [record] = transport.records<LogRecordJson>();
    expect(record).toMatchObject({
      timestamp: '2026-01-02T03:04:05.678Z',
      timeUnixNano: '1767323045678000000',
      severityNumber: 17,
      severityText: 'ERROR',
      body: { orderId: 42 },
      attributes: { 'http.route': '/checkout' },
      resource: expect.objectContaining({ 'service.name': 'checkout' }),
      scope: { name: 'orders', version: '1.2.3' },
    });
    await provider.shutdown();
    expect(transport.shutdownCalls).toBe(1);
  });

  it('drops only the poison pill: one circular body among 100', async () => {
    const transport = new MemoryTransport();
    const { processor, provider, logger } = setup({
      exporter: new TransportLogRecordExporter({ transport }),
      maxExportBatchSize: 100,
    });
    for (let i = 0; i < 100; i++) {
      if (i === 37) {
        const circular: Record<string, unknown> = { i };
        circular.self = circular;
        // the logs API types bodies as AnyValue; a circular object is exactly what users emit anyway
        logger.emit({ body: circular as never });
      } else {
        logger.emit({ body: { i } });
      }
    }
    await provider.forceFlush();
    expect(transport.attempts).toHaveLength(1);
    expect(transport.records()).toHaveLength(99);
    expect(expectAccounted(processor.stats())).toMatchObject({
      exported: 99,
      dropped: expect.objectContaining({ encoding_failed: 1 }),
    });
  });

  it('counts the exporter retries in processor.stats()', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let failures = 2;
    const transport = new MemoryTransport(() => {
      if (failures-- > 0) throw new RetryableError('503', { retryAfterMillis: 100 });
    });
    const { processor, provider, logger } = setup({
      exporter: new TransportLogRecordExporter({ transport }),
    });
    for (let i = 0; i < 3; i++) logger.emit({ body: i });
    const flushed = provider.forceFlush();
    await vi.advanceTimersByTimeAsync(250);
    await flushed;
    expect(transport.attempts.map((a) => a.context.attempt)).toEqual([1, 2, 3]);
    expect(expectAccounted(processor.stats())).toMatchObject({ exported: 3, retries: 2 });
  });

  it('counts a PermanentError as rejected without retrying', async () => {
    const transport = new MemoryTransport(() => {
      throw new PermanentError('400 bad request');
    });
    const { processor, provider, logger } = setup({
      exporter: new TransportLogRecordExporter({ transport }),
    });
    for (let i = 0; i < 3; i++) logger.emit({ body: i });
    await provider.forceFlush();
    expect(transport.attempts).toHaveLength(1);
    expect(expectAccounted(processor.stats())).toMatchObject({
      retries: 0,
      dropped: expect.objectContaining({ rejected: 3 }),
    });
  });

  it('aborts a hung send at the export deadline and moves on', async () => {
    vi.useFakeTimers();
    const transport = new MemoryTransport(
      (_payload, { signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    );
    const { processor, logger } = setup({
      exporter: new TransportLogRecordExporter({ transport, retry: false }),
      maxExportBatchSize: 2,
      exportTimeoutMillis: 1000,
    });
    for (let i = 0; i < 4; i++) logger.emit({ body: i });
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.attempts[0]?.context.signal.aborted).toBe(true);
    expect(transport.attempts).toHaveLength(2);
    expect(expectAccounted(processor.stats()).dropped.export_timeout).toBe(2);
  });

  it('also works under the built-in BatchLogRecordProcessor contract', async () => {
    const transport = new MemoryTransport();
    const exporter = new TransportLogRecordExporter({ transport });
    const records = [
      {
        hrTime: [1, 0] as [number, number],
        attributes: {},
        resource: { attributes: {} },
        instrumentationScope: { name: 's' },
        body: 'ok',
      },
    ];
    const result = await new Promise<{ code: number }>((resolve) =>
      exporter.export(records, resolve),
    );
    expect(result.code).toBe(0);
    expect(transport.records()).toHaveLength(1);
    await exporter.shutdown();
    const afterShutdown = await new Promise<{ code: number }>((resolve) =>
      exporter.export(records, resolve),
    );
    expect(afterShutdown.code).toBe(1);
  });
});

describe('diagnostics', () => {
  it('warns about drops at most once per interval, with counts by reason', async () => {
    vi.useFakeTimers();
    const diag = captureDiag();
    try {
      const never = { export: () => {}, shutdown: async () => {} };
      const { logger } = setup({
        exporter: never,
        maxQueueSize: 10,
        maxExportBatchSize: 10,
        dropWarningIntervalMillis: 5000,
        exportTimeoutMillis: 600_000,
      });
      // ten leave for the export slot at once, ten are queued, five are shed
      for (let i = 0; i < 25; i++) logger.emit({ body: i });
      await vi.advanceTimersByTimeAsync(0);
      for (let i = 0; i < 1000; i++) logger.emit({ body: i });
      await vi.advanceTimersByTimeAsync(4999);
      const drops = () => diag.warn.filter((l) => l.includes('dropped'));
      expect(drops()).toEqual([
        'ReporterLogRecordProcessor: dropped 5 records (queue_full: 5); totals in stats()',
      ]);
      await vi.advanceTimersByTimeAsync(1);
      expect(drops()).toHaveLength(2);
      expect(drops()[1]).toBe(
        'ReporterLogRecordProcessor: dropped 1000 records (queue_full: 1000); totals in stats()',
      );
    } finally {
      diag.restore();
    }
  });

  it('warns when forceFlush times out, and loses nothing', async () => {
    vi.useFakeTimers();
    const diag = captureDiag();
    try {
      let release: () => void = () => {};
      const slow = {
        export: (_: unknown[], done: (r: { code: number }) => void) => {
          release = () => done({ code: 0 });
        },
        shutdown: async () => {},
      };
      const { processor, logger } = setup({ exporter: slow });
      for (let i = 0; i < 3; i++) logger.emit({ body: i });
      const flushed = processor.forceFlush({ timeoutMillis: 100 });
      await vi.advanceTimersByTimeAsync(100);
      await flushed;
      expect(
        diag.warn.some((l) => l.includes('forceFlush timed out after 100 ms; 3 records')),
      ).toBe(true);
      release();
      await vi.advanceTimersByTimeAsync(0);
      expect(expectAccounted(processor.stats()).exported).toBe(3);
    } finally {
      diag.restore();
    }
  });
});

describe('options', () => {
  it.each([
    [{ maxQueueSize: 0 }, 'maxQueueSize must be an integer >= 1, got 0'],
    [{ maxExportBatchSize: -5 }, 'maxExportBatchSize must be an integer >= 1, got -5'],
    [
      { scheduledDelayMillis: Number.NaN },
      'scheduledDelayMillis must be an integer number of milliseconds between 0 and 2147483647, got NaN',
    ],
    [
      { overflowPolicy: 'drop_random' },
      "overflowPolicy must be one of 'drop_newest', 'drop_oldest', 'drop_lowest_severity', got 'drop_random'",
    ],
    [{ maxConcurrentExports: 1.5 }, 'maxConcurrentExports must be an integer >= 1, got 1.5'],
  ])('rejects %o with a TypeError naming it', (bad, message) => {
    expect(
      () =>
        new ReporterLogRecordProcessor({
          exporter: new InMemoryLogRecordExporter(),
          ...(bad as Partial<ReporterLogRecordProcessorOptions>),
        }),
    ).toThrow(new TypeError(message));
  });

  it('rejects a missing or malformed exporter', () => {
    expect(() => new ReporterLogRecordProcessor({ exporter: undefined as never })).toThrow(
      'exporter must be an OpenTelemetry exporter with export() and shutdown(), got undefined',
    );
    expect(() => new ReporterLogRecordProcessor({ exporter: {} as never })).toThrow(TypeError);
  });

  it('clamps maxExportBatchSize to maxQueueSize with a diag warning', () => {
    const diag = captureDiag();
    try {
      const { processor } = setup({ maxQueueSize: 100, maxExportBatchSize: 512 });
      expect(processor.options.maxExportBatchSize).toBe(100);
      expect(diag.warn).toContain(
        'ReporterLogRecordProcessor: maxExportBatchSize (512) must be <= maxQueueSize (100); using 100',
      );
    } finally {
      diag.restore();
    }
  });
});
