// The public contract of @telemetry-reporter/otel, by concern: the processors, the transport
// exporters, the reporter facade, the diagnostics_channel adapter, setup (environment, register,
// exit handling), and the structural SDK types they read. docs/architecture.md is the map.
export {
  BATCH_DEFAULTS,
  type BatchOptions,
  createFileSpool,
  createJsonEncoder,
  DROP_REASONS,
  type DropReason,
  type EncodedBatch,
  type Encoder,
  ExportAbortedError,
  FILE_SPOOL_DEFAULTS,
  type FileSpool,
  type FileSpoolOptions,
  type JsonEncoderOptions,
  type OverflowPolicy,
  PermanentError,
  RETRY_DEFAULTS,
  type ReporterStats,
  RetryableError,
  type RetryOptions,
  type SendContext,
  type SeverityRange,
  SPOOL_MODES,
  type SpoolMode,
  type SpoolStats,
  type SpoolSummary,
  type Transport,
  totalDropped,
  unaccountedRecords,
} from '@telemetry-reporter/core';
// node:diagnostics_channel
export {
  type DiagnosticsChannelMap,
  type DropCounter,
  type ForwardDiagnosticsChannelsBaseOptions,
  type ForwardDiagnosticsChannelsOptions,
  forwardDiagnosticsChannels,
  type UnsubscribeDiagnosticsChannels,
} from './diagnostics-channel/forward-diagnostics-channels.js';
// Setup: the environment, configureFromEnvironment (what `register` runs), exit handling
export {
  batchOptionsFromEnv,
  type Environment,
  type EnvSignal,
  type EnvVariable,
  maxAttemptsFromEnv,
  PROCESSOR_ENV_VARIABLES,
} from './environment/env-config.js';
// Exporters
export { type LogRecordJson, logRecordToJson } from './exporters/log-record-json.js';
export { type SpanJson, spanToJson } from './exporters/span-json.js';
export type {
  TransportExporterBaseOptions,
  TransportExporterOptions,
} from './exporters/transport-exporter-options.js';
export {
  TransportLogRecordExporter,
  type TransportLogRecordExporterOptions,
} from './exporters/transport-log-record-exporter.js';
export {
  TransportSpanExporter,
  type TransportSpanExporterOptions,
} from './exporters/transport-span-exporter.js';
// Processors
export { estimateLogRecordBytes, estimateSpanBytes } from './processors/record-size.js';
export {
  ReporterLogRecordProcessor,
  type ReporterLogRecordProcessorOptions,
} from './processors/reporter-log-record-processor.js';
export type { ReporterProcessorOptions } from './processors/reporter-processor-base.js';
export {
  ReporterSpanProcessor,
  type ReporterSpanProcessorOptions,
} from './processors/reporter-span-processor.js';
// The reporter facade
export { createTelemetryReporter } from './reporter/create-telemetry-reporter.js';
export type { ExceptionBody, ExceptionCause } from './reporter/exception-body.js';
export type {
  TelemetryReporter,
  TelemetryReporterBaseOptions,
  TelemetryReporterOptions,
  TelemetrySeverity,
} from './reporter/telemetry-reporter.js';
// The structural SDK types the package reads (both SDK lines satisfy them)
export type {
  LoggerLike,
  LogRecordLike,
  ReporterLogger,
  ReporterLoggerProvider,
  TimeInputLike,
} from './sdk/logger-types.js';
export {
  type LoggerProviderClass,
  type ReporterSdk,
  type ResourceObjectLike,
  SdkLoadError,
} from './sdk/reporter-sdk.js';
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
} from './sdk/sdk-types.js';
export type {
  MeterLike,
  MeterProviderLike,
  MetricAttributesLike,
  MetricSignal,
  ObservableCallbackLike,
} from './self-metrics/meter-types.js';
export {
  type ConfiguredTelemetry,
  type ConfigureOptions,
  configureFromEnvironment,
  EXPORTER_CHOICES,
  type ExporterChoice,
} from './setup/configure-from-environment.js';
export {
  type ExitHandlerOptions,
  type FlushableProvider,
  installExitHandlers,
  type UninstallExitHandlers,
} from './setup/exit-handlers.js';
export { getRegisteredTelemetry } from './setup/registered-telemetry.js';
