import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoggerProvider, MeterProvider, MetricReader } from '#sdk';
import { withEnvironment } from '../../src/environment/env-config.js';
import {
  createFileSpool,
  createJsonEncoder,
  createTelemetryReporter,
  type ExportResultLike,
  ReporterLogRecordProcessor,
  RetryableError,
  type SendContext,
  TransportLogRecordExporter,
  TransportSpanExporter,
} from '../../src/index.js';
import { MemoryTransport } from '../helpers/memory-transport.js';

/**
 * Waits for a condition on the spool's asynchronous work (files written, replays done): checked
 * every 10 ms, failing after 10 s, which only a hang reaches, even on a loaded machine.
 */
function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 10_000, interval: 10 });
}

/** A test's bound: room for two of the waits above, beyond vitest's 5 s. */
const SPOOL_TEST = { timeout: 30_000 };

// The transport exporters with a spool: what the processor counts (`spooled`, `stats().spool`),
// the shutdown spill, the environment variables, the standard export() path and self-metrics.
// Real files in a temporary directory; waits are on the observed state, never on the clock.

let directory: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'otel-spool-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(directory, { recursive: true, force: true });
});

/** A transport that is down (retryable failures) until `up` is set. */
function switchable(): MemoryTransport & { up: boolean; ids: (string | undefined)[] } {
  const ids: (string | undefined)[] = [];
  const transport = Object.assign(new MemoryTransport(), { up: false, ids });
  transport.behaviour = (_payload: string, context: SendContext) => {
    ids.push(context.batchId);
    if (!transport.up) throw new RetryableError('backend down');
  };
  return transport;
}

function logPipeline(transport: MemoryTransport, options: Record<string, unknown> = {}) {
  const exporter = new TransportLogRecordExporter({
    transport,
    retry: { maxAttempts: 1 },
    spool: createFileSpool({ directory, fsync: false }),
    spoolProbeIntervalMillis: 20,
    ...options,
  });
  const processor = new ReporterLogRecordProcessor({ exporter, maxExportBatchSize: 10 });
  const provider = new LoggerProvider({ processors: [processor] });
  cleanups.push(() => provider.shutdown());
  return { exporter, processor, provider, logger: provider.getLogger('spool') };
}

describe(
  'ReporterLogRecordProcessor over a TransportLogRecordExporter with a spool',
  SPOOL_TEST,
  () => {
    it('counts records the spool holds as spooled, and as exported once a replay delivers them', async () => {
      const transport = switchable();
      const { processor, provider, logger } = logPipeline(transport);
      for (let i = 0; i < 10; i++) logger.emit({ body: `r${i}` });
      await provider.forceFlush();
      expect(expectInvariant(processor.stats())).toMatchObject({ spooled: 10, exported: 0 });
      await eventually(() => expect(processor.stats().spool?.files).toBe(1));
      expect(processor.stats().spool?.bytes).toBeGreaterThan(0);

      transport.up = true;
      for (let i = 10; i < 15; i++) logger.emit({ body: `r${i}` });
      await provider.forceFlush();
      await eventually(() => expect(processor.stats().spooled).toBe(0));
      expect(expectInvariant(processor.stats())).toMatchObject({
        received: 15,
        exported: 15,
        spool: { files: 0, droppedFromEarlier: 0, writeFailures: 0 },
      });
      const bodies = transport.records<{ body: string }>().map((r) => r.body);
      expect(bodies.sort()).toEqual(Array.from({ length: 15 }, (_, i) => `r${i}`).sort());
    });

    it('spills what is still queued at the shutdown deadline to the spool', async () => {
      const transport = new MemoryTransport(
        (_payload, context) =>
          new Promise<void>((_, reject) =>
            context.signal.addEventListener('abort', () => reject(context.signal.reason)),
          ),
      );
      const exporter = new TransportLogRecordExporter({
        transport,
        spool: createFileSpool({ directory, fsync: false }),
      });
      const processor = new ReporterLogRecordProcessor({
        exporter,
        maxExportBatchSize: 10,
        maxConcurrentExports: 1,
        shutdownTimeoutMillis: 2000, // the spill keeps 500 ms of it, ample even on a loaded machine
      });
      const provider = new LoggerProvider({ processors: [processor] });
      const logger = provider.getLogger('spool');
      for (let i = 0; i < 35; i++) logger.emit({ body: i });
      await provider.shutdown();
      const stats = expectInvariant(processor.stats());
      expect(stats).toMatchObject({ received: 35, spooled: 35, queued: 0, inFlight: 0 });
      expect(stats.dropped.shutdown_timeout).toBe(0);
      const files = (await readdir(directory)).filter((name) => name.endsWith('.batch'));
      expect(files.length).toBeGreaterThanOrEqual(2);
    });

    it('sends the same batch id on every attempt and on the replay', async () => {
      const transport = switchable();
      const { provider, processor, logger } = logPipeline(transport, {
        retry: { maxAttempts: 2, initialDelayMillis: 1, maxDelayMillis: 1 },
      });
      logger.emit({ body: 'once' });
      await provider.forceFlush();
      await eventually(() => expect(processor.stats().spool?.files).toBe(1));
      transport.up = true;
      logger.emit({ body: 'twice' });
      await provider.forceFlush();
      await eventually(() => expect(processor.stats().spooled).toBe(0));
      // two attempts, then the probe's replay; the later batch went to the spool unsent, and
      // out after it
      const first = transport.ids[0];
      const later = transport.ids.at(-1);
      expect(first).toMatch(/^[0-9a-f]{32}$/);
      expect(transport.ids.length).toBeGreaterThanOrEqual(4);
      expect(new Set(transport.ids.slice(0, -1))).toEqual(new Set([first]));
      expect(later).toMatch(/^[0-9a-f]{32}$/);
      expect(later).not.toBe(first);
    });
  },
);

describe('TELEMETRY_REPORTER_SPOOL_*', SPOOL_TEST, () => {
  it('gives the log and span exporters a spool each, in logs/ and traces/', async () => {
    const env = {
      TELEMETRY_REPORTER_SPOOL_DIR: directory,
      TELEMETRY_REPORTER_SPOOL_MODE: 'write-ahead',
    };
    const transport = new MemoryTransport();
    const logs = new TransportLogRecordExporter(withEnvironment({ transport }, env));
    const spans = new TransportSpanExporter(
      withEnvironment({ transport: new MemoryTransport(), encoder: createJsonEncoder() }, env),
    );
    const processor = new ReporterLogRecordProcessor({ exporter: logs });
    const provider = new LoggerProvider({ processors: [processor] });
    provider.getLogger('env').emit({ body: 'hello' });
    await provider.forceFlush();
    // write-ahead: the batch went through the spool before its send, so the directory exists
    expect(existsSync(join(directory, 'logs'))).toBe(true);
    expect(transport.attempts[0]?.context.batchId).toMatch(/^[0-9a-f]{32}$/);
    // deleted once delivered
    await eventually(() =>
      expect(processor.stats().spool).toMatchObject({ files: 0, writeFailures: 0 }),
    );
    const result = await new Promise<ExportResultLike>((resolve) =>
      spans.export([{ name: 'span' } as never], resolve),
    );
    expect(result.code).toBe(0);
    expect(existsSync(join(directory, 'traces'))).toBe(true);
    await provider.shutdown();
    await spans.shutdown();
  });

  it('is ignored with a warning naming the variable when the mode is not a mode', async () => {
    const diag = captureDiag();
    cleanups.push(async () => diag.restore());
    const env = {
      TELEMETRY_REPORTER_SPOOL_DIR: directory,
      TELEMETRY_REPORTER_SPOOL_MODE: 'sometimes',
    };
    const exporter = new TransportLogRecordExporter(
      withEnvironment({ transport: new MemoryTransport() }, env),
    );
    cleanups.push(() => exporter.shutdown());
    expect(diag.warn.join('\n')).toMatch(/TELEMETRY_REPORTER_SPOOL_MODE="sometimes"/);
  });

  it('is turned off by spool: null in the code', async () => {
    const env = { TELEMETRY_REPORTER_SPOOL_DIR: directory };
    const transport = new MemoryTransport();
    const exporter = new TransportLogRecordExporter(
      withEnvironment({ transport, spool: null }, env),
    );
    const processor = new ReporterLogRecordProcessor({ exporter });
    const provider = new LoggerProvider({ processors: [processor] });
    provider.getLogger('env').emit({ body: 'hello' });
    await provider.shutdown();
    expect(processor.stats().spool).toBeUndefined();
    expect(transport.attempts[0]?.context.batchId).toBeUndefined();
  });
});

describe(
  "a spooling exporter through the standard export() (the SDK's own processors)",
  SPOOL_TEST,
  () => {
    it('reports a spooled batch as not delivered, naming the spool, and replays it later', async () => {
      const transport = switchable();
      const exporter = new TransportLogRecordExporter({
        transport,
        retry: { maxAttempts: 1 },
        spool: createFileSpool({ directory, fsync: false }),
        spoolProbeIntervalMillis: 20,
      });
      cleanups.push(() => exporter.shutdown());
      const record = {
        hrTime: [1, 0],
        attributes: {},
        resource: { attributes: {} },
        instrumentationScope: { name: 's' },
        body: 'x',
      } as never;
      const result = await new Promise<ExportResultLike>((resolve) =>
        exporter.export([record], resolve),
      );
      expect(result.code).toBe(1);
      expect(result.error?.message).toMatch(/spooled for a later replay: 1/);
      await eventually(async () =>
        expect((await readdir(directory)).filter((n) => n.endsWith('.batch'))).toHaveLength(1),
      );
      transport.up = true;
      // the spool's probe finds the backend back and replays the batch
      await eventually(async () => {
        expect(transport.records()).toHaveLength(1);
        expect((await readdir(directory)).filter((n) => n.endsWith('.batch'))).toEqual([]);
      });
      const next = await new Promise<ExportResultLike>((resolve) =>
        exporter.export([record], resolve),
      );
      expect(next).toEqual({ code: 0 });
      expect(transport.records()).toHaveLength(2);
    });
  },
);

describe('createTelemetryReporter with a spool', SPOOL_TEST, () => {
  it('refuses a spool beside an exporter, naming the option', () => {
    expect(() =>
      createTelemetryReporter({
        exporter: { export: () => {}, shutdown: async () => {} } as never,
        spool: createFileSpool({ directory }),
      } as never),
    ).toThrow('spool applies to a transport; an exporter encodes, retries and buffers on its own');
  });
});

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('self-metrics with a spool', SPOOL_TEST, () => {
  it('take spooled records out of inflight, count them when replayed, and observe the spool', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const transport = switchable();
    const exporter = new TransportLogRecordExporter({
      transport,
      retry: { maxAttempts: 1 },
      spool: createFileSpool({ directory, fsync: false }),
      spoolProbeIntervalMillis: 20,
    });
    const processor = new ReporterLogRecordProcessor({ exporter, meterProvider });
    const provider = new LoggerProvider({ processors: [processor] });
    cleanups.push(() => provider.shutdown());
    const logger = provider.getLogger('metrics');
    for (let i = 0; i < 4; i++) logger.emit({ body: i });
    await provider.forceFlush();
    await eventually(() => expect(processor.stats().spool?.files).toBe(1));

    const sum = async (name: string, errorType?: string): Promise<number> => {
      const { resourceMetrics } = await reader.collect();
      let total = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics as unknown as {
          descriptor: { name: string };
          dataPoints: { attributes: Record<string, unknown>; value: number }[];
        }[]) {
          if (metric.descriptor.name !== name) continue;
          for (const point of metric.dataPoints) {
            if (point.attributes['error.type'] === errorType) total += point.value;
          }
        }
      }
      return total;
    };
    expect(await sum('otel.sdk.exporter.log.inflight')).toBe(0);
    expect(await sum('otel.sdk.processor.log.processed')).toBe(0);
    expect(await sum('telemetry_reporter.spool.log.records')).toBe(4);
    expect(await sum('telemetry_reporter.spool.usage')).toBe(processor.stats().spool?.bytes);

    transport.up = true;
    logger.emit({ body: 'up' });
    await provider.forceFlush();
    await eventually(() => expect(processor.stats().spooled).toBe(0));
    await eventually(async () => expect(await sum('otel.sdk.processor.log.processed')).toBe(5));
    expect(await sum('otel.sdk.exporter.log.exported')).toBe(5);
    expect(await sum('telemetry_reporter.spool.log.records')).toBe(0);
  });
});
