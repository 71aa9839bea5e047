import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchEngine } from '../../src/index.js';
import {
  ControlledExport,
  hangUntilAborted,
  instant,
  range,
} from '../helpers/controlled-export.js';

// What adapters built on the engine (the reporter facade, the diagnostics_channel adapter) need:
// counting records they could not build, knowing whether the engine still accepts records, and
// a shutdown with a deadline of the caller's choosing.

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('countDropped', () => {
  it('counts records that never reached offer(), keeping the invariant', async () => {
    const sink = new ControlledExport<number>(instant);
    const engine = new BatchEngine<number>({ exportBatch: sink.exportBatch });
    engine.offer(1);
    engine.countDropped('encoding_failed');
    engine.countDropped('already_shutdown', 3);
    expect(expectInvariant(engine.stats())).toMatchObject({
      received: 5,
      queued: 1,
      dropped: expect.objectContaining({ encoding_failed: 1, already_shutdown: 3, queue_full: 0 }),
    });
    await expect(engine.flush()).resolves.toBe(true);
    expect(expectInvariant(engine.stats()).exported).toBe(1);
  });

  it('ignores what it cannot count, and never throws', () => {
    const engine = new BatchEngine<number>({ exportBatch: () => {} });
    for (const count of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      engine.countDropped('encoding_failed', count);
    }
    engine.countDropped('queue_full' as never); // would break droppedBySeverity's sum
    expect(expectInvariant(engine.stats()).received).toBe(0);
  });

  it('is reported by the drop warnings like any other drop', async () => {
    const warn = vi.fn();
    const engine = new BatchEngine<number>({
      exportBatch: () => {},
      logger: { warn, debug: () => {} },
      name: 'Adapter',
    });
    engine.countDropped('encoding_failed', 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(warn).toHaveBeenCalledWith(
      'Adapter: dropped 2 records (encoding_failed: 2); totals in stats()',
    );
  });
});

describe('accepting', () => {
  it('turns false as soon as shutdown() is called', async () => {
    const engine = new BatchEngine<number>({
      exportBatch: new ControlledExport<number>(instant).exportBatch,
    });
    expect(engine.accepting).toBe(true);
    const done = engine.shutdown();
    expect(engine.accepting).toBe(false);
    await done;
    expect(engine.accepting).toBe(false);
  });
});

describe('shutdown(timeoutMillis)', () => {
  it('uses the deadline given instead of shutdownTimeoutMillis', async () => {
    const sink = new ControlledExport<number>(hangUntilAborted);
    const engine = new BatchEngine<number>({
      exportBatch: sink.exportBatch,
      maxExportBatchSize: 10,
      shutdownTimeoutMillis: 30_000,
    });
    for (const n of range(15)) engine.offer(n);
    let resolved = false;
    void engine.shutdown(500).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(true);
    expect(sink.calls[0]?.context.signal.reason).toMatchObject({
      deadline: 'shutdown_timeout',
      message: 'shutdown did not finish within shutdownTimeoutMillis (500 ms)',
    });
    expect(expectInvariant(engine.stats()).dropped.shutdown_timeout).toBe(15);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the first deadline when called again', async () => {
    const engine = new BatchEngine<number>({
      exportBatch: new ControlledExport<number>(hangUntilAborted).exportBatch,
    });
    engine.offer(1);
    const first = engine.shutdown(100);
    expect(engine.shutdown(60_000)).toBe(first);
    await vi.advanceTimersByTimeAsync(100);
    await first;
    expect(expectInvariant(engine.stats()).dropped.shutdown_timeout).toBe(1);
  });

  it('rejects a bad timeout with a TypeError and does not shut down', async () => {
    const engine = new BatchEngine<number>({ exportBatch: () => {} });
    await expect(engine.shutdown(-1)).rejects.toThrow(
      new TypeError(
        'timeoutMillis must be an integer number of milliseconds between 0 and 2147483647, got -1',
      ),
    );
    expect(engine.accepting).toBe(true);
  });
});
