import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoggerProvider, SeverityNumber, SpanStatusCode, TracerProvider } from '#sdk';
import {
  estimateLogRecordBytes,
  ReporterLogRecordProcessor,
  type ReporterLogRecordProcessorOptions,
  ReporterSpanProcessor,
  unaccountedRecords,
} from '../../src/index.js';

interface Exported {
  body?: unknown;
  severityNumber?: number;
  name?: string;
  status?: { code: number };
}

/** A foreign exporter that records every batch it is handed, and answers after `delayMillis`. */
function recordingExporter(delayMillis?: number) {
  const batches: Exported[][] = [];
  const exporter = {
    export(items: Exported[], done: (result: { code: number }) => void): void {
      batches.push([...items]);
      if (delayMillis === undefined) done({ code: 0 });
      else setTimeout(() => done({ code: 0 }), delayMillis);
    },
    shutdown: async () => {},
  };
  return { exporter, batches, all: () => batches.flat() };
}

function logsWith(
  options: Omit<ReporterLogRecordProcessorOptions, 'exporter'>,
  delayMillis?: number,
) {
  const sink = recordingExporter(delayMillis);
  const processor = new ReporterLogRecordProcessor({ exporter: sink.exporter, ...options });
  const provider = new LoggerProvider({ processors: [processor] });
  return { sink, processor, provider, logger: provider.getLogger('shedding') };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("overflowPolicy: 'drop_lowest_severity' for logs", () => {
  it('keeps 100 ERROR records arriving at a queue full of 1,000 DEBUG records', async () => {
    const { sink, processor, provider, logger } = logsWith({
      overflowPolicy: 'drop_lowest_severity',
      maxQueueSize: 1000,
      maxExportBatchSize: 100,
    });
    // The first batch of 100 leaves for its export slot at once; 1,000 more fill the queue.
    for (let i = 0; i < 1100; i++)
      logger.emit({ severityNumber: SeverityNumber.DEBUG, body: `debug ${i}` });
    for (let i = 0; i < 100; i++)
      logger.emit({ severityNumber: SeverityNumber.ERROR, body: `error ${i}` });
    expect(processor.stats()).toMatchObject({
      inFlight: 100,
      queued: 1000,
      dropped: expect.objectContaining({ queue_full: 100 }),
      droppedBySeverity: expect.objectContaining({ debug: 100, error: 0 }),
    });
    await provider.forceFlush();
    const bodies = sink.all().map((r) => r.body);
    // the 100 oldest queued DEBUG records made room; everything went out in emission order
    expect(bodies).toEqual([
      ...Array.from({ length: 100 }, (_, i) => `debug ${i}`),
      ...Array.from({ length: 900 }, (_, i) => `debug ${i + 200}`),
      ...Array.from({ length: 100 }, (_, i) => `error ${i}`),
    ]);
    expect(unaccountedRecords(processor.stats())).toBe(0);
  });

  it.each([10, 20])(
    'at %i times the export capacity: every ERROR ships, INFO goes only once no DEBUG is queued',
    async (overload) => {
      vi.useFakeTimers();
      // records arrive at 100/ms; the exporter takes batches of 100 at 100/overload per ms
      const exportMillis = overload;
      const { sink, processor, provider, logger } = logsWith(
        {
          overflowPolicy: 'drop_lowest_severity',
          maxQueueSize: 1000,
          maxExportBatchSize: 100,
          scheduledDelayMillis: 10,
        },
        exportMillis,
      );
      const severityOf = (i: number): number =>
        i % 100 === 0
          ? SeverityNumber.ERROR
          : i % 100 < 10
            ? SeverityNumber.INFO
            : SeverityNumber.DEBUG;
      const offered = { debug: 0, error: 0 };
      let infoShedWhileDebugQueued = 0;
      let infoShedTotal = 0;
      // DEBUG records handed to the exporter so far, counted batch by batch as they arrive:
      // flattening every batch again at each shed made the test quadratic, seconds of CPU.
      let debugTaken = 0;
      let batchesCounted = 0;
      const debugTakenNow = (): number => {
        for (; batchesCounted < sink.batches.length; batchesCounted++) {
          debugTaken += (sink.batches[batchesCounted] ?? []).filter(
            (r) => r.severityNumber === SeverityNumber.DEBUG,
          ).length;
        }
        return debugTaken;
      };
      for (let round = 0; round < 100; round++) {
        // read once a round, then carried from one emit to the next: nothing else runs between
        let infoShedBefore = processor.stats().droppedBySeverity.info;
        for (let j = 0; j < 1000; j++) {
          const i = round * 1000 + j;
          const severityNumber = severityOf(i);
          if (severityNumber === SeverityNumber.DEBUG) offered.debug++;
          if (severityNumber === SeverityNumber.ERROR) offered.error++;
          logger.emit({ severityNumber, body: i });
          const stats = processor.stats();
          const infoShedNow = stats.droppedBySeverity.info;
          if (infoShedNow > infoShedBefore) {
            infoShedTotal++;
            const debugQueued = offered.debug - stats.droppedBySeverity.debug - debugTakenNow();
            if (debugQueued > 0) infoShedWhileDebugQueued++;
          }
          infoShedBefore = infoShedNow;
        }
        await vi.advanceTimersByTimeAsync(10);
      }
      const flushed = provider.forceFlush();
      await vi.advanceTimersByTimeAsync(20 * exportMillis);
      await flushed;
      const stats = processor.stats();
      expect(unaccountedRecords(stats)).toBe(0);
      expect(sink.all().filter((r) => r.severityNumber === SeverityNumber.ERROR)).toHaveLength(
        offered.error,
      );
      expect(stats.droppedBySeverity.error).toBe(0);
      expect(stats.droppedBySeverity.debug).toBeGreaterThan(offered.debug * 0.8); // real overload
      expect(infoShedWhileDebugQueued).toBe(0);
      // INFO alone (9%) outruns the exporter only past ten times its capacity
      if (overload > 10) expect(infoShedTotal).toBeGreaterThan(0);
    },
    30_000, // 100,000 records: CPU-bound, slow on a loaded machine; a hang guard only
  );
});

describe("overflowPolicy: 'drop_lowest_severity' for spans", () => {
  it('keeps error spans through an overflow of OK spans', async () => {
    const sink = recordingExporter();
    const processor = new ReporterSpanProcessor({
      exporter: sink.exporter,
      overflowPolicy: 'drop_lowest_severity',
      maxQueueSize: 10,
      maxExportBatchSize: 10,
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('shedding');
    for (let i = 0; i < 50; i++) {
      const span = tracer.startSpan(`span ${i}`);
      if (i % 10 === 9) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    await provider.forceFlush();
    const names = sink.all().map((s) => s.name);
    const errors = Array.from({ length: 5 }, (_, i) => `span ${i * 10 + 9}`);
    expect(names.filter((n) => errors.includes(n ?? ''))).toEqual(errors);
    // the first ten left for the export slot at once; ten more were queued, errors outranking
    expect(processor.stats()).toMatchObject({
      exported: 20,
      droppedBySeverity: expect.objectContaining({ error: 0, unspecified: 30 }),
    });
  });
});

describe('maxQueueBytes', () => {
  it('never holds more than the limit by the documented estimate, and counts what it drops', async () => {
    const limit = 1024 * 1024;
    const { sink, processor, provider, logger } = logsWith({
      maxQueueBytes: limit,
      maxQueueSize: 2048,
      maxExportBatchSize: 2048,
      scheduledDelayMillis: 60_000,
    });
    const small = 'x'.repeat(1024);
    const large = 'y'.repeat(100 * 1024);
    // the model: drop_newest against the documented estimate of each record as emitted
    let modelBytes = 0;
    const accepted: number[] = [];
    for (let i = 0; i < 300; i++) {
      const body = `${i % 7 === 0 ? large : small}#${i}`;
      logger.emit({ body, severityNumber: SeverityNumber.INFO });
      const estimate = estimateLogRecordBytes({
        hrTime: [0, 0],
        attributes: {},
        body,
        severityNumber: SeverityNumber.INFO,
        resource: { attributes: {} },
        instrumentationScope: { name: 'shedding' },
      });
      if (modelBytes + estimate <= limit) {
        modelBytes += estimate;
        accepted.push(i);
      }
    }
    expect(modelBytes).toBeLessThanOrEqual(limit);
    expect(processor.stats()).toMatchObject({
      received: 300,
      queued: accepted.length,
      dropped: expect.objectContaining({ queue_full: 300 - accepted.length }),
    });
    expect(300 - accepted.length).toBeGreaterThan(0);
    await provider.forceFlush();
    expect(sink.all().map((r) => Number(String(r.body).split('#')[1]))).toEqual(accepted);
  });
});
