// The app: a small HTTP server that logs through the OpenTelemetry Logs API, a few requests to
// it, then `sdk.shutdown()`. It imports nothing from OpenTelemetry's SDK: telemetry.ts, preloaded
// with --import, has set everything up, and instrumentation-http makes the spans.
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import {
  formatStats,
  reportChecks,
  SPAN_KIND_CLIENT,
  SPAN_KIND_SERVER,
} from '@telemetry-reporter-examples/support';
import { collector } from './local-collector.js';
// `sdk` for the shutdown at the end; the processors only for the checks.
import { logProcessor, sdk, spanProcessor } from './telemetry.js';

const logger = logs.getLogger('orders');

const server = createServer((req, res) => {
  // Emitted inside the request's server span: the record carries its trace and span ids.
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: `served ${req.method} ${req.url}`,
    attributes: { 'http.route': req.url ?? '' },
  });
  res.writeHead(req.url === '/missing' ? 404 : 200).end('ok');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const paths = ['/orders/1', '/orders/2', '/health', '/missing'];
for (const path of paths) {
  const status = await new Promise<number | undefined>((resolve, reject) => {
    get(`http://127.0.0.1:${port}${path}`, (res) => {
      res.resume().on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
  console.log(`GET ${path} -> ${status}`);
}
await new Promise((resolve) => server.close(resolve));

// Drains both processors (their exporters included) within shutdownTimeoutMillis.
await sdk.shutdown();

const logStats = logProcessor.stats();
const spanStats = spanProcessor.stats();
console.log(`\nlogs:  ${formatStats(logStats)}`);
console.log(`spans: ${formatStats(spanStats)}`);

if (collector) {
  const { logRecords, spans, requests } = await collector.stop();
  const serverSpans = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
  const clientSpans = spans.filter((s) => s.kind === SPAN_KIND_CLIENT);
  console.log(
    `collector: ${logRecords.length} log records in ${requests.logs} requests, ` +
      `${spans.length} spans in ${requests.traces} requests ` +
      `(${serverSpans.length} server, ${clientSpans.length} client), ${requests.metrics} metrics requests\n`,
  );
  const serverTraces = new Set(serverSpans.map((s) => s.traceId));
  reportChecks({
    'every request logged and exported': logStats.exported === paths.length,
    'a server and a client span per request (instrumentation-http, ESM hook)':
      serverSpans.length === paths.length && clientSpans.length === paths.length,
    'the collector received what stats() counts as exported':
      logRecords.length === logStats.exported && spans.length === spanStats.exported,
    'each log record carries its request trace': logRecords.every((r) =>
      serverTraces.has(r.traceId),
    ),
  });
} else {
  console.log(`\nshipped to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  reportChecks({
    'nothing dropped':
      logStats.exported === logStats.received && spanStats.exported === spanStats.received,
  });
}
