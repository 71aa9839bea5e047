import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { casesFor, isValid } from '@telemetry-reporter-internal/test-kit/hostile-values';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchLogRecordProcessor, LoggerProvider } from '#sdk';
import {
  createJsonEncoder,
  type ExportResultLike,
  type ReporterLogRecord,
  RetryableError,
  TransportLogRecordExporter,
  TransportSpanExporter,
} from '../../src/index.js';
import { runFixture } from '../helpers/child-process.js';
import { MemoryTransport } from '../helpers/memory-transport.js';

// The transport exporters used through OpenTelemetry's standard export(), as the SDK's own
// BatchLogRecordProcessor uses them: nothing above aborts these exports, so each has its own
// deadline (exportTimeoutMillis) and shutdown() aborts what is still pending.

afterEach(() => {
  vi.useRealTimers();
});

const record = {
  hrTime: [1, 0],
  attributes: {},
  resource: { attributes: {} },
  instrumentationScope: { name: 's' },
  body: 'x',
} as unknown as ReporterLogRecord;

/** A send that never settles and ignores its signal: only our own deadline can end it. */
const deaf = (): Promise<void> => new Promise<void>(() => {});

/** Tracks `promise`: `done` turns true once it settles. */
function settled(promise: Promise<unknown>): { promise: Promise<unknown>; done: boolean } {
  const tracked = { promise, done: false };
  const mark = (): void => {
    tracked.done = true;
  };
  promise.then(mark, mark);
  return tracked;
}

/** Starts an export; the slot fills in when its result is reported. */
function exportOne(exporter: TransportLogRecordExporter): { result?: ExportResultLike } {
  const slot: { result?: ExportResultLike } = {};
  exporter.export([record], (result) => {
    slot.result = result;
  });
  return slot;
}

describe('TransportLogRecordExporter through the standard export()', () => {
  it('reports failure at exportTimeoutMillis (default 30000), aborting the send', async () => {
    vi.useFakeTimers();
    const transport = new MemoryTransport(deaf);
    const exporter = new TransportLogRecordExporter({ transport });
    const slot = exportOne(exporter);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(slot.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(slot.result?.code).toBe(1);
    expect(slot.result?.error?.message).toBe(
      'TransportLogRecordExporter: 1 of 1 records not delivered (export_timeout: 1); export did not finish within exportTimeoutMillis (30000 ms)',
    );
    expect(transport.attempts[0]?.context.signal.aborted).toBe(true);
  });

  it('takes exportTimeoutMillis from the options, for spans too', async () => {
    vi.useFakeTimers();
    const exporter = new TransportSpanExporter({
      transport: new MemoryTransport(deaf),
      encoder: createJsonEncoder(), // any object encodes: no need for a real span here
      exportTimeoutMillis: 500,
    });
    let result: ExportResultLike | undefined;
    exporter.export([{} as never], (r) => {
      result = r;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result?.error?.message).toMatch(/\(export_timeout: 1\); .*\(500 ms\)$/);
  });

  it('does not wait for a retry that could only start after the deadline (a long Retry-After)', async () => {
    vi.useFakeTimers();
    const diag = captureDiag();
    try {
      const transport = new MemoryTransport(() => {
        throw new RetryableError('HTTP 429', { retryAfterMillis: 600_000 });
      });
      const slot = exportOne(new TransportLogRecordExporter({ transport }));
      await vi.advanceTimersByTimeAsync(0);
      expect(slot.result?.error?.message).toBe(
        'TransportLogRecordExporter: 1 of 1 records not delivered (retries_exhausted: 1)',
      );
      expect(transport.attempts).toHaveLength(1);
    } finally {
      diag.restore();
    }
  });

  it('bounds forceFlush() by the deadline of what is pending', async () => {
    vi.useFakeTimers();
    const exporter = new TransportLogRecordExporter({
      transport: new MemoryTransport(deaf),
      exportTimeoutMillis: 1000,
    });
    exportOne(exporter);
    let flushed = false;
    void exporter.forceFlush().then(() => {
      flushed = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(flushed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushed).toBe(true);
  });

  it('shutdown() aborts every pending export at once: their batches fail, then the transport shuts down', async () => {
    vi.useFakeTimers();
    const transport = new MemoryTransport(deaf);
    const exporter = new TransportLogRecordExporter({ transport });
    const first = exportOne(exporter);
    const second = exportOne(exporter);
    await vi.advanceTimersByTimeAsync(0);
    let done = false;
    void exporter.shutdown().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    for (const slot of [first, second]) {
      expect(slot.result?.error?.message).toBe(
        'TransportLogRecordExporter: 1 of 1 records not delivered (aborted: 1); TransportLogRecordExporter was shut down',
      );
    }
    expect(transport.attempts.every((a) => a.context.signal.aborted)).toBe(true);
    // The same vocabulary as the processors' deadlines: the transport can tell why.
    for (const attempt of transport.attempts) {
      expect(attempt.context.signal.reason).toMatchObject({
        code: 'TR_EXPORT_ABORTED',
        reason: 'exporter_shutdown',
      });
    }
    expect(transport.shutdownCalls).toBe(1);
    expect(exportOne(exporter).result?.code).toBe(1); // after shutdown: refused at once
  });

  it('reports each batch once, and survives a result callback that throws', async () => {
    vi.useFakeTimers();
    const diag = captureDiag();
    try {
      const exporter = new TransportLogRecordExporter({
        transport: new MemoryTransport(deaf),
        exportTimeoutMillis: 10,
      });
      const calls: number[] = [];
      exporter.export([record], (result) => {
        calls.push(result.code);
        throw new Error('callback bug');
      });
      await vi.advanceTimersByTimeAsync(10);
      await exporter.shutdown();
      expect(calls).toEqual([1]);
      expect(diag.warn).toContain('TransportLogRecordExporter: the export result callback threw');
    } finally {
      diag.restore();
    }
  });

  it('lets the SDK BatchLogRecordProcessor shut down promptly when the backend says come back in 10 minutes', async () => {
    vi.useFakeTimers();
    const transport = new MemoryTransport(() => {
      throw new RetryableError('HTTP 429', { retryAfterMillis: 600_000 });
    });
    const diag = captureDiag();
    try {
      const exporter = new TransportLogRecordExporter({ transport });
      const provider = new LoggerProvider({
        processors: [new BatchLogRecordProcessor({ exporter, exportTimeoutMillis: 500 })],
      });
      provider.getLogger('x').emit({ body: 'x' });
      const shutdown = settled(provider.shutdown());
      // by the SDK processor's 500 ms deadline at the latest, not the 10 minutes; on the fake
      // clock, which a loaded machine cannot stretch
      await vi.advanceTimersByTimeAsync(500);
      expect(shutdown.done).toBe(true);
      await shutdown.promise;
      expect(transport.shutdownCalls).toBe(1);
    } finally {
      diag.restore();
    }
  });

  it('lets the SDK BatchLogRecordProcessor shut down within exportTimeoutMillis from a hung backend', async () => {
    vi.useFakeTimers();
    const transport = new MemoryTransport(deaf);
    const exporter = new TransportLogRecordExporter({ transport, exportTimeoutMillis: 300 });
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter, exportTimeoutMillis: 100 })],
    });
    provider.getLogger('x').emit({ body: 'x' });
    const shutdown = settled(provider.shutdown());
    // by the exporter's 300 ms, on the fake clock, which a loaded machine cannot stretch
    await vi.advanceTimersByTimeAsync(300);
    expect(shutdown.done).toBe(true);
    await shutdown.promise;
    expect(transport.shutdownCalls).toBe(1);
  });

  it.each(
    casesFor('millis1')
      .filter(([, value]) => !isValid('millis1', value))
      .map(([label, value, echo]) => [label, { value, echo }] as const),
  )('refuses exportTimeoutMillis: %s', (_label, { value, echo }) => {
    expect(
      () =>
        new TransportLogRecordExporter({
          transport: new MemoryTransport(),
          exportTimeoutMillis: value as never,
        }),
    ).toThrow(
      new TypeError(
        `exportTimeoutMillis must be an integer number of milliseconds between 1 and 2147483647, got ${echo}`,
      ),
    );
  });

  it('keeps a script alive through the backoff while provider.shutdown() waits, within the deadline', {
    timeout: 20_000,
  }, async () => {
    const result = await runFixture('builtin-processor-app.mjs', { env: { RETRY_AFTER: '500' } });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(result.stdout)).toMatchObject({ attempts: 2, delivered: 1 });
  });

  it('lets the script end at the deadline when the retry would come after it', {
    timeout: 20_000,
  }, async () => {
    // No elapsed time is asserted, as a loaded machine stretches any: a script that waited for
    // the retry (10 minutes), or for the exporter's 30 s default deadline, would be killed by
    // the 15 s hang guard (SIGKILL, code null) instead of ending with code 0 after one attempt.
    const result = await runFixture('builtin-processor-app.mjs', {
      env: { RETRY_AFTER: '600000' },
    });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(result.stdout)).toMatchObject({ attempts: 1, delivered: 0 });
  });
});
