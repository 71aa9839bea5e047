export {
  BATCH_DEFAULTS,
  type BatchOptions,
  createJsonEncoder,
  DROP_REASONS,
  type DropReason,
  type EncodedBatch,
  type Encoder,
  ExportAbortedError,
  type JsonEncoderOptions,
  type OverflowPolicy,
  PermanentError,
  RETRY_DEFAULTS,
  type ReporterStats,
  RetryableError,
  type RetryOptions,
  type SendContext,
  type SeverityRange,
  type Transport,
  totalDropped,
  unaccountedRecords,
} from '@telemetry-reporter/core';
export {
  type ConfiguredTelemetry,
  type ConfigureOptions,
  configureFromEnvironment,
  EXPORTER_CHOICES,
  type ExporterChoice,
} from './auto-configure.js';
export {
  type DiagnosticsChannelMap,
  type DropCounter,
  type ForwardDiagnosticsChannelsBaseOptions,
  type ForwardDiagnosticsChannelsOptions,
  forwardDiagnosticsChannels,
  type UnsubscribeDiagnosticsChannels,
} from './diagnostics-channel.js';
export {
  batchOptionsFromEnv,
  type Environment,
  type EnvSignal,
  type EnvVariable,
  maxAttemptsFromEnv,
  PROCESSOR_ENV_VARIABLES,
} from './env-config.js';
export type { ExceptionBody, ExceptionCause } from './exception-body.js';
export {
  type ExitHandlerOptions,
  type FlushableProvider,
  installExitHandlers,
  type UninstallExitHandlers,
} from './exit-handlers.js';
export type {
  TransportExporterBaseOptions,
  TransportExporterOptions,
} from './internal/transport-exporter-base.js';
export { type LogRecordJson, logRecordToJson } from './log-record-json.js';
export type {
  LoggerLike,
  LogRecordLike,
  ReporterLogger,
  ReporterLoggerProvider,
  TimeInputLike,
} from './logger-types.js';
export { estimateLogRecordBytes, estimateSpanBytes } from './record-size.js';
export {
  ReporterLogRecordProcessor,
  type ReporterLogRecordProcessorOptions,
} from './reporter-log-record-processor.js';
export {
  type LoggerProviderClass,
  type ReporterSdk,
  type ResourceObjectLike,
  SdkLoadError,
} from './reporter-sdk.js';
export {
  ReporterSpanProcessor,
  type ReporterSpanProcessorOptions,
} from './reporter-span-processor.js';
export type {
  MeterLike,
  MeterProviderLike,
  MetricAttributesLike,
  MetricSignal,
  ObservableCallbackLike,
} from './self-metrics.js';
export { type SpanJson, spanToJson } from './span-json.js';
export {
  createTelemetryReporter,
  type TelemetryReporter,
  type TelemetryReporterBaseOptions,
  type TelemetryReporterOptions,
  type TelemetrySeverity,
} from './telemetry-reporter.js';
export {
  TransportLogRecordExporter,
  type TransportLogRecordExporterOptions,
} from './transport-log-record-exporter.js';
export {
  TransportSpanExporter,
  type TransportSpanExporterOptions,
} from './transport-span-exporter.js';
export type {
  AttributesLike,
  ExporterLike,
  ExportResultLike,
  HrTimeLike,
  InstrumentationScopeLike,
  LogRecordExporterLike,
  ReporterLogRecord,
  ReporterSpan,
  ResourceLike,
  SpanContextLike,
  SpanEventLike,
  SpanExporterLike,
  SpanLinkLike,
} from './types.js';
