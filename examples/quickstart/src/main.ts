// Quick start: register the reporter's processors on the OpenTelemetry SDK, emit a burst far
// larger than the queue, flush, and print where every record went.
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
} from '@telemetry-reporter/otel';
import { FlakyBackend } from './flaky-backend.js';

const resource = resourceFromAttributes({ 'service.name': 'quickstart' });
const retry = { maxAttempts: 4, initialDelayMillis: 20, maxDelayMillis: 200 };

const logBackend = new FlakyBackend();
const logs = new ReporterLogRecordProcessor({
  exporter: new TransportLogRecordExporter({ transport: logBackend, retry }),
  maxQueueSize: 2048,
  maxExportBatchSize: 256,
  maxConcurrentExports: 2,
});
const loggerProvider = new LoggerProvider({ resource, processors: [logs] });

const spanBackend = new FlakyBackend();
const spans = new ReporterSpanProcessor({
  exporter: new TransportSpanExporter({ transport: spanBackend, retry }),
  maxQueueSize: 1024,
  maxExportBatchSize: 128,
});
const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [spans] });

const logger = loggerProvider.getLogger('checkout');
const tracer = tracerProvider.getTracer('checkout');

// A burst: 10,000 logs and 2,000 spans in ten synchronous waves, as a busy service would emit
// them. Each wave is larger than what the queue holds, so some records are shed (and counted).
const started = process.hrtime.bigint();
for (let wave = 0; wave < 10; wave++) {
  for (let i = 0; i < 1000; i++) {
    logger.emit({
      severityNumber: i % 100 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO,
      body: `order ${wave * 1000 + i} placed`,
      attributes: { 'order.id': wave * 1000 + i },
    });
  }
  for (let i = 0; i < 200; i++) tracer.startSpan(`GET /orders/${i}`).end();
  await new Promise((resolve) => setTimeout(resolve, 20)); // the service goes on working
}
const emitNanos = Number(process.hrtime.bigint() - started);

await Promise.all([loggerProvider.forceFlush(), tracerProvider.forceFlush()]);

function report(name: string, stats: ReporterStats, backend: FlakyBackend): void {
  const dropped = Object.entries(stats.dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  console.log(`${name}`);
  console.log(`  received ${stats.received}, exported ${stats.exported}, retries ${stats.retries}`);
  console.log(`  dropped: ${dropped || 'none'}`);
  console.log(`  still queued ${stats.queued}, in flight ${stats.inFlight}`);
  const c = backend.counts;
  console.log(
    `  backend: ${c.requests} requests, accepted ${c.accepted} records, answered 503 x${c.answered503}, 429 x${c.answered429}, 400 x${c.answered400}`,
  );
}

console.log(
  `emitted 10,000 logs and 2,000 spans in ${(emitNanos / 1e6).toFixed(0)} ms (waves included)\n`,
);
report('logs', logs.stats(), logBackend);
report('spans', spans.stats(), spanBackend);

await Promise.all([loggerProvider.shutdown(), tracerProvider.shutdown()]);
const exact =
  logs.stats().exported === logBackend.counts.accepted &&
  spans.stats().exported === spanBackend.counts.accepted;
console.log(`\nexported == accepted by the backend: ${exact}`);
process.exitCode = exact ? 0 : 1;
