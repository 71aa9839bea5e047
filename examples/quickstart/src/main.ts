// Quick start: register the reporter's processors on the OpenTelemetry SDK, ship over HTTP to an
// embedded backend that fails now and then, emit a burst far larger than the queue, flush, and
// print where every record went.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import {
  ReporterLogRecordProcessor,
  ReporterSpanProcessor,
  type ReporterStats,
  TransportLogRecordExporter,
  TransportSpanExporter,
  unaccountedRecords,
} from '@telemetry-reporter/otel';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import { type FlakyBackend, startFlakyBackend } from './flaky-backend.js';

const logBackend = await startFlakyBackend('/v1/logs');
const spanBackend = await startFlakyBackend('/v1/spans');

const resource = resourceFromAttributes({ 'service.name': 'quickstart' });
// Short waits so that the demo ends in seconds; the defaults (1 s doubling up to 30 s) suit a
// real backend. A 429's Retry-After is honoured even when longer than maxDelayMillis.
const retry = { maxAttempts: 4, initialDelayMillis: 20, maxDelayMillis: 200 };

const logs = new ReporterLogRecordProcessor({
  exporter: new TransportLogRecordExporter({
    transport: createHttpTransport({ url: logBackend.url }),
    retry,
  }),
  maxQueueSize: 2048,
  maxExportBatchSize: 256,
  maxConcurrentExports: 2,
});
const loggerProvider = new LoggerProvider({ resource, processors: [logs] });

const spans = new ReporterSpanProcessor({
  exporter: new TransportSpanExporter({
    transport: createHttpTransport({ url: spanBackend.url }),
    retry,
  }),
  maxQueueSize: 1024,
  maxExportBatchSize: 128,
});
const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [spans] });

const logger = loggerProvider.getLogger('checkout');
const tracer = tracerProvider.getTracer('checkout');

// A burst: 10,000 logs and 2,000 spans in ten synchronous waves, as a busy service would emit
// them. Each wave is larger than what the queue can take in while exports are slow, so some
// records are shed, and counted.
const started = performance.now();
let emitMillis = 0;
for (let wave = 0; wave < 10; wave++) {
  const waveStarted = performance.now();
  for (let i = 0; i < 1000; i++) {
    logger.emit({
      severityNumber: i % 100 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO,
      body: `order ${wave * 1000 + i} placed`,
      attributes: { 'order.id': wave * 1000 + i },
    });
  }
  for (let i = 0; i < 200; i++) tracer.startSpan(`GET /orders/${i}`).end();
  emitMillis += performance.now() - waveStarted; // the time spent on the service's own stack
  await new Promise((resolve) => setTimeout(resolve, 50)); // the service goes on working
}

await Promise.all([loggerProvider.forceFlush(), tracerProvider.forceFlush()]);
const elapsedMillis = performance.now() - started;

/** One line per drop reason seen: why this demo produced it, in the demo's own terms. */
const WHY: Readonly<Record<string, (stats: ReporterStats, queueSize: number) => string>> = {
  queue_full: (stats, queueSize) =>
    `each wave of the burst arrived faster than exports left, so the bounded queue (${queueSize}) shed the surplus instead of growing; ${stats.droppedBySeverity.error} of them were ERROR`,
  rejected: () =>
    'the backend answered 400 to some batches: a permanent refusal, so they were dropped, not retried',
  retries_exhausted: () =>
    'a batch failed every attempt (503 / 429 each time): it was dropped after the last one',
};

function report(
  name: string,
  stats: ReporterStats,
  backend: FlakyBackend,
  queueSize: number,
): void {
  const dropped = Object.entries(stats.dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const c = backend.counts;
  console.log(name);
  console.log(`  received ${stats.received}, exported ${stats.exported}, retries ${stats.retries}`);
  console.log(`  dropped: ${dropped || 'none'}`);
  console.log(`  still queued ${stats.queued}, in flight ${stats.inFlight}`);
  console.log(
    `  backend: ${c.requests} requests, accepted ${c.accepted} records; answered 503 x${c.answered503}, 429 x${c.answered429}, 400 x${c.answered400}`,
  );
  if (stats.retries > 0) {
    console.log(
      `  why retries: the 503 and 429 answers are retried with backoff (a 429's Retry-After is honoured)`,
    );
  }
  for (const [reason, count] of Object.entries(stats.dropped)) {
    const why = WHY[reason];
    if (count > 0 && why !== undefined) console.log(`  why ${reason}: ${why(stats, queueSize)}`);
  }
}

console.log(
  `emitted 10,000 logs and 2,000 spans: ${emitMillis.toFixed(0)} ms on the emitting stack, ` +
    `all delivered or dropped after ${(elapsedMillis / 1000).toFixed(1)} s\n`,
);
report(`logs -> ${logBackend.url}`, logs.stats(), logBackend, logs.options.maxQueueSize);
report(`spans -> ${spanBackend.url}`, spans.stats(), spanBackend, spans.options.maxQueueSize);

await Promise.all([loggerProvider.shutdown(), tracerProvider.shutdown()]);
await Promise.all([logBackend.close(), spanBackend.close()]);

// What the processors counted as exported is exactly what the backend says it accepted, and
// every record received is accounted for (exported, dropped by reason, queued or in flight).
const checks = {
  'exported == accepted by the backend':
    logs.stats().exported === logBackend.counts.accepted &&
    spans.stats().exported === spanBackend.counts.accepted,
  'every record accounted for':
    unaccountedRecords(logs.stats()) === 0 && unaccountedRecords(spans.stats()) === 0,
};
console.log('');
for (const [check, ok] of Object.entries(checks)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}`);
process.exitCode = Object.values(checks).every(Boolean) ? 0 : 1;
