// The public contract of @telemetry-reporter/core. Building blocks shared with the sibling
// packages (option checks, queues, throttles) live behind '@telemetry-reporter/core/internal'.

export {
  isPayloadTooLargeError,
  isPermanentError,
  isRetryableError,
} from './delivery/error-classification.js';
export {
  PayloadTooLargeError,
  PermanentError,
  type PermanentErrorCode,
  type PermanentErrorOptions,
  RetryableError,
  type RetryableErrorOptions,
} from './delivery/errors.js';
export {
  createJsonEncoder,
  type JsonEncoderOptions,
  RecordTooLargeError,
} from './delivery/json-encoder.js';
export {
  RETRY_DEFAULTS,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryDelayMillis,
} from './delivery/retry-policy.js';
export { SPOOL_MODES, type SpoolMode } from './delivery/spool-keeper.js';
export type {
  EncodedBatch,
  EncodeOptions,
  Encoder,
  PayloadBuilder,
  SendContext,
  Transport,
} from './delivery/transport.js';
export {
  DELIVERY_DEFAULTS,
  TransportDelivery,
  type TransportDeliveryOptions,
} from './delivery/transport-delivery.js';
export { BatchEngine } from './engine/batch-engine.js';
export {
  BATCH_DEFAULTS,
  type BatchOptions,
  OVERFLOW_POLICIES,
  type OverflowPolicy,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from './engine/batch-options.js';
export type {
  BatchEngineOptions,
  EngineObserver,
  ExportBatchContext,
  ExportBatchFn,
} from './engine/engine-types.js';
export {
  ExportAbortedError,
  type ExportAbortReason,
  type ExportDeadline,
} from './engine/export-aborted-error.js';
export { createFileSpool } from './spool/file-spool.js';
export { SPOOL_WRITE_FAILURE_REASONS } from './spool/spool-counters.js';
export { FILE_SPOOL_DEFAULTS, type FileSpoolOptions } from './spool/spool-options.js';
export type {
  FileSpool,
  SpoolBatchInput,
  SpoolCount,
  SpoolDirent,
  SpooledBatch,
  SpoolFileHandle,
  SpoolFileSystem,
  SpoolLease,
  SpoolLeasedWriteResult,
  SpoolLogger,
  SpoolStats,
  SpoolTally,
  SpoolWriteFailureReason,
  SpoolWriteResult,
} from './spool/spool-types.js';
export {
  DROP_REASONS,
  type DropReason,
  type RecordOutcome,
} from './stats/drop-reason.js';
export {
  type ReporterStats,
  totalDropped,
  unaccountedRecords,
} from './stats/reporter-stats.js';
export {
  SEVERITY_RANGES,
  type SeverityRange,
  severityRangeOf,
} from './stats/severity-range.js';
export type { SpoolSummary } from './stats/spool-summary.js';
export type { DiagnosticLogger } from './support/diagnostic-logger.js';
export { MAX_TIMER_MILLIS } from './support/option-checks.js';
