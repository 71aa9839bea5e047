// The outage-and-restart scenario: the backend goes fully down (connections refused, then 503 for
// everything) while the emitting service is killed and restarted on the same spool directory;
// then the backend comes back and the last process drains what every process left on disk.
//
//   #1 write-ahead  delivers while the backend is up; the backend stops listening; #1 emits into
//                   the outage and is SIGKILLed once every record it emitted is in a batch file
//                   (the write-ahead promise: kill -9 loses only what is still in the queue)
//   #2 fallback     starts on #1's files (left leased by a dead pid), emits, gets SIGTERM: what
//                   its retries gave up on, and what is in flight at the shutdown deadline, is
//                   spooled
//   (the backend now listens again, and answers 503 to everything)
//   #3 write-ahead  one burst larger than a shutdown can send, then SIGTERM at once: the queue
//                   is spilled to disk at the shutdown deadline, unsent
//   #4 fallback     emits into the outage; the backend comes back (and loses some answers after
//                   storing the payload: at-least-once); its first success replays the spool
//                   oldest first, and it drains everything
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetryOptions } from '@telemetry-reporter/otel';
import type { EmitterProcessorOptions, EmitterSnapshot } from './emitter-protocol.js';
import { OutageBackend } from './outage-backend.js';
import {
  Emitter,
  type EmitterSettings,
  type SpoolMode,
  type StopResult,
} from './outage-emitters.js';
import type { OutageServerCounts } from './outage-server.js';
import { API_KEY, QUERY_KEY, SECRETS, secretUrl, TOKEN } from './secrets.js';
import { filesWithSecrets, listSpool, type SpoolListing } from './spool-files.js';

/** How the scenario is sized and tuned. */
export interface OutageOptions {
  /** #1: records delivered before the outage, then emitted into it before the SIGKILL. */
  readonly beforeOutage: number;
  readonly beforeKill: number;
  /** #2: records emitted while connections are refused, before its SIGTERM. */
  readonly beforeStop: number;
  /** #3: one burst during the 503s, then SIGTERM at once. */
  readonly burst: number;
  /** #4: records emitted during the outage, then after the backend is back. */
  readonly finalDuringOutage: number;
  readonly finalAfterOutage: number;
  /** Emission rate of every paced step, in records per second. */
  readonly ratePerSecond: number;
  /** Once back, the backend loses the answer to every `loseEvery`-th payload it stores. */
  readonly loseEvery: number;
  /** How long the backend takes to answer 503 while unavailable. */
  readonly unavailableDelayMillis: number;
  readonly processor: EmitterProcessorOptions;
  readonly retry: Required<RetryOptions>;
  readonly sampleEveryMillis: number;
  readonly stepTimeoutMillis: number;
}

/** One emitting process of the run, as it ended. */
export interface ProcessRun {
  readonly name: string;
  readonly mode: SpoolMode;
  readonly stoppedBy: 'SIGKILL' | 'SIGTERM';
  /** Its last report: at `on-disk` for the killed one, after `shutdown()` for the others. */
  readonly snapshot: EmitterSnapshot;
  readonly exit: StopResult;
  /** The spool directory right after it ended. */
  readonly leftOnDisk: SpoolListing;
}

/** Everything the scenario measured. */
export interface OutageResult {
  readonly options: OutageOptions;
  readonly emitted: number;
  readonly runs: readonly ProcessRun[];
  readonly server: OutageServerCounts;
  /** How long connections were refused, then answered 503, in milliseconds. */
  readonly refusedMillis: number;
  readonly unavailableMillis: number;
  /** What waited on disk when the backend came back, and how long the spool took to empty. */
  readonly replay: {
    readonly waiting: SpoolListing;
    readonly millis: number;
    /** Records the final process replayed (its own spooled ones and earlier processes'). */
    readonly records: number;
  };
  /** The spool directory once the final process exited. */
  readonly finalListing: SpoolListing;
  /** Spool files, over every look after each process ended, that held a credential. */
  readonly filesWithSecrets: number;
  readonly filesScanned: number;
  /** What happened when, in seconds since the start. */
  readonly timeline: readonly { readonly at: number; readonly event: string }[];
  readonly durationMillis: number;
}

/** Runs the scenario in a fresh temporary directory, removed afterwards. */
export async function runOutage(options: OutageOptions): Promise<OutageResult> {
  const startedAt = performance.now();
  const timeline: { at: number; event: string }[] = [];
  const note = (event: string): void => {
    timeline.push({ at: (performance.now() - startedAt) / 1000, event });
  };
  const counts = [
    options.beforeOutage + options.beforeKill,
    options.beforeStop,
    options.burst,
    options.finalDuringOutage + options.finalAfterOutage,
  ];
  const emitted = counts.reduce((sum, count) => sum + count, 0);
  const root = await mkdtemp(join(tmpdir(), 'soak-outage-'));
  // TELEMETRY_REPORTER_SPOOL_DIR puts the logs spool in its `logs/` subdirectory.
  const spoolDirectory = join(root, 'logs');
  const backend = await OutageBackend.start({
    totalRecords: emitted,
    loseEvery: options.loseEvery,
    unavailableDelayMillis: options.unavailableDelayMillis,
    credentials: { authorization: `Bearer ${TOKEN}`, apiKey: API_KEY, queryKey: QUERY_KEY },
  });
  const settings: EmitterSettings = {
    url: secretUrl(backend.url),
    headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': API_KEY },
    spoolRoot: root,
    processor: options.processor,
    retry: options.retry,
    sampleEveryMillis: options.sampleEveryMillis,
    stepTimeoutMillis: options.stepTimeoutMillis,
  };
  const live = new Set<Emitter>();
  const runs: ProcessRun[] = [];
  let scans = { files: 0, withSecrets: 0 };
  let nextId = 0;

  const start = async (index: number, mode: SpoolMode): Promise<Emitter> => {
    const ids = { firstId: nextId, idCount: counts[index] ?? 0 };
    nextId += ids.idCount;
    const emitter = await Emitter.start(settings, `#${index + 1} ${mode}`, mode, ids);
    live.add(emitter);
    note(`${emitter.name} started (pid ${emitter.pid})`);
    return emitter;
  };
  const ended = async (
    emitter: Emitter,
    stoppedBy: 'SIGKILL' | 'SIGTERM',
    exit: StopResult,
  ): Promise<void> => {
    live.delete(emitter);
    const leftOnDisk = await listSpool(spoolDirectory);
    const withSecrets = await filesWithSecrets(spoolDirectory, leftOnDisk, SECRETS);
    scans = {
      files: scans.files + leftOnDisk.files.length,
      withSecrets: scans.withSecrets + withSecrets,
    };
    const snapshot = emitter.last as EmitterSnapshot;
    runs.push({ name: emitter.name, mode: emitter.mode, stoppedBy, snapshot, exit, leftOnDisk });
    note(
      `${emitter.name} ${stoppedBy === 'SIGKILL' ? 'killed (SIGKILL)' : `stopped (SIGTERM, shutdown ${Math.round(exit.shutdownMillis ?? 0)} ms)`}; ${leftOnDisk.files.length} files, ${(leftOnDisk.bytes / 1024).toFixed(0)} KiB in the spool`,
    );
  };

  try {
    const rate = options.ratePerSecond;
    // #1, write-ahead: delivers, then is killed during the outage.
    const first = await start(0, 'write-ahead');
    await first.emit(options.beforeOutage, rate);
    await first.flush();
    await backend.set('refuse');
    const outageAt = performance.now();
    note('backend down: connections refused');
    await first.emit(options.beforeKill, rate);
    await first.waitFor('on-disk');
    await ended(first, 'SIGKILL', await first.kill());

    // #2, fallback: restarts on #1's files, stopped gracefully.
    const second = await start(1, 'fallback');
    await second.emit(options.beforeStop, rate);
    await ended(second, 'SIGTERM', await second.stop());

    await backend.set('unavailable');
    const unavailableAt = performance.now();
    note(
      `backend listening again, answering 503 to everything after ${options.unavailableDelayMillis} ms`,
    );
    // #3, write-ahead: a burst, stopped at once: the queue is spilled.
    const third = await start(2, 'write-ahead');
    await third.emit(options.burst, 0);
    await ended(third, 'SIGTERM', await third.stop());

    // #4, fallback: the backend comes back while it runs; it drains the spool.
    const last = await start(3, 'fallback');
    await last.emit(options.finalDuringOutage, rate);
    const waiting = await listSpool(spoolDirectory);
    await backend.set('up');
    const upAt = performance.now();
    note(
      `backend up (one answer in ${options.loseEvery} lost after storing); ${waiting.files.length} files, ${(waiting.bytes / 1024).toFixed(0)} KiB waiting`,
    );
    // The spool empties while #4 keeps emitting, as a service would.
    const emptied = last.waitFor('spool-empty').then((snapshot) => {
      note(`spool empty: ${snapshot.stats.spool?.replayed ?? 0} records replayed`);
      return { snapshot, millis: performance.now() - upAt };
    });
    await last.emit(options.finalAfterOutage, rate);
    const replayed = await emptied;
    await last.waitFor('drained');
    note(`${last.name} drained: nothing queued, in flight or spooled`);
    await ended(last, 'SIGTERM', await last.stop());

    const finalListing = await listSpool(spoolDirectory);
    const server = await backend.counts();
    return {
      options,
      emitted,
      runs,
      server,
      refusedMillis: unavailableAt - outageAt,
      unavailableMillis: upAt - unavailableAt,
      replay: {
        waiting,
        millis: replayed.millis,
        records: replayed.snapshot.stats.spool?.replayed ?? 0,
      },
      finalListing,
      filesWithSecrets: scans.withSecrets,
      filesScanned: scans.files,
      timeline,
      durationMillis: performance.now() - startedAt,
    };
  } finally {
    await Promise.all([...live].map((emitter) => emitter.dispose()));
    await backend.close();
    await rm(root, { recursive: true, force: true });
  }
}
