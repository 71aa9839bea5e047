import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MeterProvider } from '#sdk';
import {
  createTelemetryReporter,
  type LogRecordExporterLike,
  type ReporterLogRecord,
  ReporterLogRecordProcessor,
  ReporterSpanProcessor,
  unaccountedRecords,
} from '../../src/index.js';
import { sdk } from '../helpers/reporter-sdk.js';

// Every flush timeout bounds the whole flush, the exporter's own forceFlush() included: before,
// an exporter whose forceFlush took 2 s held a 200 ms flush for 2 s, and one that never answered
// held it for ever. Times here are fake-timer instants, never wall-clock.

const record: ReporterLogRecord = {
  hrTime: [0, 0],
  attributes: {},
  resource: { attributes: {} },
  instrumentationScope: { name: 'flush' },
};

/** An exporter that delivers at once and whose forceFlush takes `millis` (Infinity: never). */
function slowFlushExporter(millis: number): LogRecordExporterLike & { flushes: number } {
  const exporter = {
    flushes: 0,
    export: (_: unknown[], done: (result: { code: number }) => void) => done({ code: 0 }),
    forceFlush: () => {
      exporter.flushes++;
      return new Promise<void>((resolve) => {
        if (millis !== Number.POSITIVE_INFINITY) setTimeout(resolve, millis);
      });
    },
    shutdown: async () => {},
  };
  return exporter;
}

/** Resolves to the fake-clock milliseconds `promise` took. */
async function fakeMillis(promise: Promise<unknown>): Promise<number> {
  const startedAt = Date.now();
  let settled = false;
  void promise.finally(() => {
    settled = true;
  });
  while (!settled) await vi.advanceTimersByTimeAsync(10);
  return Date.now() - startedAt;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('flush deadlines', () => {
  it.each([2_000, Number.POSITIVE_INFINITY])(
    'forceFlush({ timeoutMillis: 200 }) returns by 200 ms when the exporter flush takes %s ms',
    async (millis) => {
      const exporter = slowFlushExporter(millis);
      const processor = new ReporterLogRecordProcessor({ exporter });
      processor.onEmit(record);
      expect(await fakeMillis(processor.forceFlush({ timeoutMillis: 200 }))).toBeLessThanOrEqual(
        210,
      );
      expect(exporter.flushes).toBe(1);
      expect(processor.stats()).toMatchObject({ exported: 1 });
    },
  );

  it('forceFlush() without a timeout waits for a hung exporter flush no longer than exportTimeoutMillis', async () => {
    const exporter = slowFlushExporter(Number.POSITIVE_INFINITY);
    const processor = new ReporterLogRecordProcessor({ exporter, exportTimeoutMillis: 1_000 });
    processor.onEmit(record);
    const took = await fakeMillis(processor.forceFlush());
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(took).toBeLessThanOrEqual(1_010);
  });

  it('reporter.flush(200) and waitUntilDrained(200) resolve false by 200 ms', async () => {
    const reporter = createTelemetryReporter({ exporter: slowFlushExporter(2_000), sdk });
    reporter.log('a', 'info');
    const flush = reporter.flush(200);
    expect(await fakeMillis(flush)).toBeLessThanOrEqual(210);
    expect(await flush).toBe(false);
    reporter.log('b', 'info');
    const drained = reporter.waitUntilDrained(200);
    expect(await fakeMillis(drained)).toBeLessThanOrEqual(210);
    expect(await drained).toBe(false);
    expect(unaccountedRecords(reporter.stats())).toBe(0);
  });
});

describe('constructor forms and option names', () => {
  it('takes (exporter, config) as older SDK lines did, for both processors', () => {
    const exporter = slowFlushExporter(0);
    const logs = new ReporterLogRecordProcessor(exporter, { maxQueueSize: 100 });
    const spans = new ReporterSpanProcessor(
      { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} },
      { maxExportBatchSize: 10 },
    );
    expect(logs.options).toMatchObject({ maxQueueSize: 100, scheduledDelayMillis: 1000 });
    expect(spans.options).toMatchObject({ maxExportBatchSize: 10, scheduledDelayMillis: 5000 });
    expect(new ReporterLogRecordProcessor(exporter).options.maxQueueSize).toBe(2048);
    expect(() => new ReporterLogRecordProcessor(exporter, 5 as never)).toThrow(
      'config must be an object, got 5',
    );
  });

  // That selfObsMeterProvider records the metrics is the upstream metrics case (test/upstream).
  it('refuses meterProvider and selfObsMeterProvider at once, and a bad selfObsMeterProvider', () => {
    const exporter = slowFlushExporter(0);
    const meterProvider = new MeterProvider();
    expect(
      () =>
        new ReporterLogRecordProcessor({
          exporter,
          meterProvider,
          selfObsMeterProvider: meterProvider,
        }),
    ).toThrow('meterProvider and selfObsMeterProvider name the same option; give one of them');
    expect(
      () => new ReporterLogRecordProcessor({ exporter, selfObsMeterProvider: {} as never }),
    ).toThrow('selfObsMeterProvider must be an OpenTelemetry MeterProvider, got an object');
  });
});
