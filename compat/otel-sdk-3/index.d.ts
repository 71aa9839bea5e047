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
export declare const SDK_LINE: 3;

/** Versions of the SDK packages this harness resolved, for reports and sanity checks. */
export declare const SDK_VERSIONS: Readonly<Record<string, string>>;
