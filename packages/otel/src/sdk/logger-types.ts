// Structural views of the OpenTelemetry Logs API (`@opentelemetry/api-logs` 0.2xx on SDK 2,
// the logs API inside `@opentelemetry/api` 1.10 on SDK 3). Both lines' loggers and providers
// satisfy them; nothing is imported, so this package depends on neither.
import type { AttributesLike, HrTimeLike } from './sdk-types.js';

/** A time as the Logs API takes it: `[seconds, nanoseconds]`, epoch milliseconds, or a `Date`. */
export type TimeInputLike = HrTimeLike | number | Date;

/** The record `Logger.emit()` takes (the Logs API's `LogRecord`). */
export interface LogRecordLike {
  /** The event name, for event records. */
  readonly eventName?: string;
  /** When the event happened; the SDK uses the current time when left out. */
  readonly timestamp?: TimeInputLike;
  /** When the event was observed; the SDK uses the current time when left out. */
  readonly observedTimestamp?: TimeInputLike;
  /** OpenTelemetry severity number: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL. */
  readonly severityNumber?: number;
  /** Severity as the source spells it. */
  readonly severityText?: string;
  /** The body: a string or any JSON-like value. */
  readonly body?: unknown;
  /** Attributes; the SDK drops a value that is not a valid `AnyValue` (with a `diag` warning). */
  readonly attributes?: AttributesLike;
  /** The context whose span the record belongs to; the SDK uses the active context otherwise. */
  readonly context?: unknown;
}

/** Any OpenTelemetry Logs API logger: what `forwardDiagnosticsChannels` emits records through. */
export interface LoggerLike {
  /** Emits a record; the SDK hands it to every processor of its provider. */
  emit(logRecord: LogRecordLike): void;
}

/** A logger of the SDK's `LoggerProvider`, as both SDK lines shape it. */
export interface ReporterLogger extends LoggerLike {
  /** Whether a record with these properties would be processed at all. */
  enabled(options?: {
    readonly context?: unknown;
    readonly severityNumber?: number;
    readonly eventName?: string;
  }): boolean;
}

/** The SDK's `LoggerProvider` (sdk-logs 0.2xx or 3.x), as the reporter uses and exposes it. */
export interface ReporterLoggerProvider {
  /** A logger of the instrumentation scope `name`. */
  getLogger(
    name: string,
    version?: string,
    options?: { readonly schemaUrl?: string; readonly attributes?: AttributesLike },
  ): ReporterLogger;
  /** Flushes every processor of the provider. */
  forceFlush(): Promise<void>;
  /** Shuts every processor of the provider down; loggers then discard what they are given. */
  shutdown(): Promise<void>;
}
