import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReporterStats } from '../../src/index.js';
import { type ChildResult, type RunningFixture, startFixture } from '../helpers/child-process.js';
import { type Delivery, RecordReceiver, SwitchableBackend } from '../helpers/record-receiver.js';

// The spool's promises, kept by real processes (test/fixtures/spool-app.mjs: a reporter
// processor, a TransportLogRecordExporter and the HTTP transport, with the exit handlers) against
// a real HTTP backend that the test takes down (503) and up, with real files in a temporary
// directory: kill -9 in write-ahead mode loses nothing, an outage across restarts loses nothing,
// a batch replayed keeps its idempotency key, every process accounts for every record, and a
// directory deleted or damaged under the app costs records (counted) but never an exception.
//
// No assertion waits on wall-clock time: each step waits for a line the app prints once its
// counters say so, or for the backend to have seen given records. The kill timeouts only turn a
// hang into a failure.

/** What the app prints in its READY and STATS lines. */
interface Report {
  emitted: number;
  stats: ReporterStats & { spool: NonNullable<ReporterStats['spool']> };
  disk?: { files: number; records: number; ownRecords: number };
}

/** Small batches, several at a time, an outage met within a few milliseconds. */
const PROCESSOR = JSON.stringify({
  maxExportBatchSize: 100,
  maxConcurrentExports: 4,
  maxQueueSize: 10_000,
  scheduledDelayMillis: 10,
});
const RETRY = JSON.stringify({ maxAttempts: 2, initialDelayMillis: 20, maxDelayMillis: 40 });

let receiver: RecordReceiver | undefined;
let scratch: string | undefined;
const apps: RunningFixture[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) app.kill('SIGKILL');
  await receiver?.stop();
  receiver = undefined;
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

async function backendDown(): Promise<SwitchableBackend> {
  const backend = new SwitchableBackend();
  receiver = await RecordReceiver.start(backend.answer);
  return backend;
}

function tempDirectory(): string {
  scratch = mkdtempSync(join(tmpdir(), 'telemetry-reporter-spool-'));
  return scratch;
}

function start(env: Record<string, string>, wrapper?: readonly string[]): RunningFixture {
  const app = startFixture('spool-app.mjs', {
    env: { RECEIVER_URL: receiver?.url ?? '', PROCESSOR, RETRY, ...env },
    killAfterMillis: 20_000,
    ...(wrapper === undefined ? {} : { wrapper }),
  });
  apps.push(app);
  return app;
}

function parse(line: string): Report {
  return JSON.parse(line.slice(line.indexOf(' ') + 1)) as Report;
}

/** The STATS line of an app that exited. */
function exitReport(result: ChildResult): Report {
  const line = result.stdout.split('\n').find((l) => l.startsWith('STATS '));
  expect(line, `no STATS line in:\n${result.stdout}\n${result.stderr}`).toBeDefined();
  return parse(line ?? '');
}

/** received = exported + dropped + queued + inFlight + spooled, and `emitted` all received. */
function expectAccounted({ emitted, stats }: Report): void {
  const dropped = Object.values(stats.dropped).reduce((sum, n) => sum + n, 0);
  expect(stats.received).toBe(emitted);
  expect(stats.exported + dropped + stats.queued + stats.inFlight + stats.spooled).toBe(
    stats.received,
  );
}

function expectNothingDropped({ stats }: Report): void {
  for (const [reason, count] of Object.entries(stats.dropped))
    expect([reason, count]).toEqual([reason, 0]);
  expect(stats.spool.droppedFromEarlier).toBe(0);
  expect(stats.spool.writeFailures).toBe(0);
}

/**
 * No exception reached the app (what an uncaught one or an unhandled rejection prints: a stack),
 * and no programming error was caught and logged either. Warnings about the backend are expected.
 */
function expectNoException(result: ChildResult): void {
  expect(result.stderr).not.toMatch(
    /uncaught|unhandled|\n\s+at \S|\b(Type|Reference|Range|Syntax)Error\b|spool operation failed/i,
  );
}

/**
 * Tells `app` to exit, and expects it to exit cleanly (code 0, no exception); returns its STATS
 * report, whose records are all accounted for.
 */
async function exitCleanly(app: RunningFixture): Promise<Report> {
  app.send('exit');
  const result = await app.exited;
  expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
  expectNoException(result);
  const report = exitReport(result);
  expectAccounted(report);
  return report;
}

/** Waits for `condition` on the backend, failing at once if the app exits meanwhile. */
async function until(
  backend: SwitchableBackend,
  app: RunningFixture,
  condition: () => boolean,
): Promise<void> {
  await Promise.race([
    backend.until(condition),
    app.exited.then((result) => {
      throw new Error(`the app exited (${result.code ?? result.signal}):\n${result.stderr}`);
    }),
  ]);
}

/** `r<from>` ... `r<from+count-1>`. */
function ids(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${from + i}`);
}

/**
 * The records the backend holds once it keeps one copy per idempotency key: each key's copies
 * must carry the same records (a replay sends the batch it first sent, under its key).
 */
function deduplicatedByKey(deliveries: readonly Delivery[]): string[] {
  const byKey = new Map<string | undefined, readonly string[]>();
  for (const { key, ids: records } of deliveries) {
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    const first = byKey.get(key);
    if (first === undefined) byKey.set(key, records);
    else expect(records).toEqual(first);
  }
  return [...byKey.values()].flat();
}

function sorted(records: Iterable<string>): string[] {
  return [...records].sort();
}

/** The batch files (ready or leased) of a spool directory. */
function batchFiles(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.includes('.batch'));
}

describe('kill -9 in write-ahead mode', { timeout: 30_000 }, () => {
  it('loses nothing: every record is delivered at least once by the next process, exactly once by key', async () => {
    const backend = await backendDown();
    // The backend never answers: all 20 batches are being sent at once (one export slot each),
    // every one written ahead and its file leased by the process, when it is killed. (A backend
    // that refused instead would send the process into outage mode, where batches go to the
    // spool unsent: the other tests cover that.)
    backend.hangAfterKeys = 0;
    const directory = join(tempDirectory(), 'spool');
    const env = {
      SPOOL_DIR: directory,
      SPOOL_MODE: 'write-ahead',
      PROCESSOR: JSON.stringify({ ...JSON.parse(PROCESSOR), maxConcurrentExports: 20 }),
    };

    const first = start(env);
    first.send('emit 0 2000');
    first.send('wait on-disk');
    const ready = parse(await first.next('READY '));
    expectAccounted(ready);
    expect(ready.stats).toMatchObject({ received: 2000, exported: 0, queued: 0 });
    expect(ready.stats.inFlight + ready.stats.spooled).toBe(2000);
    expect(ready.disk?.ownRecords).toBe(2000);
    expectNothingDropped(ready);
    // Every batch went out, under its key: the replays must use the same keys.
    await until(backend, first, () => backend.refusedIds.size === 2000);
    first.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(batchFiles(directory)).toHaveLength(20);
    expect(batchFiles(directory).every((name) => name.endsWith('.lease'))).toBe(true);

    // The backend is back, and loses the answer to the first send of 3 batches: those are sent
    // twice, under one key.
    backend.up = true;
    backend.loseAnswers = 3;
    const second = start(env);
    second.send('wait replayed 2000');
    const replayed = parse(await second.next('READY '));
    const report = await exitCleanly(second);

    // at least once
    expect(sorted(backend.acceptedIds)).toEqual(sorted(ids(0, 2000)));
    expect(backend.accepted.reduce((n, d) => n + d.ids.length, 0)).toBe(2300);
    // exactly once by idempotency key, and under the key of the first send
    expect(sorted(deduplicatedByKey(backend.accepted))).toEqual(sorted(ids(0, 2000)));
    const firstKeys = new Set(backend.refused.map((delivery) => delivery.key));
    for (const { key } of backend.accepted) expect(firstKeys.has(key)).toBe(true);

    expect(replayed.stats.spool.replayed).toBe(2000);
    expectNothingDropped(report);
    expect(report.stats).toMatchObject({ received: 0, spooled: 0 });
    expect(report.stats.spool).toMatchObject({ files: 0, replayed: 2000 });
    expect(batchFiles(directory)).toEqual([]);
  });
});

describe('10,000 records through an outage with three restarts', { timeout: 45_000 }, () => {
  // The 30-second outage, compressed: the backend stays down (503) across three
  // processes, each meeting it within milliseconds (retries of 20-40 ms instead of seconds),
  // and comes back for the fourth. The spool comes from TELEMETRY_REPORTER_SPOOL_*, as an
  // operator would set it.
  it.each(['fallback', 'write-ahead'])('loses none (%s mode)', async (mode) => {
    const backend = await backendDown();
    const root = tempDirectory();
    const env = { TELEMETRY_REPORTER_SPOOL_DIR: root, TELEMETRY_REPORTER_SPOOL_MODE: mode };
    const down: Report[] = [];

    // 1: emits 2,500 and is stopped by SIGTERM: the exit handlers drain into the spool.
    const first = start(env);
    first.send('emit 0 2500');
    await first.next('EMITTED ');
    first.kill('SIGTERM');
    down.push(exitReport(await first.exited));

    // 2: the same, but the backend now hangs on new batches, and the shutdown deadline is 2 s:
    // the 4 batches in flight are cut short by it, the rest are still queued, and both go to the
    // spool instead of being dropped (shutdown_timeout), within the last 500 ms of the budget.
    backend.hangAfterKeys = new Set(backend.refused.map((delivery) => delivery.key)).size;
    const second = start({ ...env, TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '2000' });
    second.send('emit 2500 2500');
    await second.next('EMITTED ');
    second.kill('SIGTERM');
    down.push(exitReport(await second.exited));
    backend.hangAfterKeys = Number.POSITIVE_INFINITY;
    // Only the 4 batches in flight were sent: the 21 still queued were spilled unsent.
    expect(ids(2500, 2500).filter((id) => backend.refusedIds.has(id))).toHaveLength(400);

    // 3: shut down by the app itself (provider.shutdown()).
    const third = start(env);
    third.send('emit 5000 2500');
    third.send('exit');
    const thirdResult = await third.exited;
    expect(thirdResult.code, thirdResult.stderr).toBe(0);
    down.push(exitReport(thirdResult));

    for (const report of down) {
      expectAccounted(report);
      expectNothingDropped(report);
      expect(report.stats).toMatchObject({ received: 2500, exported: 0, queued: 0, inFlight: 0 });
      expect(report.stats.spooled).toBe(2500);
    }
    expect(backend.acceptedIds.size).toBe(0);

    // 4: the backend is back; emits the last 2,500 and replays the 7,500 of the others.
    backend.up = true;
    const fourth = start(env);
    fourth.send('emit 7500 2500');
    fourth.send('wait replayed 7500');
    await until(backend, fourth, () => backend.acceptedIds.size === 10_000);
    await fourth.next('READY ');
    const report = await exitCleanly(fourth);

    expect(sorted(backend.acceptedIds)).toEqual(sorted(ids(0, 10_000)));
    expect(sorted(deduplicatedByKey(backend.accepted))).toEqual(sorted(ids(0, 10_000)));
    expectNothingDropped(report);
    expect(report.stats).toMatchObject({ received: 2500, exported: 2500, spooled: 0 });
    expect(report.stats.spool).toMatchObject({ files: 0, replayed: 7500 });
    expect(batchFiles(join(root, 'logs'))).toEqual([]);
  });
});

describe('a spool directory damaged under the app', { timeout: 30_000 }, () => {
  it('deleted while the app runs: recreated, the loss counted, nothing thrown', async () => {
    const backend = await backendDown();
    const directory = join(tempDirectory(), 'spool');
    const app = start({ SPOOL_DIR: directory });
    app.send('emit 0 1000');
    app.send('wait on-disk');
    expect(parse(await app.next('READY ')).stats.spooled).toBe(1000);
    expect(batchFiles(directory)).toHaveLength(10);

    // Deleted, then written to: the next write makes it again.
    rmSync(directory, { recursive: true, force: true });
    app.send('emit 1000 1000');
    app.send('wait on-disk');
    const ready = parse(await app.next('READY '));
    expectAccounted(ready);
    expect(ready.stats).toMatchObject({ spooled: 1000, dropped: { spool_corrupt: 1000 } });
    expect(batchFiles(directory)).toHaveLength(10);

    // Deleted, then replayed from once the backend is back: the replay finds its batches gone.
    rmSync(directory, { recursive: true, force: true });
    backend.up = true;
    app.send('emit 2000 100');
    app.send('wait replayed 0');
    await app.next('READY ');
    const report = await exitCleanly(app);

    // What went with the directory is counted as lost (spool_corrupt); the rest was delivered.
    expect(report.stats).toMatchObject({
      received: 2100,
      exported: 100,
      spooled: 0,
      dropped: { spool_corrupt: 2000 },
    });
    expect(sorted(backend.acceptedIds)).toEqual(sorted(ids(2000, 100)));
  });

  it('deleted again and again while batches are written: every record delivered or counted lost', async () => {
    // Write-ahead: every batch is written, leased, sent, released or deleted while the backend
    // answers. Each request deletes the directory, racing those writes, renames and deletes.
    const backend = await backendDown();
    const directory = join(tempDirectory(), 'spool');
    backend.onRequest = () => {
      try {
        rmSync(directory, { recursive: true, force: true });
      } catch {
        // ENOTEMPTY: the app wrote a file meanwhile; the next request deletes it
      }
    };
    const app = start({
      SPOOL_DIR: directory,
      SPOOL_MODE: 'write-ahead',
      PROCESSOR: JSON.stringify({ ...JSON.parse(PROCESSOR), maxExportBatchSize: 50 }),
    });
    app.send('emit 0 3000');
    app.send('wait on-disk');
    await app.next('READY ');
    backend.onRequest = undefined;
    backend.up = true;
    // A send succeeds, so the spool is replayed: what is left of it is delivered, what is gone
    // is found gone.
    app.send('emit 3000 100');
    app.send('wait replayed 0');
    await app.next('READY ');
    const report = await exitCleanly(app);

    const { stats } = report;
    expect(stats).toMatchObject({ received: 3100, queued: 0, inFlight: 0, spooled: 0 });
    // exactly the records the backend holds count as exported; the others as lost, and why
    expect(backend.acceptedIds.size).toBe(stats.exported);
    const reasons = Object.keys(stats.dropped).filter(
      (reason) => stats.dropped[reason as 'rejected'] > 0,
    );
    for (const reason of reasons) expect(['retries_exhausted', 'spool_corrupt']).toContain(reason);
  });

  it('corrupt and truncated files: set aside into corrupt/, the rest replayed', async () => {
    const backend = await backendDown();
    const directory = join(tempDirectory(), 'spool');
    const first = start({ SPOOL_DIR: directory });
    first.send('emit 0 500');
    first.send('exit');
    const firstResult = await first.exited;
    expect(firstResult.code, firstResult.stderr).toBe(0);
    expect(exitReport(firstResult).stats.spooled).toBe(500);
    const files = batchFiles(directory);
    expect(files).toHaveLength(5);

    // Named to sort first (the oldest), so that the replay meets them before any good batch.
    const truncated = '000000000001-00000000-0123456789abcdef.batch';
    const garbage = '000000000002-00000000-0123456789abcdef.batch';
    const stranger = 'notes.txt';
    const whole = readFileSync(join(directory, files[0] as string));
    writeFileSync(join(directory, truncated), whole.subarray(0, whole.length - 100));
    writeFileSync(join(directory, garbage), 'not a batch at all');
    copyFileSync(join(directory, files[1] as string), join(directory, 'copy.tmp'));
    writeFileSync(join(directory, stranger), 'hello');

    backend.up = true;
    const second = start({ SPOOL_DIR: directory });
    second.send('wait replayed 500');
    await second.next('READY ');
    const report = await exitCleanly(second);

    expect(sorted(backend.acceptedIds)).toEqual(sorted(ids(0, 500)));
    const corrupt = readdirSync(join(directory, 'corrupt'));
    expect(corrupt).toEqual(expect.arrayContaining([truncated, garbage, stranger, 'copy.tmp']));
    expect(batchFiles(directory)).toEqual([]);
    expect(report.stats).toMatchObject({ received: 0, spooled: 0 });
    expect(report.stats.spool.replayed).toBe(500);
    // the truncated copy's header was whole: its 100 records are counted as lost
    expect(report.stats.spool.droppedFromEarlier).toBe(100);
  });
});

describe('a full disk', { timeout: 30_000 }, () => {
  it('falls back to counting: records it cannot spool are dropped and counted, one warning, no exception', async () => {
    await backendDown();
    const directory = join(tempDirectory(), 'tiny');
    mkdirSync(directory);
    // A real file system of 192 KiB, mounted for the app alone: a private mount namespace
    // (unshare; -r maps the user to root inside it, so no privilege is needed outside).
    const mountTmpfs = [
      'unshare',
      '-rm',
      'sh',
      '-c',
      'mount -t tmpfs -o size=192k tmpfs "$SPOOL_DIR" && exec "$@"',
      'sh',
    ];
    const app = start({ SPOOL_DIR: directory, SPOOL_MODE: 'fallback' }, mountTmpfs);
    app.send('emit 0 6000');
    app.send('exit');
    const result = await app.exited;
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    expectNoException(result);
    const report = exitReport(result);
    expectAccounted(report);
    const { stats } = report;
    const dropped = Object.values(stats.dropped).reduce((sum, n) => sum + n, 0);
    // The disk took what it could; the rest was counted under the reason it failed for.
    expect(stats.spooled).toBeGreaterThan(0);
    expect(stats.spool.writeFailures).toBeGreaterThan(0);
    expect(dropped).toBe(stats.spool.writeFailures);
    expect(stats.exported).toBe(0);
    expect(result.stderr).toMatch(/could not be spooled \(disk_full\)/);
    // nothing was written to the real /tmp: the files went to the app's own tmpfs
    expect(readdirSync(directory)).toEqual([]);
  });
});
