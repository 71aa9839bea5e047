// The app logs with winston as usual; OpenTelemetryTransportV3, next to the console transport,
// turns each entry into an OpenTelemetry log record on the global LoggerProvider that
// telemetry.ts set up.
import { OpenTelemetryTransportV3 } from '@opentelemetry/winston-transport';
import {
  type CollectorReport,
  formatStats,
  reportChecks,
} from '@telemetry-reporter-examples/support';
import winston from 'winston';
import { collector } from './local-collector.js';
// Only for the checks at the end; an app needs nothing from this module.
import { loggerProvider, logProcessor } from './telemetry.js';

const logger = winston.createLogger({
  level: 'debug',
  format: winston.format.json(),
  transports: [new winston.transports.Console(), new OpenTelemetryTransportV3()],
});
logger.debug('cache miss', { key: 'item:2' });
logger.info('order placed', { orderId: 'ord-1', totalCents: 2000 });
logger.child({ component: 'billing' }).info('invoice sent');
logger.warn('stock low', { sku: 'sku-7', left: 2 });
logger.error('payment failed', { orderId: 'ord-1', reason: 'card declined' });
logger.silly('not logged: below the level');

// Drains the processor (and its exporter) within shutdownTimeoutMillis.
await loggerProvider.shutdown();

const stats = logProcessor.stats();
console.log(`\nlogs: ${formatStats(stats)}`);

// winston (npm) level -> OpenTelemetry severity number, as the transport maps them
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
    'every winston entry above the level exported': stats.exported === expected.length,
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
