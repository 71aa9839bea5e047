export { BatchEngine } from './batch-engine.js';
export {
  BATCH_DEFAULTS,
  type BatchOptions,
  describeValue,
  integerOption,
  MAX_TIMER_MILLIS,
  millisOption,
  OVERFLOW_POLICIES,
  type OverflowPolicy,
  oneOf,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from './engine-options.js';
export type {
  BatchEngineOptions,
  EngineObserver,
  ExportBatchContext,
  ExportBatchFn,
} from './engine-types.js';
export {
  isPayloadTooLargeError,
  isPermanentError,
  isRetryableError,
} from './error-classification.js';
export {
  ExportAbortedError,
  type ExportDeadline,
  PayloadTooLargeError,
  PermanentError,
  type PermanentErrorCode,
  type PermanentErrorOptions,
  RetryableError,
  type RetryableErrorOptions,
} from './errors.js';
export { createJsonEncoder, type JsonEncoderOptions } from './json-encoder.js';
export {
  RETRY_DEFAULTS,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryDelayMillis,
} from './retry-policy.js';
export { RingBuffer } from './ring-buffer.js';
export { SEVERITY_CLASSES, SeverityQueue } from './severity-queue.js';
export { totalDropped, unaccountedRecords } from './stats.js';
export { TransportDelivery, type TransportDeliveryOptions } from './transport-delivery.js';
export {
  type DiagnosticLogger,
  DROP_REASONS,
  type DropReason,
  type EncodedBatch,
  type Encoder,
  type RecordOutcome,
  type ReporterStats,
  SEVERITY_RANGES,
  type SendContext,
  type SeverityRange,
  severityRangeOf,
  type Transport,
} from './types.js';
