import { DROP_REASONS, totalDropped, unaccountedRecords } from '@telemetry-reporter/otel';
import { MiB, mib, n, table } from './markdown.js';
import type { SoakResult } from './soak.js';

/** One checked property of a run. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The result column of a check. */
export function verdict(check: Check): string {
  return check.ok ? 'PASS' : '**FAIL**';
}

/** The heap may not end a run this much above its lowest post-GC checkpoint. */
export const MAX_HEAP_GROWTH_BYTES = 16 * MiB;
/** No periodic sample may exceed this. */
export const MAX_PEAK_HEAP_BYTES = 256 * MiB;

/** Every property a run must have; the soak exits non-zero unless all hold. */
export function checks(result: SoakResult): Check[] {
  const { stats, server, client, heap, sweep } = result;
  const later = heap.checkpoints.slice(1);
  const lowest = Math.min(...later.map((c) => c.bytes));
  const last = later.at(-1)?.bytes ?? lowest;
  const growth = later.length === 0 ? 0 : last - lowest;
  return [
    check(
      "server's accepted records === stats().exported",
      server.acceptedRecords === stats.exported,
      `${n(server.acceptedRecords)} vs ${n(stats.exported)}`,
    ),
    check(
      'accounting identity at every sample and at the end',
      result.identityViolations === 0 && unaccountedRecords(stats) === 0,
      `${n(result.statsSamples)} samples, ${result.identityViolations} violations, lost-uncounted ${unaccountedRecords(stats)}`,
    ),
    check(
      'every emitted record was received',
      stats.received === result.emitted,
      `${n(stats.received)} of ${n(result.emitted)}`,
    ),
    check(
      'nothing queued or in flight after shutdown',
      stats.queued === 0 && stats.inFlight === 0,
      `queued ${stats.queued}, in flight ${stats.inFlight}`,
    ),
    check(
      'no record delivered twice, or after its deadline',
      server.duplicateRecords === 0 && client.lateDeliveredRecords === 0,
      `duplicates ${server.duplicateRecords}, late ${client.lateDeliveredRecords}`,
    ),
    check(
      'every 200 reached the client; every body well-formed',
      server.unfinished200 === 0 &&
        server.malformedBodies === 0 &&
        server.outOfRangeRecords === 0 &&
        server.unauthorized === 0,
      `unfinished ${server.unfinished200}, malformed ${server.malformedBodies}, unknown seq ${server.outOfRangeRecords}, unauthorized ${server.unauthorized}`,
    ),
    check(
      'every kind of fault was injected, and hangs were aborted',
      server.hung > 0 &&
        server.answered503 > 0 &&
        server.answered429RetryAfter0 + server.answered429RetryAfter1 > 0 &&
        server.answered400 > 0 &&
        stats.dropped.export_timeout > 0 &&
        client.abortedByDeadline === server.hung,
      `hung ${server.hung} (aborted ${client.abortedByDeadline}), 503 ${server.answered503}, 429 ${server.answered429RetryAfter0 + server.answered429RetryAfter1}, 400 ${server.answered400}`,
    ),
    check(
      `heap bounded: peak < ${MAX_PEAK_HEAP_BYTES / MiB} MiB, growth < ${MAX_HEAP_GROWTH_BYTES / MiB} MiB`,
      heap.peakBytes < MAX_PEAK_HEAP_BYTES && growth < MAX_HEAP_GROWTH_BYTES,
      `peak ${mib(heap.peakBytes)}, growth ${mib(growth)}`,
    ),
    check(
      'no secret in any error, diag line, stats object or this report',
      sweep.leaks === 0 &&
        sweep.errors > 0 &&
        sweep.diagLines > 0 &&
        sweep.statsObjects > 0 &&
        result.sweepSelfTest,
      `sweep self-test ${result.sweepSelfTest ? 'catches planted secrets' : 'FAILED to catch planted secrets'}; ${n(sweep.errors)} errors, ${n(sweep.diagLines)} diag lines, ${n(sweep.statsObjects)} stats objects swept; ${sweep.leaks} leaks${sweep.samples.length > 0 ? `: ${sweep.samples.join('; ').replaceAll('|', '/')}` : ''}`,
    ),
  ];
}

/** The summary as a Markdown document: settings, figures, checks. */
export function summary(result: SoakResult, runChecks: readonly Check[]): string {
  const { options, stats, server, client, heap } = result;
  const p = options.processor;
  const r = options.retry;
  const plan = options.plan;
  const dropped = DROP_REASONS.map(
    (reason) => `| &nbsp;&nbsp;dropped: \`${reason}\` | ${n(stats.dropped[reason])} |`,
  );
  const rows = [
    `| records emitted | ${n(result.emitted)} |`,
    `| received (\`stats()\`) | ${n(stats.received)} |`,
    `| **exported** (\`stats()\`) | **${n(stats.exported)}** |`,
    `| **accepted by the server** (200 responses delivered) | **${n(server.acceptedRecords)}** |`,
    `| dropped, all reasons | ${n(totalDropped(stats))} |`,
    ...dropped,
    `| **lost uncounted** (\`unaccountedRecords\`) | **${n(unaccountedRecords(stats))}** |`,
    `| requests received by the server | ${n(server.requests)} |`,
    `| &nbsp;&nbsp;answered 200 | ${n(server.answered200)} |`,
    `| &nbsp;&nbsp;answered 503 | ${n(server.answered503)} |`,
    `| &nbsp;&nbsp;answered 429, \`Retry-After: 0\` / \`1\` | ${n(server.answered429RetryAfter0)} / ${n(server.answered429RetryAfter1)} |`,
    `| &nbsp;&nbsp;answered 400 | ${n(server.answered400)} |`,
    `| &nbsp;&nbsp;never answered (hung) | ${n(server.hung)} |`,
    `| attempts aborted by the export deadline | ${n(client.abortedByDeadline)} |`,
    `| retries (\`stats().retries\`) | ${n(stats.retries)} |`,
    `| records accepted twice / after their deadline | ${n(server.duplicateRecords)} / ${n(client.lateDeliveredRecords)} |`,
    `| peak \`heapUsed\` (sampled every ${options.sampleEveryMillis} ms) | ${mib(heap.peakBytes)} |`,
    `| \`heapUsed\` at checkpoints${heap.gcAtCheckpoints ? ', after a full GC' : ''} | ${heap.checkpoints.map((c) => (c.bytes / MiB).toFixed(1)).join(' → ')} MiB |`,
    `| heap trend (least squares, checkpoints 2..n) | ${(heap.slopeBytesPerMillionRecords / 1024).toFixed(0)} KiB per million records |`,
    `| duration (emission / total) | ${(result.emitMillis / 1000).toFixed(1)} s / ${(result.durationMillis / 1000).toFixed(1)} s |`,
    `| emission rate achieved | ${n(Math.round(result.emitted / (result.emitMillis / 1000)))} records/s |`,
    `| diag lines (warn / debug), all swept for secrets | ${n(result.diagLines.warn)} / ${n(result.diagLines.debug)} |`,
  ];
  const settings = [
    `Node ${process.version}, ${process.platform}/${process.arch}.`,
    `Emission: ${n(options.records)} \`logger.emit()\` calls (SDK 2 \`LoggerProvider\`), ${n(options.chunkSize)} per macrotask then \`setImmediate\`, ${options.ratePerSecond > 0 ? `at most ${n(options.ratePerSecond)} records/s` : 'unpaced'}.`,
    `Transport: \`createHttpTransport\`, sent from the ${options.thread === 'worker' ? "worker thread (`thread: 'worker'`)" : 'main thread'}.`,
    `Processor: \`maxQueueSize\` ${n(p.maxQueueSize)}, \`maxExportBatchSize\` ${p.maxExportBatchSize}, \`scheduledDelayMillis\` ${p.scheduledDelayMillis}, \`exportTimeoutMillis\` ${p.exportTimeoutMillis}, \`maxConcurrentExports\` ${p.maxConcurrentExports}. Retry: \`maxAttempts\` ${r.maxAttempts}, \`initialDelayMillis\` ${r.initialDelayMillis}, \`maxDelayMillis\` ${r.maxDelayMillis}.`,
    `Server (a child process): per request, ${pct(plan.hang)} never answered, ${pct(plan.reject400)} 400, ${pct(plan.fail503)} 503, ${pct(plan.throttle429)} 429 (\`Retry-After\` 0 or 1 s), the rest 200, counted when the response is handed to the socket (\`finish\`). Error bodies echo the request's credentials.`,
  ];
  const checkRows = runChecks.map((c) => `| ${c.name} | ${verdict(c)} | ${c.detail} |`);
  return [
    ...settings.map((s) => `- ${s}`),
    '',
    ...table(['figure', 'value'], ['left', 'right'], rows),
    '',
    ...table(['check', 'result', 'detail'], ['left', 'left', 'left'], checkRows),
    '',
  ].join('\n');
}

/** A named check of a report. */
export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

function pct(fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`;
}
