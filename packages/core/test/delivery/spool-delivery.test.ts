import { expectInvariant, totalDropped } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BatchEngine,
  type BatchEngineOptions,
  createFileSpool,
  createJsonEncoder,
  type FileSpool,
  PermanentError,
  RetryableError,
  type SendContext,
  type SpoolMode,
  type Transport,
  TransportDelivery,
} from '../../src/index.js';
import { deliveringEngine, offerIds } from '../helpers/delivering-engine.js';
import {
  batchFilesIn,
  faultyFs,
  filesIn,
  realFs,
  recordingLogger,
  scratchDirectory,
} from '../spool/spool-helpers.js';

/**
 * Waits for a condition on the spool's asynchronous work (files written, replays done): checked
 * every 10 ms, failing after 10 s, which only a hang reaches, even on a loaded machine.
 */
function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 10_000, interval: 10 });
}

/** A test's bound: room for the waits above (a test may wait twice), beyond vitest's 5 s. */
const SPOOL_TEST = { timeout: 30_000 };

interface Rec {
  id: number;
}

type Behaviour = 'ok' | 'fail' | 'hang' | 'reject';

interface Sent {
  readonly ids: number[];
  readonly batchId: string | undefined;
  readonly contentType: string | undefined;
  readonly attempt: number;
  readonly ok: boolean;
}

/** A backend the test switches between up, down, hanging and refusing. */
class Backend implements Transport<string> {
  behaviour: Behaviour = 'ok';
  readonly sent: Sent[] = [];
  /** Called on each send, before it resolves. */
  onSend: ((context: SendContext) => void) | undefined;

  async send(payload: string, context: SendContext): Promise<void> {
    const ids = (JSON.parse(payload) as Rec[]).map((r) => r.id);
    this.onSend?.(context);
    const { behaviour } = this;
    this.sent.push({
      ids,
      batchId: context.batchId,
      contentType: context.contentType,
      attempt: context.attempt,
      ok: behaviour === 'ok',
    });
    if (behaviour === 'fail') throw new RetryableError('backend down');
    if (behaviour === 'reject') throw new PermanentError('refused');
    if (behaviour === 'hang') {
      await new Promise<never>((_, reject) => {
        context.signal.addEventListener('abort', () => reject(context.signal.reason), {
          once: true,
        });
      });
    }
  }

  /** Ids the backend accepted, once per batch id (what a de-duplicating receiver keeps). */
  delivered(): number[] {
    const seen = new Set<string>();
    const ids: number[] = [];
    for (const send of this.sent) {
      if (!send.ok) continue;
      if (send.batchId !== undefined) {
        if (seen.has(send.batchId)) continue;
        seen.add(send.batchId);
      }
      ids.push(...send.ids);
    }
    return ids.sort((a, b) => a - b);
  }
}

interface Setup {
  readonly engine: BatchEngine<Rec>;
  readonly delivery: TransportDelivery<Rec, string>;
  readonly spool: FileSpool;
}

let dir: { path: string; remove: () => Promise<void> };
const engines: BatchEngine<Rec>[] = [];

beforeEach(async () => {
  dir = await scratchDirectory();
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.shutdown(50)));
  await dir.remove();
});

function setup(
  backend: Transport<string>,
  options: {
    mode?: SpoolMode;
    spool?: FileSpool;
    engine?: Partial<BatchEngineOptions<Rec>>;
  } = {},
): Setup {
  const spool = options.spool ?? createFileSpool({ directory: dir.path, fsync: false });
  const delivery = new TransportDelivery<Rec, string>({
    transport: backend,
    encoder: createJsonEncoder<Rec>(),
    retry: { maxAttempts: 2, initialDelayMillis: 1, maxDelayMillis: 1 },
    spool,
    spoolProbeIntervalMillis: 20,
    ...(options.mode === undefined ? {} : { spoolMode: options.mode }),
  });
  const engine = deliveringEngine(delivery, options.engine);
  engines.push(engine);
  return { engine, delivery, spool };
}

function ids(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

describe('TransportDelivery with a spool (fallback mode)', SPOOL_TEST, () => {
  it('spools a batch whose retries ran out, and replays it with the same id once a send succeeds', async () => {
    const backend = new Backend();
    backend.behaviour = 'fail';
    const { engine, delivery } = setup(backend);
    offerIds(engine, 0, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().spooled).toBe(10));
    await eventually(() => expect(delivery.spoolSummary()?.files).toBe(1));
    expectInvariant(engine.stats());
    expect(totalDropped(engine.stats())).toBe(0);
    const failedId = backend.sent[0]?.batchId;
    expect(failedId).toMatch(/^[0-9a-f]{32}$/);
    // every attempt, and every probe since, carried the batch's id
    expect(backend.sent.length).toBeGreaterThanOrEqual(2);
    expect(new Set(backend.sent.map((s) => s.batchId))).toEqual(new Set([failedId]));

    backend.behaviour = 'ok';
    offerIds(engine, 10, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().spooled).toBe(0));
    const stats = expectInvariant(engine.stats());
    expect(stats.exported).toBe(20);
    expect(delivery.spoolSummary()).toMatchObject({ files: 0, writeFailures: 0 });
    expect(backend.delivered()).toEqual(ids(0, 20));
    // The replay carried the id of the failed attempts: a receiver can tell it is the same batch.
    expect(backend.sent.filter((s) => s.ok && s.batchId === failedId)).toHaveLength(1);
    // Attempts carry the encoder's content type, the replay the one the batch was spooled with.
    expect(new Set(backend.sent.map((s) => s.contentType))).toEqual(new Set(['application/json']));
  });

  it('while the backend is down, spools later batches unsent, until a probe finds it back up', async () => {
    const backend = new Backend();
    backend.behaviour = 'fail';
    const { engine, delivery } = setup(backend);
    offerIds(engine, 0, 10);
    await engine.flush();
    await eventually(() => expect(delivery.spoolSummary()?.files).toBe(1));
    const probes = backend.sent.length;
    offerIds(engine, 10, 20);
    await engine.flush();
    await eventually(() => expect(delivery.spoolSummary()?.files).toBe(3));
    expect(expectInvariant(engine.stats())).toMatchObject({ spooled: 30, exported: 0 });
    // the later batches were not sent: only probes of the oldest batch reached the backend
    const laterSends = backend.sent.slice(probes).filter((s) => s.ids[0] !== 0);
    expect(laterSends).toEqual([]);

    backend.behaviour = 'ok';
    await eventually(() => expect(engine.stats().spooled).toBe(0));
    expect(expectInvariant(engine.stats()).exported).toBe(30);
    // oldest first
    expect(backend.sent.filter((s) => s.ok).map((s) => s.ids[0])).toEqual([0, 10, 20]);
    expect(delivery.spoolSummary()?.replayed).toBe(30);
  });

  it('spools at the export deadline instead of dropping as export_timeout', async () => {
    const backend = new Backend();
    backend.behaviour = 'hang';
    const { engine } = setup(backend, { engine: { exportTimeoutMillis: 50 } });
    offerIds(engine, 0, 25);
    await engine.flush();
    const stats = expectInvariant(engine.stats());
    expect(stats.dropped.export_timeout).toBe(0);
    expect(stats.spooled).toBe(25);
    await eventually(() => expect(batchFilesIn(dir.path).names).toHaveLength(3));
  });

  it('spills the queue at the shutdown deadline, and the next process on the directory delivers it', async () => {
    const down = new Backend();
    down.behaviour = 'hang';
    const first = setup(down, { engine: { maxConcurrentExports: 1 } });
    offerIds(first.engine, 0, 45);
    await first.engine.shutdown(2000);
    engines.splice(engines.indexOf(first.engine), 1);
    const stats = expectInvariant(first.engine.stats());
    expect(stats.spooled).toBe(45);
    expect(stats.dropped.shutdown_timeout).toBe(0);
    expect(batchFilesIn(dir.path).names.length).toBeGreaterThanOrEqual(2);

    const up = new Backend();
    const second = setup(up);
    await eventually(() => expect(second.delivery.spoolSummary()?.replayed).toBe(45));
    expect(up.delivered()).toEqual(ids(0, 45));
    expect(batchFilesIn(dir.path).names).toEqual([]);
    // The earlier process's records are not this one's: they appear in the spool summary only.
    expect(expectInvariant(second.engine.stats())).toMatchObject({ received: 0, exported: 0 });
  });

  it('counts as shutdown_timeout, not spooled, what is still being written at the shutdown deadline', async () => {
    // A disk that takes longer than the shutdown's budget to write: the process may end before
    // the writes do (the exit handlers raise SIGTERM again once the shutdown resolves), so the
    // records in them must not stay counted as safe in the spool.
    let openDisk = (): void => {};
    const slowDisk = new Promise<void>((resolve) => {
      openDisk = resolve;
    });
    const spool = createFileSpool({
      directory: dir.path,
      fsync: false,
      fs: {
        ...realFs,
        open: async (path, flags, mode) => {
          if (flags !== 'r') await slowDisk;
          return realFs.open(path, flags, mode);
        },
      },
    });
    const down = new Backend();
    down.behaviour = 'hang';
    const { engine } = setup(down, { spool, engine: { maxConcurrentExports: 1 } });
    offerIds(engine, 0, 45);
    await engine.shutdown(200);
    engines.splice(engines.indexOf(engine), 1);
    const stats = expectInvariant(engine.stats());
    expect(stats).toMatchObject({ spooled: 0, exported: 0 });
    expect(stats.dropped.shutdown_timeout).toBe(45);

    // The writes that end after all leave batches the next process replays (counted there).
    openDisk();
    await eventually(() => expect(batchFilesIn(dir.path).names.length).toBeGreaterThanOrEqual(2));
    expect(expectInvariant(engine.stats()).dropped.shutdown_timeout).toBe(45);
  });

  it('settles replayed batches the backend refuses as rejected', async () => {
    const backend = new Backend();
    backend.behaviour = 'fail';
    const { engine } = setup(backend);
    offerIds(engine, 0, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().spooled).toBe(10));
    // The backend is up, but refuses the spooled batch for good.
    backend.behaviour = 'ok';
    const refused = backend.sent[0]?.batchId;
    backend.onSend = (context) => {
      backend.behaviour = context.batchId === refused ? 'reject' : 'ok';
    };
    offerIds(engine, 10, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().spooled).toBe(0));
    const stats = expectInvariant(engine.stats());
    expect(stats.exported).toBe(10);
    expect(stats.dropped.rejected).toBe(10);
  });

  it('drops as retries_exhausted, counted, when the disk refuses the batch', async () => {
    const logger = recordingLogger();
    const spool = createFileSpool({
      directory: dir.path,
      fs: faultyFs((operation) => (operation === 'open' ? 'ENOSPC' : undefined)),
      logger,
    });
    const backend = new Backend();
    backend.behaviour = 'fail';
    const { engine, delivery } = setup(backend, { spool });
    offerIds(engine, 0, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().dropped.retries_exhausted).toBe(10));
    expect(expectInvariant(engine.stats()).spooled).toBe(0);
    expect(delivery.spoolSummary()?.writeFailures).toBe(10);
  });

  it('settles records the spool evicts to stay within maxBytes as spool_full', async () => {
    // Room for about one batch file of ten records.
    const spool = createFileSpool({ directory: dir.path, fsync: false, maxBytes: 300 });
    const backend = new Backend();
    backend.behaviour = 'fail';
    const { engine } = setup(backend, { spool });
    offerIds(engine, 0, 10);
    await engine.flush();
    await eventually(() => expect(batchFilesIn(dir.path).names).toHaveLength(1));
    offerIds(engine, 10, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().dropped.spool_full).toBe(10));
    expect(expectInvariant(engine.stats()).spooled).toBe(10);
  });

  it('refuses a second exporter on the same directory in one process', () => {
    setup(new Backend());
    expect(
      () =>
        new TransportDelivery<Rec, string>({
          transport: new Backend(),
          encoder: createJsonEncoder<Rec>(),
          spool: createFileSpool({ directory: dir.path }),
        }),
    ).toThrow(/already used by another exporter of this process/);
  });

  it('sends no batch id without a spool, and no content type for an encoder that states none', async () => {
    const backend = new Backend();
    const { contentType: _stated, ...silent } = createJsonEncoder<Rec>();
    const delivery = new TransportDelivery<Rec, string>({
      transport: backend,
      encoder: silent,
    });
    const engine = new BatchEngine<Rec>({
      exportBatch: (batch, context) => delivery.deliver(batch, context),
      maxExportBatchSize: 10,
    });
    engines.push(engine);
    offerIds(engine, 0, 3);
    await engine.flush();
    expect(backend.sent).toEqual([
      { ids: [0, 1, 2], batchId: undefined, contentType: undefined, attempt: 1, ok: true },
    ]);
    expect(delivery.spoolSummary()).toBeUndefined();
  });

  it('rejects a spoolMode that is not a mode, naming the option and the value', () => {
    expect(
      () =>
        new TransportDelivery<Rec, string>({
          transport: new Backend(),
          encoder: createJsonEncoder<Rec>(),
          spool: createFileSpool({ directory: dir.path }),
          spoolMode: 'always' as SpoolMode,
        }),
    ).toThrow(/spoolMode.*'always'/);
  });
});

describe('TransportDelivery with a spool (write-ahead mode)', SPOOL_TEST, () => {
  it('holds each batch on disk while it is sent and deletes it once delivered', async () => {
    const backend = new Backend();
    const filesDuringSend: number[] = [];
    backend.onSend = () => {
      filesDuringSend.push(
        filesIn(dir.path).filter((name) => /\.(batch|lease)$/.test(name)).length,
      );
    };
    const { engine, delivery } = setup(backend, { mode: 'write-ahead' });
    offerIds(engine, 0, 20);
    await engine.flush();
    expect(filesDuringSend).toEqual([1, 1]);
    await eventually(() => expect(batchFilesIn(dir.path).names).toEqual([]));
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 20, spooled: 0 });
    expect(delivery.spoolSummary()?.replayed).toBe(0);
  });

  it('keeps the written batch for a replay when the send fails, without writing it twice', async () => {
    const backend = new Backend();
    backend.behaviour = 'fail';
    const { engine } = setup(backend, { mode: 'write-ahead' });
    offerIds(engine, 0, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().spooled).toBe(10));
    // Released, not written again: one file, back under its ready name.
    await eventually(() =>
      expect(batchFilesIn(dir.path).names).toEqual([expect.stringMatching(/\.batch$/)]),
    );

    backend.behaviour = 'ok';
    offerIds(engine, 10, 10);
    await engine.flush();
    await eventually(() => expect(engine.stats().spooled).toBe(0));
    expect(backend.delivered()).toEqual(ids(0, 20));
    expect(expectInvariant(engine.stats()).exported).toBe(20);
  });

  it('spools a batch once when the shutdown deadline passes while it is still being encoded', async () => {
    // A slow record writer: a 2,000-record batch takes about 100 ms, encoded in slices over many
    // turns, so the 40 ms shutdown deadline passes in the middle of the encoding.
    const busy = (millis: number): void => {
      const end = performance.now() + millis;
      while (performance.now() < end);
    };
    const backend = new Backend();
    backend.behaviour = 'fail';
    const spool = createFileSpool({ directory: dir.path, fsync: false });
    const delivery = new TransportDelivery<Rec, string>({
      transport: backend,
      encoder: createJsonEncoder<Rec>({
        write: (record, out) => {
          busy(0.05);
          out.push(JSON.stringify(record));
        },
      }),
      retry: { maxAttempts: 2, initialDelayMillis: 1, maxDelayMillis: 1 },
      spool,
      spoolMode: 'write-ahead',
    });
    const engine = new BatchEngine<Rec>({
      exportBatch: (batch, context) => delivery.deliver(batch, context),
      onShutdown: () => delivery.shutdown(),
      maxExportBatchSize: 2000,
      scheduledDelayMillis: 60_000,
    });
    offerIds(engine, 0, 2000);
    await engine.shutdown(40);
    // The process lives on here: the spool's writes, cut off by the deadline, finish.
    await delivery.shutdown();
    const stats = expectInvariant(engine.stats());
    expect(stats.exported).toBe(0);
    const onDisk = stats.spooled;
    expect(onDisk).toBeGreaterThan(0);

    // The next process replays what is on disk: every record once, under one key per batch.
    const up = new Backend();
    const next = new TransportDelivery<Rec, string>({
      transport: up,
      encoder: createJsonEncoder<Rec>(),
      spool: createFileSpool({ directory: dir.path, fsync: false }),
    });
    await eventually(() => expect(next.spoolSummary()?.replayed).toBe(onDisk));
    await next.shutdown();
    // each record at most once: none spooled twice under two keys
    const replayed = up.sent.flatMap((s) => s.ids);
    expect(new Set(replayed).size).toBe(replayed.length);
    expect(replayed.length).toBe(onDisk);
  });
});
