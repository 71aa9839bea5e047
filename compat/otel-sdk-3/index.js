import { readFileSync } from 'node:fs';

// One module surface over the OpenTelemetry SDK 3.x line; see package.json.
export {
  context,
  DiagLogLevel,
  diag,
  logs,
  ROOT_CONTEXT,
  SamplingDecision,
  SeverityNumber,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
export {
  ExportResultCode,
  loggingErrorHandler,
  setGlobalErrorHandler,
} from '@opentelemetry/core';
// The official OTLP/HTTP exporters: JSON (-http) under their own names, protobuf (-proto) as
// OTLPProto*, since both packages export the same class names.
export { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
export { OTLPLogExporter as OTLPProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
export { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
export { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
export {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
export {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
export {
  BatchLogRecordProcessor,
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
export { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
export { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';

/** Which SDK line this harness provides. */
export const SDK_LINE = 3;

// Direct dependencies are linked into this package's node_modules; read their manifests there.
const versionOf = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8'))
    .version;

/** Versions of the SDK packages this harness resolved, for reports and sanity checks. */
export const SDK_VERSIONS = Object.freeze({
  api: versionOf('@opentelemetry/api'),
  'otlp-transformer': versionOf('@opentelemetry/otlp-transformer'),
  'sdk-logs': versionOf('@opentelemetry/sdk-logs'),
  'sdk-metrics': versionOf('@opentelemetry/sdk-metrics'),
  'sdk-trace': versionOf('@opentelemetry/sdk-trace'),
});
