// Ship logs and spans to an OTLP/HTTP endpoint (an OpenTelemetry Collector, or a vendor's OTLP
// intake) two ways: (1) our transport exporters with the OTLP protobuf encoders over
// createHttpTransport, and (2) our processor in front of the official OTLPLogExporter.
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { type AnyValueMap, SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
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
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
} from '@telemetry-reporter/transport-http/otlp';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

// Drops and failed exports are reported through OpenTelemetry's diag, at warn level.
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

// With no endpoint given, start a local receiver so the example runs anywhere. Set
// OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 (a Collector's OTLP/HTTP port) to ship there.
const receiver = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? undefined : await startOtlpReceiver();
const endpoint = (receiver?.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').replace(
  /\/+$/,
  '',
);
const headers = parseOtlpHeaders(process.env.OTEL_EXPORTER_OTLP_HEADERS ?? '');
const resource = resourceFromAttributes({
  'service.name': process.env.OTEL_SERVICE_NAME ?? 'otlp-example',
});
// Bounded, so that a collector that is down costs seconds, not the 30 s default.
const limits = { exportTimeoutMillis: 10_000, shutdownTimeoutMillis: 10_000 };

// (1) Our exporters, OTLP protobuf. A record the serializer cannot encode is dropped alone.
const logEncoder = createOtlpLogsEncoder(); // { format: 'json' } for OTLP/JSON
const logs = new ReporterLogRecordProcessor({
  ...limits,
  exporter: new TransportLogRecordExporter({
    encoder: logEncoder,
    transport: createHttpTransport({
      url: `${endpoint}/v1/logs`,
      contentType: logEncoder.contentType,
      headers,
      compression: 'gzip',
    }),
  }),
});
const spanEncoder = createOtlpSpansEncoder();
const spans = new ReporterSpanProcessor({
  ...limits,
  exporter: new TransportSpanExporter({
    encoder: spanEncoder,
    transport: createHttpTransport({
      url: `${endpoint}/v1/traces`,
      contentType: spanEncoder.contentType,
      headers,
      compression: 'gzip',
    }),
  }),
});
const loggerProvider = new LoggerProvider({ resource, processors: [logs] });
const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [spans] });

// (2) The official OTLP/HTTP log exporter (OTLP/JSON; it reads OTEL_EXPORTER_OTLP_HEADERS
// itself) behind our processor: our queue, deadlines and drop counting, its encoding and retry.
const official = new ReporterLogRecordProcessor({
  ...limits,
  exporter: new OTLPLogExporter({ url: `${endpoint}/v1/logs` }),
});
const officialProvider = new LoggerProvider({ resource, processors: [official] });

const logger = loggerProvider.getLogger('otlp-example');
const tracer = tracerProvider.getTracer('otlp-example');
const officialLogger = officialProvider.getLogger('otlp-example');

for (let i = 0; i < 1000; i++) {
  const span = tracer.startSpan(`GET /items/${i % 10}`);
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: `item ${i} served`,
    attributes: { 'item.id': i },
  });
  span.end();
  if (i % 2 === 0) officialLogger.emit({ severityNumber: SeverityNumber.INFO, body: `job ${i}` });
}
// A body with a cycle makes the OTLP serializer throw for a whole batch; here only it is lost.
const circular: AnyValueMap = { note: 'points at itself' };
circular.self = circular;
logger.emit({ severityNumber: SeverityNumber.WARN, body: circular });

await Promise.all([
  loggerProvider.forceFlush(),
  tracerProvider.forceFlush(),
  officialProvider.forceFlush(),
]);

console.log(
  receiver
    ? `no OTEL_EXPORTER_OTLP_ENDPOINT: shipped to a local OTLP receiver at ${endpoint}\n`
    : `shipped to ${endpoint}\n`,
);
report('(1) logs, TransportLogRecordExporter + OTLP protobuf', logs.stats());
report('(1) spans, TransportSpanExporter + OTLP protobuf', spans.stats());
report('(2) logs, official OTLPLogExporter (OTLP/JSON)', official.stats());
if (receiver) {
  console.log(
    `\nreceiver: /v1/logs ${receiver.logs.records} records in ${receiver.logs.requests} requests, ` +
      `/v1/traces ${receiver.traces.records} spans in ${receiver.traces.requests} requests`,
  );
}

await Promise.all([
  loggerProvider.shutdown(),
  tracerProvider.shutdown(),
  officialProvider.shutdown(),
]);
await receiver?.close();
process.exitCode = ok(receiver) ? 0 : 1;

function report(title: string, stats: ReporterStats): void {
  const dropped = Object.entries(stats.dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  console.log(title);
  console.log(
    `  received ${stats.received}, exported ${stats.exported}, retries ${stats.retries}, dropped: ${dropped || 'none'}`,
  );
}

/** Everything but the circular record arrived; locally, the receiver agrees with the stats. */
function ok(local: OtlpReceiver | undefined): boolean {
  const l = logs.stats();
  const s = spans.stats();
  const o = official.stats();
  const delivered = l.exported === 1000 && s.exported === 1000 && o.exported === 500;
  if (!local) return delivered;
  return (
    delivered &&
    local.logs.records === l.exported + o.exported &&
    local.traces.records === s.exported
  );
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key1=value1,key2=value2`, values percent-encoded. */
function parseOtlpHeaders(text: string): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) parsed[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return parsed;
}
