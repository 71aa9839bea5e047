import { totalDropped, unaccountedRecords } from '@telemetry-reporter/otel';
import { MiB, mib, n, table } from './markdown.js';
import type { OutageResult, ProcessRun } from './outage.js';
import { type Check, check, verdict } from './report.js';

/** No emitting process may sample a larger `heapUsed` than this. */
export const MAX_EMITTER_PEAK_HEAP_BYTES = 128 * MiB;
/** The final process, after a full GC once drained, may not be this much above its start. */
export const MAX_DRAIN_HEAP_GROWTH_BYTES = 16 * MiB;

/** Every property the outage scenario must have; the soak exits non-zero unless all hold. */
export function outageChecks(result: OutageResult): Check[] {
  const { server, runs, emitted } = result;
  const killed = runs.filter((run) => run.stoppedBy === 'SIGKILL');
  const graceful = runs.filter((run) => run.stoppedBy === 'SIGTERM');
  const final = runs.at(-1);
  const second = runs[1];
  const burst = runs.find((run) => run.name.startsWith('#3'));
  const attempts = (run: ProcessRun | undefined) => run?.snapshot.attempts;
  const growth =
    final?.snapshot.drainedHeapBytes === undefined
      ? Number.POSITIVE_INFINITY
      : final.snapshot.drainedHeapBytes - final.snapshot.baselineHeapBytes;
  const peak = Math.max(...runs.map((run) => run.snapshot.peakHeapBytes));
  const leftAfterKill = killed[0]?.leftOnDisk;
  return [
    check(
      'no record lost: distinct record ids stored === records emitted',
      server.distinctRecords === emitted && server.unknownRecords === 0,
      `${n(server.distinctRecords)} of ${n(emitted)}, unknown ids ${server.unknownRecords}`,
    ),
    keyCheck(result),
    check(
      "each process's accounting identity, at every sample and at its end",
      runs.every(
        (run) =>
          run.snapshot.identityViolations === 0 && unaccountedRecords(run.snapshot.stats) === 0,
      ),
      runs
        .map(
          (run) =>
            `${run.name}: ${run.snapshot.statsSamples} samples, ${run.snapshot.identityViolations} violations`,
        )
        .join('; '),
    ),
    check(
      'no process dropped a record; no spool write failed',
      runs.every(
        (run) =>
          totalDropped(run.snapshot.stats) === 0 &&
          run.snapshot.stats.spool?.writeFailures === 0 &&
          run.snapshot.stats.spool?.droppedFromEarlier === 0,
      ),
      runs
        .map(
          (run) =>
            `${run.name}: dropped ${totalDropped(run.snapshot.stats)}, write failures ${run.snapshot.stats.spool?.writeFailures}, earlier dropped ${run.snapshot.stats.spool?.droppedFromEarlier}`,
        )
        .join('; '),
    ),
    check(
      'graceful stops: nothing queued or in flight after shutdown, exit code 0',
      graceful.every(
        (run) =>
          run.snapshot.stats.queued === 0 &&
          run.snapshot.stats.inFlight === 0 &&
          run.exit.code === 0,
      ),
      graceful
        .map(
          (run) =>
            `${run.name}: queued ${run.snapshot.stats.queued}, in flight ${run.snapshot.stats.inFlight}, exit ${run.exit.code}`,
        )
        .join('; '),
    ),
    check(
      'SIGKILL hit with nothing queued: every record in flight (written ahead) or on disk',
      killed.length > 0 &&
        killed.every(
          (run) =>
            run.mode === 'write-ahead' &&
            run.exit.signal === 'SIGKILL' &&
            run.snapshot.stats.queued === 0 &&
            run.snapshot.stats.inFlight + run.snapshot.stats.spooled > 0,
        ),
      killed
        .map(
          (run) =>
            `${run.name}: in flight ${n(run.snapshot.stats.inFlight)}, spooled ${n(run.snapshot.stats.spooled)}, queued ${run.snapshot.stats.queued}; left ${leftAfterKill?.leased ?? 0} leased files of a dead pid`,
        )
        .join('; '),
    ),
    check(
      'a restart tries the spool at once, even with the backend down',
      second !== undefined && second.snapshot.attempts.earlierRecordsSent > 0,
      second === undefined
        ? 'no second process'
        : `${second.name} sent ${n(second.snapshot.attempts.earlierRecordsSent)} records of earlier processes`,
    ),
    check(
      'the burst was spilled unsent at the shutdown deadline',
      burst !== undefined && (attempts(burst)?.ownRecordsSent ?? 0) < burst.snapshot.emitted,
      burst === undefined
        ? 'no burst process'
        : `${n(burst.snapshot.emitted - (attempts(burst)?.ownRecordsSent ?? 0))} of ${n(burst.snapshot.emitted)} never sent`,
    ),
    check(
      'the outage was real: refused connections, 503s, lost answers',
      runs.some((run) => run.snapshot.attempts.refused > 0) &&
        runs.some((run) => run.snapshot.attempts.unavailable > 0) &&
        server.answered503 > 0 &&
        server.answersLost > 0,
      `refused ${n(sum(runs, (run) => run.snapshot.attempts.refused))}, 503 ${n(server.answered503)}, answers lost ${n(server.answersLost)}`,
    ),
    check(
      'spool directory empty at the end',
      result.finalListing.files.length === 0,
      result.finalListing.files.length === 0
        ? 'no file left'
        : `${result.finalListing.files.length} files left: ${result.finalListing.files
            .slice(0, 3)
            .map((file) => file.path)
            .join(', ')}`,
    ),
    check(
      `heap bounded: every process's peak < ${MAX_EMITTER_PEAK_HEAP_BYTES / MiB} MiB, the drain's growth < ${MAX_DRAIN_HEAP_GROWTH_BYTES / MiB} MiB`,
      peak < MAX_EMITTER_PEAK_HEAP_BYTES && growth < MAX_DRAIN_HEAP_GROWTH_BYTES,
      `peak ${mib(peak)}, growth after the drain ${mib(growth)}`,
    ),
    check(
      'no credential in any spool file; every request authorized',
      result.filesWithSecrets === 0 && result.filesScanned > 0 && server.unauthorized === 0,
      `${n(result.filesScanned)} files scanned after each stop, ${result.filesWithSecrets} with a credential; unauthorized requests ${server.unauthorized}`,
    ),
  ];
}

/** The scenario's section of the report, as Markdown. */
export function outageSummary(result: OutageResult, runChecks: readonly Check[]): string {
  const { options, server, runs, replay } = result;
  const p = options.processor;
  const r = options.retry;
  const outageMillis = result.refusedMillis + result.unavailableMillis;
  const killed = runs.filter((run) => run.stoppedBy === 'SIGKILL').length;
  const seconds = replay.millis / 1000;
  const settings = [
    `Four emitting processes in turn on one spool directory (\`TELEMETRY_REPORTER_SPOOL_DIR\`, \`TELEMETRY_REPORTER_SPOOL_MODE\`), each a child process: #1 write-ahead, killed with SIGKILL during the outage; #2 fallback and #3 write-ahead (one burst of ${n(options.burst)} records), stopped with SIGTERM; #4 fallback, running when the backend comes back, drains the spool.`,
    `Emission paced at ${n(options.ratePerSecond)} records/s (the burst unpaced). Processor: \`maxQueueSize\` ${n(p.maxQueueSize)}, \`maxExportBatchSize\` ${p.maxExportBatchSize}, \`scheduledDelayMillis\` ${p.scheduledDelayMillis}, \`exportTimeoutMillis\` ${p.exportTimeoutMillis}, \`maxConcurrentExports\` ${p.maxConcurrentExports}, \`shutdownTimeoutMillis\` ${p.shutdownTimeoutMillis}. Retry: \`maxAttempts\` ${r.maxAttempts}, \`initialDelayMillis\` ${r.initialDelayMillis}, \`maxDelayMillis\` ${r.maxDelayMillis}.`,
    `Backend (a child process that outlives the emitters): up; then not listening (connections refused); then listening and answering 503 to everything after ${options.unavailableDelayMillis} ms; then up again, storing every payload and dropping the connection instead of answering for one payload in ${options.loseEvery}. Records are deduplicated by the id in their body and, separately, by the \`idempotency-key\` header.`,
  ];
  const rows = [
    `| records emitted | ${n(result.emitted)} |`,
    `| outage (connections refused + 503 for everything) | ${sec(outageMillis)} (${sec(result.refusedMillis)} + ${sec(result.unavailableMillis)}) |`,
    `| restarts (SIGKILL / SIGTERM) | ${runs.length - 1} (${killed} / ${runs.length - 1 - killed}) |`,
    `| **distinct records stored by the server** (by body id) | **${n(server.distinctRecords)}** |`,
    `| **records by distinct idempotency key** | **${n(server.recordsByDistinctKey)}** |`,
    `| **lost** | **${n(result.emitted - server.distinctRecords)}** |`,
    `| record copies stored (at-least-once) | ${n(server.storedRecords)} |`,
    `| **duplicates** (copies beyond the first) | **${n(server.duplicateRecords)}** |`,
    `| &nbsp;&nbsp;under the same key (a receiver drops them) / under a second key | ${n(server.repeatedKeyRecords)} / ${n(server.recordsByDistinctKey - server.distinctRecords)} |`,
    `| answers lost on purpose after storing | ${n(server.answersLost)} |`,
    `| waiting in the spool when the backend came back | ${n(replay.waiting.files.length)} files, ${mib(replay.waiting.bytes)} |`,
    `| records replayed by the final process | ${n(replay.records)} |`,
    `| **replay time** (backend up → spool empty) | **${sec(replay.millis)}** |`,
    `| replay rate | ${n(Math.round(replay.records / seconds))} records/s, ${(replay.waiting.bytes / 1e6 / seconds).toFixed(1)} MB/s |`,
    `| spool files scanned for credentials / holding one | ${n(result.filesScanned)} / ${result.filesWithSecrets} |`,
    `| duration | ${sec(result.durationMillis)} |`,
  ];
  const processRows = runs.map((run) => {
    const { stats, attempts } = run.snapshot;
    const exit =
      run.stoppedBy === 'SIGKILL'
        ? 'SIGKILL'
        : `SIGTERM, shutdown ${Math.round(run.exit.shutdownMillis ?? 0)} ms`;
    return `| ${run.name} | ${exit} | ${n(run.snapshot.emitted)} | ${n(stats.exported)} | ${n(stats.spooled)} | ${n(stats.inFlight)} | ${n(run.snapshot.emitted - attempts.ownRecordsSent)} | ${n(attempts.earlierRecordsSent)} / ${n(stats.spool?.replayed ?? 0)} | ${n(attempts.attempts)}: ${n(attempts.delivered)} / ${n(attempts.refused)} / ${n(attempts.unavailable)} / ${n(attempts.aborted)} / ${n(attempts.otherFailures)} | ${run.leftOnDisk.files.length} (${run.leftOnDisk.leased} leased) | ${mib(run.snapshot.peakHeapBytes)} |`;
  });
  const checkRows = runChecks.map((c) => `| ${c.name} | ${verdict(c)} | ${c.detail} |`);
  return [
    ...settings.map((s) => `- ${s}`),
    '',
    ...table(['figure', 'value'], ['left', 'right'], rows),
    '',
    ...table(
      [
        'process',
        'stopped by',
        'emitted',
        'exported',
        'spooled at the end',
        'in flight at the end',
        'never sent',
        'earlier records tried / replayed',
        'attempts: ok / refused / 503 / cut by a deadline / other',
        'files left',
        'peak heap',
      ],
      [
        'left',
        'left',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
      ],
      processRows,
    ),
    '',
    'Timeline:',
    '',
    ...result.timeline.map((t) => `- ${t.at.toFixed(1)} s: ${t.event}`),
    '',
    ...table(['check', 'result', 'detail'], ['left', 'left', 'left'], checkRows),
    '',
  ].join('\n');
}

/**
 * Dedupe by idempotency key must keep exactly the records emitted: every record travels under one
 * key, whatever retries, deadlines, spills, kills and replays it went through (a record stored
 * under a second key would reach a de-duplicating receiver twice).
 */
function keyCheck(result: OutageResult): Check {
  const { server, emitted } = result;
  const underSecondKey = server.recordsByDistinctKey - server.distinctRecords;
  const clean = server.keyConflicts === 0 && server.keylessBatches === 0;
  const ok = server.recordsByDistinctKey === emitted && clean;
  const detail = `${n(server.recordsByDistinctKey)} of ${n(emitted)} in ${n(server.distinctKeys)} keys; records under a second key ${n(underSecondKey)}; keys reused for other records ${server.keyConflicts}; batches without a key ${server.keylessBatches}`;
  return {
    name: 'no record lost or kept twice, counting each idempotency key once',
    ok,
    detail,
  };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function sec(millis: number): string {
  return `${(millis / 1000).toFixed(1)} s`;
}
