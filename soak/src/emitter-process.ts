// One emitting process of the outage scenario: a service as a user would run it, LoggerProvider
// (SDK 2) → ReporterLogRecordProcessor → TransportLogRecordExporter → createHttpTransport, with
// the spool turned on the way an operator would, by TELEMETRY_REPORTER_SPOOL_DIR and
// TELEMETRY_REPORTER_SPOOL_MODE. It is a process of its own so that the scenario can really kill
// it (SIGKILL) and really restart it on the same spool directory. It emits and reports when told
// to (EmitterCommand); SIGTERM stops it gracefully: `provider.shutdown()`, a last report, exit.
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  ReporterLogRecordProcessor,
  TransportLogRecordExporter,
  totalDropped,
  unaccountedRecords,
} from '@telemetry-reporter/otel';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import { CountingTransport } from './counting-transport.js';
import type {
  EmitterCommand,
  EmitterCondition,
  EmitterConfig,
  EmitterMessage,
  EmitterSnapshot,
} from './emitter-protocol.js';

/** Records per macrotask before yielding, as the steady soak emits. */
const CHUNK = 500;
/** How often a condition is checked while waiting for it. */
const POLL_MILLIS = 10;
const KEPT_WARNINGS = 5;

const config = JSON.parse(process.env.SOAK_EMITTER_CONFIG ?? 'null') as EmitterConfig | null;
if (config === null || process.send === undefined) {
  console.error('emitter-process: run by the soak through child_process.fork()');
  process.exit(2);
}
const reply = (message: EmitterMessage, then?: () => void): void => {
  process.send?.(message, undefined, undefined, () => then?.());
};

// Warnings are counted, and the first few kept: a failing run shows what the reporter said.
let warnings = 0;
const firstWarnings: string[] = [];
const warn = (message: string): void => {
  warnings++;
  if (firstWarnings.length < KEPT_WARNINGS) firstWarnings.push(message.slice(0, 300));
};
const quiet = (): void => {};
diag.setLogger(
  { error: warn, warn, info: quiet, debug: quiet, verbose: quiet },
  { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
);

const transport = new CountingTransport(
  createHttpTransport({ url: config.url, headers: { ...config.headers } }),
  config.firstId,
  config.idCount,
);
const processor = new ReporterLogRecordProcessor({
  ...config.processor,
  exporter: new TransportLogRecordExporter({ transport, retry: config.retry }),
});
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'soak-outage' }),
  processors: [processor],
});
const logger = provider.getLogger('soak-outage', '1.0.0');
if (processor.stats().spool === undefined) {
  console.error('emitter-process: no spool; TELEMETRY_REPORTER_SPOOL_DIR was not applied');
  process.exit(2);
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapAfterGc = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const baselineHeapBytes = heapAfterGc();
let drainedHeapBytes: number | undefined;
let peakHeapBytes = 0;
let statsSamples = 0;
let identityViolations = 0;
let emitted = 0;

/** Stats, checked against the identity at every look: a violation between samples counts too. */
const sampleStats = (): ReturnType<typeof processor.stats> => {
  const stats = processor.stats();
  statsSamples++;
  if (unaccountedRecords(stats) !== 0) identityViolations++;
  peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
  return stats;
};
setInterval(sampleStats, config.sampleEveryMillis).unref();

const snapshot = (): EmitterSnapshot => ({
  emitted,
  stats: sampleStats(),
  attempts: { ...transport.counts },
  statsSamples,
  identityViolations,
  peakHeapBytes,
  baselineHeapBytes,
  drainedHeapBytes,
  warnings,
  firstWarnings: [...firstWarnings],
});

/** Emits the next `count` ids, paced at `ratePerSecond` (0: unpaced). */
async function emit(count: number, ratePerSecond: number): Promise<void> {
  if (emitted + count > (config?.idCount ?? 0)) throw new Error('emit: beyond the id range');
  const first = config?.firstId ?? 0;
  const startedAt = performance.now();
  for (let done = 0; done < count; ) {
    const end = Math.min(count, done + CHUNK);
    for (; done < end; done++) {
      // The id first in the body: the server dedupes by it, the counting transport reads it.
      logger.emit({
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        eventName: 'order.placed',
        body: { recordId: first + emitted, text: 'order placed' },
        attributes: { 'http.route': '/checkout', 'user.id': emitted % 1000 },
      });
      emitted++;
    }
    const ahead =
      ratePerSecond > 0 ? (done / ratePerSecond) * 1000 - (performance.now() - startedAt) : 0;
    if (ahead >= 1) await sleep(ahead);
    else await yieldToLoop();
  }
}

function reached(condition: EmitterCondition): boolean {
  const stats = processor.stats();
  const spoolEmpty = stats.spooled === 0 && stats.spool?.files === 0;
  switch (condition) {
    case 'on-disk': {
      // Every record out of the memory queue and on disk: exported, in flight (written ahead,
      // in write-ahead mode), or spooled with its write done. Records spooled while the backend
      // is known down are never sent, so sends alone cannot tell.
      if (stats.queued !== 0 || stats.spool === undefined || stats.spool.writing !== 0)
        return false;
      const settled = stats.exported + totalDropped(stats) + stats.inFlight + stats.spooled;
      return settled === emitted;
    }
    case 'spool-empty':
      return spoolEmpty;
    case 'drained':
      return spoolEmpty && stats.queued === 0 && stats.inFlight === 0;
  }
}

async function until(condition: EmitterCondition): Promise<void> {
  while (!reached(condition)) await sleep(POLL_MILLIS);
  if (condition === 'drained') drainedHeapBytes = heapAfterGc();
}

process.on('message', (command: EmitterCommand) => {
  switch (command.type) {
    case 'emit':
      void emit(command.count, command.ratePerSecond).then(() =>
        reply({ type: 'emitted', snapshot: snapshot() }),
      );
      return;
    case 'flush':
      void provider.forceFlush().then(() => reply({ type: 'flushed', snapshot: snapshot() }));
      return;
    case 'await':
      void until(command.condition).then(() =>
        reply({ type: 'reached', condition: command.condition, snapshot: snapshot() }),
      );
      return;
  }
});

// A graceful stop, as a service handling SIGTERM itself does: shut down, then exit at once.
// Exiting right away matters: whatever the shutdown did not finish writing is lost here.
process.once('SIGTERM', () => {
  const startedAt = performance.now();
  void provider.shutdown().then(() => {
    const shutdownMillis = performance.now() - startedAt;
    reply({ type: 'stopped', shutdownMillis, snapshot: snapshot() }, () => process.exit(0));
  });
});
// The soak dying must not leave an emitter behind.
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready', snapshot: snapshot() });
