import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BatchEngine,
  type BatchEngineOptions,
  type DiagnosticLogger,
  ExportAbortedError,
  unaccountedRecords,
} from '../../src/index.js';
import {
  ControlledExport,
  hangUntilAborted,
  instant,
  range,
} from '../helpers/controlled-export.js';

/** Engines of the running test: the accounting identity is checked after every tick. */
const live: BatchEngine<number>[] = [];

async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (const engine of live) expectInvariant(engine.stats());
}

function engineWith(
  sink: ControlledExport<number>,
  options: Partial<BatchEngineOptions<number>> = {},
): BatchEngine<number> {
  const engine = new BatchEngine<number>({ exportBatch: sink.exportBatch, ...options });
  live.push(engine);
  return engine;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  live.length = 0;
  vi.useRealTimers();
});

describe('triggers', () => {
  it('exports a full batch on the next microtask, without waiting for the timer', async () => {
    const sink = new ControlledExport<number>(instant);
    const engine = engineWith(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 5000 });
    for (const n of range(10)) engine.offer(n);
    expect(sink.calls).toHaveLength(0); // never on the caller's stack
    await Promise.resolve();
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]?.batch).toEqual(range(10));
    await tick();
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 10, queued: 0, inFlight: 0 });
  });

  it('exports a partial batch when the scheduled delay passes', async () => {
    const sink = new ControlledExport<number>(instant);
    const engine = engineWith(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 1000 });
    for (const n of range(3)) engine.offer(n);
    await tick(999);
    expect(sink.calls).toHaveLength(0);
    expectInvariant(engine.stats());
    await tick(1);
    expect(sink.calls.map((c) => c.batch)).toEqual([[0, 1, 2]]);
    expect(expectInvariant(engine.stats()).exported).toBe(3);
  });

  it('times a partial batch from its first record, not its last', async () => {
    const sink = new ControlledExport<number>(instant);
    const engine = engineWith(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 1000 });
    engine.offer(0);
    await tick(600);
    engine.offer(1);
    await tick(400);
    expect(sink.calls.map((c) => c.batch)).toEqual([[0, 1]]);
  });

  it('re-arms after an export: the rest of the queue waits one delay from the take', async () => {
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 1000 });
    for (const n of range(15)) engine.offer(n);
    await tick();
    expect(sink.calls).toHaveLength(1);
    expect(expectInvariant(engine.stats())).toMatchObject({ inFlight: 10, queued: 5 });
    await tick(300);
    sink.calls[0]?.resolve();
    await tick(699);
    expect(sink.calls).toHaveLength(1);
    await tick(1);
    expect(sink.calls[1]?.batch).toEqual(range(5, 10));
    sink.calls[1]?.resolve();
    await tick();
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 15, queued: 0 });
  });

  it('sends overdue records as soon as a busy slot frees', async () => {
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 1000 });
    for (const n of range(13)) engine.offer(n);
    await tick(2500); // the delay passed while the only slot was busy
    expect(sink.calls).toHaveLength(1);
    sink.calls[0]?.resolve();
    await tick();
    expect(sink.calls[1]?.batch).toEqual([10, 11, 12]);
  });

  it('keeps exporting full batches back to back while records keep coming', async () => {
    const sink = new ControlledExport<number>(instant);
    const engine = engineWith(sink, { maxExportBatchSize: 4, maxQueueSize: 100 });
    for (const n of range(40)) engine.offer(n);
    await tick();
    expect(sink.calls.map((c) => c.batch.length)).toEqual(Array(10).fill(4));
    expect(sink.exportedItems()).toEqual(range(40));
    expect(expectInvariant(engine.stats()).exported).toBe(40);
  });
});

describe('overflow', () => {
  it('drop_newest refuses the arriving record and counts it as queue_full', async () => {
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, { maxQueueSize: 10, maxExportBatchSize: 5 });
    for (const n of range(5)) engine.offer(n);
    await tick(); // 0..4 in flight
    const accepted = range(17, 5).map((n) => engine.offer(n));
    expect(accepted.filter(Boolean)).toHaveLength(10);
    expect(expectInvariant(engine.stats())).toMatchObject({
      received: 22,
      inFlight: 5,
      queued: 10,
      dropped: expect.objectContaining({ queue_full: 7 }),
    });
    sink.behaviour = instant;
    sink.calls[0]?.resolve();
    await tick();
    expect(sink.exportedItems()).toEqual(range(15));
    expect(expectInvariant(engine.stats()).exported).toBe(15);
  });

  it('drop_oldest evicts the oldest queued record, never an in-flight one', async () => {
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, {
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      overflowPolicy: 'drop_oldest',
    });
    for (const n of range(5)) engine.offer(n);
    await tick(); // 0..4 in flight
    for (const n of range(17, 5)) expect(engine.offer(n)).toBe(true);
    expect(expectInvariant(engine.stats())).toMatchObject({
      received: 22,
      inFlight: 5,
      queued: 10,
      dropped: expect.objectContaining({ queue_full: 7 }),
    });
    sink.behaviour = instant;
    sink.calls[0]?.resolve();
    await tick();
    // the in-flight batch survives, the queue kept the ten newest
    expect(sink.exportedItems()).toEqual([...range(5), ...range(10, 12)]);
    expect(expectInvariant(engine.stats()).exported).toBe(15);
  });
});

describe('deadlines and concurrency', () => {
  it('aborts a hung export at its deadline, counts it, and lets the next batch go', async () => {
    const sink = new ControlledExport<number>(hangUntilAborted);
    const engine = engineWith(sink, { maxExportBatchSize: 4, exportTimeoutMillis: 1000 });
    for (const n of range(8)) engine.offer(n);
    await tick();
    expect(sink.calls).toHaveLength(1);
    const signal = sink.calls[0]?.context.signal as AbortSignal;
    await tick(999);
    expect(signal.aborted).toBe(false);
    await tick(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(ExportAbortedError);
    expect((signal.reason as ExportAbortedError).reason).toBe('export_timeout');
    expect((signal.reason as ExportAbortedError).deadline).toBe('export_timeout');
    expect(sink.calls).toHaveLength(2);
    expect(sink.maxActive).toBe(1);
    expect(expectInvariant(engine.stats())).toMatchObject({
      inFlight: 4,
      dropped: expect.objectContaining({ export_timeout: 4 }),
    });
  });

  it.each([1, 2, 3])('never runs more than %i exports at once', async (maxConcurrentExports) => {
    const sink = new ControlledExport<number>(hangUntilAborted);
    const engine = engineWith(sink, {
      maxExportBatchSize: 2,
      maxQueueSize: 100,
      exportTimeoutMillis: 500,
      maxConcurrentExports,
    });
    for (const n of range(40)) engine.offer(n);
    for (let t = 0; t < 20; t++) {
      await tick(250);
      expect(sink.active).toBeLessThanOrEqual(maxConcurrentExports);
      expectInvariant(engine.stats());
    }
    expect(sink.maxActive).toBe(maxConcurrentExports);
    expect(sink.calls.length).toBeGreaterThan(maxConcurrentExports);
  });

  it('holds the slot of an export that ignores its signal until it settles within the grace period', async () => {
    const sink = new ControlledExport<number>();
    const logger = { warn: vi.fn(), debug: vi.fn() };
    const engine = engineWith(sink, { maxExportBatchSize: 2, exportTimeoutMillis: 100, logger });
    for (const n of range(4)) engine.offer(n);
    await tick(100);
    // the records are accounted at the deadline ...
    expect(expectInvariant(engine.stats()).dropped.export_timeout).toBe(2);
    // ... but the slot stays taken: never more sends in flight than allowed
    expect(sink.calls).toHaveLength(1);
    await tick(99); // one exportTimeoutMillis past the deadline, less 1 ms: still held
    expect(sink.calls).toHaveLength(1);
    sink.calls[0]?.resolve(); // a late success changes nothing
    await tick();
    expect(sink.calls).toHaveLength(2);
    expect(expectInvariant(engine.stats()).exported).toBe(0);
    expect(logger.warn).not.toHaveBeenCalledWith(expect.stringContaining('abandoned'));
  });

  it('treats a synchronous throw from the export like a failed export', async () => {
    const logger = { warn: vi.fn(), debug: vi.fn() };
    let calls = 0;
    const engine = new BatchEngine<number>({
      maxExportBatchSize: 2,
      logger,
      exportBatch: () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
    });
    for (const n of range(4)) engine.offer(n);
    await tick();
    expect(calls).toBe(2);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 2,
      dropped: expect.objectContaining({ rejected: 2 }),
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('export failed'),
      expect.any(Error),
    );
  });

  it('accepts outcomes per record and counts retries reported by the export', async () => {
    const engine = new BatchEngine<number>({
      maxExportBatchSize: 10,
      exportBatch: (batch, context) => {
        context.settle(1, 'encoding_failed');
        context.countRetry();
        context.settle(2, 'retries_exhausted');
        context.settle(Number.NaN, 'exported'); // ignored: not a count
        context.settle(3, 'not-a-reason' as never); // unknown outcomes count as rejected
        expect(batch).toHaveLength(10);
      },
    });
    for (const n of range(10)) engine.offer(n);
    await tick();
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 4,
      retries: 1,
      dropped: expect.objectContaining({ encoding_failed: 1, retries_exhausted: 2, rejected: 3 }),
    });
  });
});

describe('flush', () => {
  it('delivers everything received before it, one batch at a time', async () => {
    const sink = new ControlledExport<number>((call) => {
      setTimeout(() => call.resolve(), 10);
    });
    const engine = engineWith(sink, { maxQueueSize: 10_000, maxExportBatchSize: 100 });
    for (const n of range(5000)) engine.offer(n);
    let done: boolean | undefined;
    void engine.flush().then((d) => {
      done = d;
    });
    await tick(49 * 10);
    expect(done).toBeUndefined();
    await tick(10);
    expect(done).toBe(true);
    expect(sink.calls).toHaveLength(50);
    expect(sink.maxActive).toBe(1);
    expect(sink.exportedItems()).toEqual(range(5000));
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 5000,
      queued: 0,
      inFlight: 0,
    });
  });

  it('makes concurrent callers each wait for the records received before their own call', async () => {
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, { maxExportBatchSize: 10, scheduledDelayMillis: 60_000 });
    for (const n of range(3)) engine.offer(n);
    const first = engine.flush();
    const shared = engine.flush();
    await tick();
    expect(sink.calls.map((c) => c.batch)).toEqual([[0, 1, 2]]);
    for (const n of range(2, 3)) engine.offer(n);
    const second = engine.flush();
    const settled: string[] = [];
    void first.then(() => settled.push('first'));
    void shared.then(() => settled.push('shared'));
    void second.then(() => settled.push('second'));
    await tick();
    expect(settled).toEqual([]);
    sink.calls[0]?.resolve();
    await tick();
    expect(settled).toEqual(['first', 'shared']);
    expect(sink.calls[1]?.batch).toEqual([3, 4]);
    sink.calls[1]?.resolve();
    await tick();
    expect(settled).toEqual(['first', 'shared', 'second']);
    expect(await second).toBe(true);
  });

  it('resolves false at its timeout and loses nothing', async () => {
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, { maxExportBatchSize: 10 });
    for (const n of range(5)) engine.offer(n);
    const result = engine.flush(200);
    await tick(200);
    expect(await result).toBe(false);
    expect(expectInvariant(engine.stats())).toMatchObject({ inFlight: 5, exported: 0 });
    sink.calls[0]?.resolve();
    await tick();
    expect(expectInvariant(engine.stats()).exported).toBe(5);
  });

  it('resolves at once when nothing is pending', async () => {
    const engine = engineWith(new ControlledExport<number>(instant));
    await expect(engine.flush()).resolves.toBe(true);
  });

  it('rejects a bad timeout with a TypeError naming it', async () => {
    const engine = engineWith(new ControlledExport<number>(instant));
    await expect(engine.flush(-1)).rejects.toThrow('timeoutMillis must be an integer');
  });
});

describe('shutdown', () => {
  it('drains everything, then shuts the exporter down once', async () => {
    const sink = new ControlledExport<number>((call) => {
      setTimeout(() => call.resolve(), 5);
    });
    const onShutdown = vi.fn();
    const engine = engineWith(sink, { maxExportBatchSize: 10, onShutdown });
    for (const n of range(95)) engine.offer(n);
    const first = engine.shutdown();
    const second = engine.shutdown();
    expect(second).toBe(first);
    await tick(100);
    await first;
    expect(onShutdown).toHaveBeenCalledTimes(1);
    expect(sink.exportedItems()).toEqual(range(95));
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 95, queued: 0, inFlight: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves by its deadline when the export hangs, counting the rest as shutdown_timeout', async () => {
    const sink = new ControlledExport<number>(hangUntilAborted);
    const onShutdown = vi.fn(() => new Promise<void>(() => {})); // the exporter hangs too
    const engine = engineWith(sink, {
      maxExportBatchSize: 10,
      maxQueueSize: 100,
      shutdownTimeoutMillis: 2000,
      exportTimeoutMillis: 30_000,
      onShutdown,
    });
    for (const n of range(25)) engine.offer(n);
    let resolved = false;
    void engine.shutdown().then(() => {
      resolved = true;
    });
    await tick(1999);
    expect(resolved).toBe(false);
    await tick(1);
    expect(resolved).toBe(true);
    expect(sink.calls[0]?.context.signal.reason).toMatchObject({ deadline: 'shutdown_timeout' });
    expect(expectInvariant(engine.stats())).toMatchObject({
      queued: 0,
      inFlight: 0,
      dropped: expect.objectContaining({ shutdown_timeout: 25 }),
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts records offered after shutdown as already_shutdown', async () => {
    const engine = engineWith(new ControlledExport<number>(instant));
    await engine.shutdown();
    expect(engine.offer(1)).toBe(false);
    expect(engine.offer(2)).toBe(false);
    expect(expectInvariant(engine.stats()).dropped.already_shutdown).toBe(2);
    await expect(engine.flush()).resolves.toBe(true);
  });

  it('survives an exporter whose shutdown throws', async () => {
    const logger = { warn: vi.fn(), debug: vi.fn() };
    const engine = engineWith(new ControlledExport<number>(instant), {
      logger,
      onShutdown: () => {
        throw new Error('nope');
      },
    });
    await expect(engine.shutdown()).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('shutdown failed'),
      expect.any(Error),
    );
  });
});

describe('drop warnings', () => {
  it('warns at most once per interval, with the counts by reason', async () => {
    const warn = vi.fn();
    const logger: DiagnosticLogger = { warn, debug: () => {} };
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, {
      maxQueueSize: 2,
      maxExportBatchSize: 2,
      dropWarningIntervalMillis: 10_000,
      exportTimeoutMillis: 600_000,
      logger,
      name: 'TestEngine',
    });
    // The first full batch leaves the queue at once; two more records fit, the fifth is shed.
    for (const n of range(5)) engine.offer(n);
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toBe(
      'TestEngine: dropped 1 record (queue_full: 1); totals in stats()',
    );
    await tick(); // the first batch is still in flight: the queue stays full
    for (const n of range(10, 5)) engine.offer(n);
    await tick(9_000);
    for (const n of range(3, 100)) engine.offer(n);
    expect(warn).toHaveBeenCalledTimes(1);
    await tick(1_000);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]?.[0]).toBe(
      'TestEngine: dropped 13 records (queue_full: 13); totals in stats()',
    );
    await tick(60_000);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('is silent with an interval of 0, while stats still count', async () => {
    const warn = vi.fn();
    const engine = engineWith(new ControlledExport<number>(), {
      maxQueueSize: 1,
      maxExportBatchSize: 1,
      dropWarningIntervalMillis: 0,
      logger: { warn, debug: () => {} },
    });
    for (const n of range(5)) engine.offer(n); // one in flight, one queued, three shed
    await tick(20_000);
    expect(warn).not.toHaveBeenCalled();
    expect(engine.stats().dropped.queue_full).toBe(3);
  });
});

describe('a synchronous burst (as OpenTelemetry takes it)', () => {
  it('keeps maxQueueSize + maxExportBatchSize records while a slot is free, exporting off the emitting call', async () => {
    const sink = new ControlledExport<number>(instant);
    const engine = engineWith(sink, { maxQueueSize: 6, maxExportBatchSize: 5 });
    const accepted = range(50).map((n) => engine.offer(n));
    // The first full batch left the queue on the emitting call, but its export did not run there.
    expect(sink.calls).toHaveLength(0);
    expect(accepted.filter(Boolean)).toHaveLength(11);
    expect(expectInvariant(engine.stats())).toMatchObject({
      received: 50,
      inFlight: 5,
      queued: 6,
      dropped: expect.objectContaining({ queue_full: 39 }),
    });
    await tick();
    // The first batch was exported; the next full one went at once (eager), one record waits.
    expect(sink.exportedItems()).toEqual(range(10));
    expect(engine.stats()).toMatchObject({ exported: 10, queued: 1 });
    await tick(1000);
    expect(sink.exportedItems()).toEqual(range(11));
  });

  it('takes one batch per free slot', () => {
    const sink = new ControlledExport<number>();
    const engine = engineWith(sink, {
      maxQueueSize: 4,
      maxExportBatchSize: 2,
      maxConcurrentExports: 2,
    });
    for (const n of range(20)) engine.offer(n);
    expect(expectInvariant(engine.stats())).toMatchObject({ inFlight: 4, queued: 4 });
  });
});

describe('counting received', () => {
  it.each(['drop_newest', 'drop_oldest', 'drop_lowest_severity'] as const)(
    'under %s, a severityOf or sizeOf that reads stats() always sees the identity hold',
    (overflowPolicy) => {
      let engine: BatchEngine<number> | undefined;
      const seen: number[] = [];
      const peek = (): void => {
        if (engine !== undefined) seen.push(unaccountedRecords(engine.stats()));
      };
      engine = engineWith(new ControlledExport<number>(), {
        maxQueueSize: 2,
        maxExportBatchSize: 2,
        maxQueueBytes: overflowPolicy === 'drop_lowest_severity' ? 100 : Number.POSITIVE_INFINITY,
        overflowPolicy,
        severityOf: (n) => {
          peek();
          return n % 24;
        },
        sizeOf: () => {
          peek();
          return 1;
        },
      });
      for (const n of range(10)) engine.offer(n);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((n) => n === 0)).toBe(true);
    },
  );
});
