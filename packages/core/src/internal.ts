// '@telemetry-reporter/core/internal': building blocks the sibling packages share with core.
// Not part of the public contract: no semver promise, no API docs. Users import the package root.

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
