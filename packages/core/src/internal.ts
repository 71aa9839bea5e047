// '@telemetry-reporter/core/internal': building blocks the sibling packages share with core.
// Not part of the public contract: no semver promise, no API docs. Users import the package root.

export { ByteSink } from './encoding/byte-sink.js';
export { type Fragment, fragment, putFragment, writeFragment } from './encoding/fragment.js';
export { InternCache } from './encoding/intern-cache.js';
export {
  createJsonArrayBytesEncoder,
  createJsonArrayEncoder,
  type RecordJsonWriter,
} from './encoding/json-array-encoder.js';
export {
  tryWriteNanosMember,
  writeJsonNumber,
  writeNanosMember,
} from './encoding/json-number.js';
export { writeJsonString, writeText } from './encoding/json-string.js';
export {
  ascii,
  writeByte,
  writeIntegerBetween,
  writeMember,
  writeRawJson,
  writeStringBetween,
} from './encoding/json-writes.js';
export { PayloadPool } from './encoding/payload-pool.js';
export { RingBuffer } from './engine/ring-buffer.js';
export { SEVERITY_CLASSES, SeverityQueue, severityClass } from './engine/severity-queue.js';
export { zeroDropCounts } from './stats/drop-reason.js';
export { abortableSleep } from './support/abortable-sleep.js';
export {
  type DiagnosticLogger,
  prefixedLogger,
  safeLogger,
  silentLogger,
} from './support/diagnostic-logger.js';
export { nextTurn } from './support/event-loop-turns.js';
export {
  booleanOption,
  byteLimitOption,
  describeValue,
  functionOption,
  integerOption,
  MAX_TIMER_MILLIS,
  millisOption,
  oneOf,
  stringOption,
  timeoutMillisError,
  withoutUndefined,
} from './support/option-checks.js';
export { safeRead } from './support/safe-read.js';
export { Throttle, WARNING_INTERVAL_MILLIS } from './support/throttle.js';
export {
  KeepAlive,
  resolveFalseAfter,
  type TimerHandle,
  unrefTimeout,
} from './support/timers.js';
