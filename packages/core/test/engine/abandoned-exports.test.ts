import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchEngine, type BatchEngineOptions } from '../../src/index.js';
import { ControlledExport, range } from '../helpers/controlled-export.js';

// An export that never settles (it ignores its signal, or a foreign exporter never calls back)
// keeps its slot one exportTimeoutMillis past its deadline, then is abandoned, so that it can
// stop neither exporting, nor flushes, nor the process from exiting. At the shutdown deadline,
// running exports are aborted and abandoned at once.

const ABANDONED =
  'Test: export did not settle 100 ms after its deadline; abandoned, its slot is released: the exporter or transport ignores its AbortSignal';

async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

function setup(options: Partial<BatchEngineOptions<number>> = {}) {
  const sink = new ControlledExport<number>();
  const logger = { warn: vi.fn(), debug: vi.fn() };
  const engine = new BatchEngine<number>({
    exportBatch: sink.exportBatch,
    maxExportBatchSize: 2,
    exportTimeoutMillis: 100,
    dropWarningIntervalMillis: 0,
    name: 'Test',
    logger,
    ...options,
  });
  const abandonWarnings = (): string[] =>
    logger.warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('abandoned'));
  return { sink, logger, engine, abandonWarnings };
}

describe('an export that never settles', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps its slot through the grace period, then is abandoned and the next batch goes out', async () => {
    const { sink, engine, abandonWarnings } = setup();
    for (const n of range(4)) engine.offer(n);
    await tick();
    expect(sink.calls).toHaveLength(1);
    await tick(100); // the deadline: records counted, signal aborted, slot still held
    expect(sink.calls[0]?.context.signal.aborted).toBe(true);
    expect(expectInvariant(engine.stats()).dropped.export_timeout).toBe(2);
    await tick(99);
    expect(sink.calls).toHaveLength(1);
    expect(abandonWarnings()).toEqual([]);
    await tick(1); // deadline + grace
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[1]?.batch).toEqual([2, 3]);
    expect(abandonWarnings()).toEqual([ABANDONED]);
    expect(sink.calls[1]?.context.signal.aborted).toBe(false);
  });

  it('counts nothing twice when it settles at last, and still runs one export at a time', async () => {
    const { sink, engine } = setup();
    for (const n of range(4)) engine.offer(n);
    await tick(200); // first abandoned, second in flight
    sink.calls[1]?.resolve();
    await tick();
    const before = expectInvariant(engine.stats());
    expect(before).toMatchObject({ exported: 2, inFlight: 0, queued: 0 });
    sink.calls[0]?.resolve(); // the abandoned export settles, long after
    await tick();
    expect(expectInvariant(engine.stats())).toEqual(before);
    // Its slot was given back once only: still one export at a time.
    for (const n of range(6, 4)) engine.offer(n);
    await tick();
    expect(sink.pending()).toHaveLength(1);
    sink.calls[2]?.reject(new Error('late failure'));
    await tick();
    expect(sink.pending()).toHaveLength(1);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 2,
      inFlight: 2,
      queued: 2,
      dropped: expect.objectContaining({ rejected: 2, export_timeout: 2 }),
    });
  });

  it('ignores a late rejection and late outcomes of an abandoned export', async () => {
    const { sink, engine } = setup();
    for (const n of range(2)) engine.offer(n);
    await tick(200);
    const before = expectInvariant(engine.stats());
    const call = sink.calls[0];
    call?.context.settle(2, 'exported');
    call?.context.countRetry();
    call?.reject(new Error('after all'));
    await tick();
    expect(expectInvariant(engine.stats())).toEqual(before);
  });

  it('warns at most once per dropWarningIntervalMillis, with the count since the last warning', async () => {
    const { sink, engine, abandonWarnings } = setup({ dropWarningIntervalMillis: 1000 });
    for (const n of range(8)) engine.offer(n);
    await tick(200);
    expect(abandonWarnings()).toEqual([ABANDONED]);
    await tick(400); // two more abandoned within the interval
    expect(sink.calls).toHaveLength(4);
    expect(abandonWarnings()).toHaveLength(1);
    for (const n of range(8, 8)) engine.offer(n);
    await tick(1000);
    expect(abandonWarnings()).toHaveLength(2);
    expect(abandonWarnings()[1]).toMatch(/\(\d+ exports abandoned since the last warning\)$/);
  });

  it('does not warn about an export that honours its signal', async () => {
    const { sink, engine, abandonWarnings } = setup();
    sink.behaviour = (call) =>
      call.context.signal.addEventListener('abort', () => call.reject(call.context.signal.reason));
    for (const n of range(2)) engine.offer(n);
    await tick(1000);
    expect(abandonWarnings()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0); // no grace timer left behind
  });

  it('lets a flush finish: its records are settled at the deadline', async () => {
    const { engine } = setup();
    for (const n of range(5)) engine.offer(n);
    let done: boolean | undefined;
    void engine.flush().then((d) => {
      done = d;
    });
    // three batches, each settled at its deadline; the next leaves when the slot is abandoned
    await tick(499);
    expect(done).toBeUndefined();
    await tick(1);
    expect(done).toBe(true);
    expect(expectInvariant(engine.stats())).toMatchObject({
      queued: 0,
      inFlight: 0,
      dropped: expect.objectContaining({ export_timeout: 5 }),
    });
  });

  it('is abandoned at once at the shutdown deadline, leaving no timer behind', async () => {
    const { sink, engine, abandonWarnings } = setup({ onShutdown: vi.fn() });
    for (const n of range(4)) engine.offer(n);
    await tick(150); // first batch in its grace period
    let resolved = false;
    void engine.shutdown(20).then(() => {
      resolved = true;
    });
    await tick(20);
    expect(resolved).toBe(true);
    expect(sink.calls).toHaveLength(1); // the queued batch never went out
    expect(expectInvariant(engine.stats())).toMatchObject({
      queued: 0,
      inFlight: 0,
      dropped: expect.objectContaining({ export_timeout: 2, shutdown_timeout: 2 }),
    });
    expect(vi.getTimerCount()).toBe(0);
    expect(abandonWarnings()).toEqual([]);
  });
});

describe('shutdown and exports whose records are all settled', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Reports every record delivered at once, but keeps its promise pending. */
  function settleEarly(sink: ControlledExport<number>): void {
    sink.behaviour = (call) => call.context.settle(call.batch.length, 'exported');
  }

  it('waits for such an export before shutting the exporter down', async () => {
    const order: string[] = [];
    const { sink, engine } = setup({
      exportTimeoutMillis: 10_000,
      onShutdown: () => {
        order.push('onShutdown');
      },
    });
    settleEarly(sink);
    for (const n of range(2)) engine.offer(n);
    await tick();
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 2, inFlight: 0 });
    const shutdown = engine.shutdown(1000);
    await tick(500);
    expect(order).toEqual([]);
    order.push('export settled');
    sink.calls[0]?.resolve();
    await tick();
    await shutdown;
    expect(order).toEqual(['export settled', 'onShutdown']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts such an export at the shutdown deadline and clears its timers', async () => {
    const onShutdown = vi.fn();
    const { sink, engine } = setup({ exportTimeoutMillis: 10_000, onShutdown });
    settleEarly(sink);
    for (const n of range(2)) engine.offer(n);
    await tick();
    let resolved = false;
    void engine.shutdown(1000).then(() => {
      resolved = true;
    });
    await tick(999);
    expect(onShutdown).not.toHaveBeenCalled();
    await tick(1);
    expect(resolved).toBe(true);
    const signal = sink.calls[0]?.context.signal as AbortSignal;
    expect(signal.reason).toMatchObject({ deadline: 'shutdown_timeout' });
    expect(onShutdown).toHaveBeenCalledTimes(1);
    // delivered records stay delivered: nothing is counted as shutdown_timeout
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 2,
      dropped: expect.objectContaining({ shutdown_timeout: 0 }),
    });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('flush once the shutdown began', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function hungShutdown() {
    const { sink, engine } = setup({ exportTimeoutMillis: 60_000, shutdownTimeoutMillis: 3000 });
    sink.behaviour = (call) =>
      call.context.signal.addEventListener('abort', () => call.reject(call.context.signal.reason));
    engine.offer(1);
    return engine;
  }

  it('resolves false at its timeout when the shutdown takes longer', async () => {
    const engine = hungShutdown();
    await tick(50);
    void engine.shutdown();
    let result: boolean | undefined;
    void engine.flush(100).then((r) => {
      result = r;
    });
    await tick(99);
    expect(result).toBeUndefined();
    await tick(1);
    expect(result).toBe(false);
    await tick(3000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves true when the shutdown ends first, leaving no timer behind', async () => {
    const engine = hungShutdown();
    await tick(50);
    const shutdown = engine.shutdown();
    const flushed = engine.flush(10_000);
    const unbounded = engine.flush();
    await tick(3000);
    await shutdown;
    await expect(flushed).resolves.toBe(true);
    await expect(unbounded).resolves.toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the process keep-alive', () => {
  it('is released once a flush over a hung export completes; no other engine timer holds it', async () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval');
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const { engine } = setup({ exportTimeoutMillis: 20 });
    for (const n of range(3)) engine.offer(n);
    const flushed = engine.flush();
    // the flush holds the process open: one ref'd interval ...
    expect(setIntervalSpy).toHaveBeenCalledTimes(1);
    const hold = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(hold.hasRef()).toBe(true);
    await expect(flushed).resolves.toBe(true);
    // ... let go once its records are settled at their deadlines, though an export still hangs
    expect(clearIntervalSpy).toHaveBeenCalledWith(hold);
    expect(expectInvariant(engine.stats()).dropped.export_timeout).toBe(3);
    // deadlines and grace periods never keep the process alive
    const timeouts = setTimeoutSpy.mock.results.map((r) => r.value as NodeJS.Timeout);
    expect(timeouts.length).toBeGreaterThan(0);
    expect(timeouts.filter((t) => t.hasRef())).toEqual([]);
    await engine.shutdown(0);
  });
});
