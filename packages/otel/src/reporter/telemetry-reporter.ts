import type { BatchOptions, ReporterStats } from '@telemetry-reporter/core';
import type { TransportLogRecordExporterOptions } from '../exporters/transport-log-record-exporter.js';
import type { ReporterLogRecordProcessor } from '../processors/reporter-log-record-processor.js';
import type { ReporterLoggerProvider } from '../sdk/logger-types.js';
import type { ReporterSdk, ResourceObjectLike } from '../sdk/reporter-sdk.js';
import type { AttributesLike, LogRecordExporterLike } from '../sdk/sdk-types.js';

/**
 * A record's severity: a name, which maps to the first OpenTelemetry severity number of its range
 * (`'trace'` 1, `'debug'` 5, `'info'` 9, `'warn'` 13, `'error'` 17, `'fatal'` 21), or a severity
 * number 1-24 itself (`10` is `INFO2`).
 */
export type TelemetrySeverity = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | number;

/** Options of {@link createTelemetryReporter} besides where records go. */
export interface TelemetryReporterBaseOptions extends BatchOptions {
  /**
   * `service.name` of the resource every record carries; wins over `resource` and over
   * `OTEL_SERVICE_NAME`. A non-empty string.
   * @default `OTEL_SERVICE_NAME`, else the SDK's default (`unknown_service:node`)
   */
  serviceName?: string;
  /**
   * The resource every record carries. Plain attributes (`{ 'deployment.environment.name':
   * 'prod' }`) are merged over the SDK's default resource (`service.name`, `telemetry.sdk.*`); an
   * OpenTelemetry `Resource` (from `resourceFromAttributes()` or `detectResources()`) is used in
   * its place. As in `NodeSDK`, `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME` are merged
   * over either, and `serviceName` over all.
   * @default the SDK's default resource
   */
  resource?: AttributesLike | ResourceObjectLike;
  /**
   * The instrumentation scope (logger name) of the records `log` and `logException` emit.
   * A non-empty string.
   * @default '@telemetry-reporter/otel'
   */
  loggerName?: string;
  /**
   * The OpenTelemetry SDK to build the provider with: `{ logs, resources }`, the
   * `@opentelemetry/sdk-logs` and `@opentelemetry/resources` modules of either SDK line. Pass them
   * when this package cannot resolve the SDK (a bundled app), or to use the very copies your app
   * imported (on SDK 3, `require` loads the CommonJS build beside your ESM one).
   * @default loaded with `require` on the first call: the app's `@opentelemetry/sdk-logs` (an
   * optional peer dependency, 0.2xx or 3.x) and the `@opentelemetry/resources` it depends on
   */
  sdk?: ReporterSdk;
}

/**
 * Options of {@link createTelemetryReporter}: exactly one of `transport` (with an optional
 * `encoder`, `retry` and `spool`, through a `TransportLogRecordExporter`) or `exporter`, plus the
 * processor's batching options and the provider's resource.
 */
export type TelemetryReporterOptions<Payload = string> = TelemetryReporterBaseOptions &
  (
    | (TransportLogRecordExporterOptions<Payload> & { exporter?: undefined })
    | {
        /**
         * Any OpenTelemetry log record exporter (OTLP, console, a vendor's) instead of a
         * `transport`; it encodes and retries on its own terms.
         */
        exporter: LogRecordExporterLike;
        transport?: undefined;
        encoder?: undefined;
        retry?: undefined;
        spool?: undefined;
      }
  );

/**
 * Reports events and exceptions through an OpenTelemetry `LoggerProvider` whose only processor is
 * a {@link ReporterLogRecordProcessor}. Its methods are bound: `const { log } = reporter` works.
 */
export interface TelemetryReporter {
  /**
   * Emits an event record: `name` becomes its `eventName`, `data` its body, `metadata` its
   * attributes. Never throws and never awaits; `data` is read when the record is exported, so do
   * not mutate it afterwards. A record that cannot be built (a throwing getter in `metadata`) is
   * counted as `encoding_failed`; after `stop()`, as `already_shutdown`.
   */
  log(name: string, severity: TelemetrySeverity, data?: unknown, metadata?: AttributesLike): void;
  /**
   * Emits an `exception` event: attributes `exception.type`, `exception.message` and
   * `exception.stacktrace` (with each `cause`, `Caused by: ...`, as Java prints them) per
   * OpenTelemetry's semantic conventions, `metadata` merged over them, and an
   * `ExceptionBody` as body. Built from plain strings: an error with a circular property
   * or a throwing getter still ships. Never throws, never awaits.
   */
  logException(error: unknown, severity?: TelemetrySeverity, metadata?: AttributesLike): void;
  /**
   * Exports every record logged before the call, partial batches at once. Resolves `true` when all
   * of them are exported or dropped (and counted), `false` when `timeoutMillis` passes first;
   * nothing is lost then, it is exported later. Rejects only with a `TypeError` for a bad
   * `timeoutMillis`.
   */
  flush(timeoutMillis?: number): Promise<boolean>;
  /**
   * Resolves `true` once nothing is queued or in flight, also counting records logged after the
   * call (a steady stream keeps it waiting), or `false` when `timeoutMillis` passes first.
   * Exports partial batches at once, as `flush` does.
   */
  waitUntilDrained(timeoutMillis?: number): Promise<boolean>;
  /**
   * Shuts the provider down: stops accepting records, exports what is queued within
   * `timeoutMillis` (default `shutdownTimeoutMillis`), counts what is left as `shutdown_timeout`,
   * then shuts the transport or exporter down. Resolves `true` when nothing was left, `false`
   * otherwise; never rejects, except with a `TypeError` for a bad `timeoutMillis`. Idempotent:
   * later calls return the first call's promise.
   */
  stop(timeoutMillis?: number): Promise<boolean>;
  /** The processor's counters; `unaccountedRecords(stats())` is always 0. */
  stats(): ReporterStats;
  /**
   * The SDK `LoggerProvider` the reporter emits through; other code may log through it too.
   * Shut it down with `stop()`.
   */
  readonly loggerProvider: ReporterLoggerProvider;
  /** The provider's only processor. */
  readonly processor: ReporterLogRecordProcessor;
}
