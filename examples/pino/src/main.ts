// The app logs with pino as usual (JSON lines on stdout); the pino instrumentation, set up by
// telemetry.ts, also sends each line to OpenTelemetry as a log record.
import {
  type CollectorReport,
  formatStats,
  reportChecks,
} from '@telemetry-reporter-examples/support';
import { pino } from 'pino';
import { collector } from './local-collector.js';
// Only for the checks at the end; an app needs nothing from this module.
import { loggerProvider, logProcessor } from './telemetry.js';

const logger = pino({ level: 'debug' });
logger.debug({ key: 'item:2' }, 'cache miss');
logger.info({ orderId: 'ord-1', totalCents: 2000 }, 'order placed');
logger.child({ component: 'billing' }).info('invoice sent');
logger.warn({ sku: 'sku-7', left: 2 }, 'stock low');
logger.error({ orderId: 'ord-1', reason: 'card declined' }, 'payment failed');
logger.trace('not logged: below the level');

// Drains the processor (and its exporter) within shutdownTimeoutMillis.
await loggerProvider.shutdown();

const stats = logProcessor.stats();
console.log(`\nlogs: ${formatStats(stats)}`);

// pino level -> OpenTelemetry severity number, as the instrumentation maps them
const expected = [
  { body: 'cache miss', severityNumber: 5 },
  { body: 'order placed', severityNumber: 9 },
  { body: 'invoice sent', severityNumber: 9 },
  { body: 'stock low', severityNumber: 13 },
  { body: 'payment failed', severityNumber: 17 },
];
if (collector) {
  const { logRecords, requests }: CollectorReport = await collector.stop();
  console.log(`collector: ${logRecords.length} log records in ${requests.logs} requests\n`);
  reportChecks({
    'every pino line above the level exported': stats.exported === expected.length,
    'the collector received what stats() counts as exported': logRecords.length === stats.exported,
    'bodies and severities as logged': expected.every(
      (e, i) =>
        logRecords[i]?.body === e.body && logRecords[i]?.severityNumber === e.severityNumber,
    ),
  });
} else {
  console.log(`shipped to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  reportChecks({ 'nothing dropped': stats.exported === stats.received });
}
