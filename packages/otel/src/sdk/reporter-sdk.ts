import type { ReporterLoggerProvider } from './logger-types.js';
import type { AttributesLike, ResourceLike } from './sdk-types.js';

/** An OpenTelemetry `Resource` (`@opentelemetry/resources` 2.x or 3.x), as the reporter uses it. */
export interface ResourceObjectLike extends ResourceLike {
  /** A resource with the attributes of both; `other`'s win. */
  merge(other: ResourceObjectLike | null): ResourceObjectLike;
}

/**
 * The SDK's `LoggerProvider` class. Its constructor options differ between the SDK lines, so the
 * type only checks what instances look like; the reporter passes `{ resource, processors }`.
 */
export type LoggerProviderClass = new (config: never) => ReporterLoggerProvider;

/**
 * The parts of the OpenTelemetry SDK that `createTelemetryReporter` builds its provider from:
 * the `@opentelemetry/sdk-logs` module and the `@opentelemetry/resources` module it uses, of
 * either SDK line. Pass `{ logs, resources }` from `import * as logs from '@opentelemetry/sdk-logs'`
 * and `import * as resources from '@opentelemetry/resources'`.
 */
export interface ReporterSdk {
  /** `@opentelemetry/sdk-logs` 0.2xx (SDK 2) or 3.x (SDK 3). */
  readonly logs: { readonly LoggerProvider: LoggerProviderClass };
  /** `@opentelemetry/resources` of the same line (2.x or 3.x). */
  readonly resources: {
    /** The SDK's default resource: `service.name`, `telemetry.sdk.*`. */
    defaultResource(): ResourceObjectLike;
    /** A resource with exactly these attributes. */
    resourceFromAttributes(attributes: AttributesLike): ResourceObjectLike;
    /** Runs resource detectors; the reporter runs only `envDetector`. */
    detectResources(config?: { detectors?: unknown[] }): ResourceObjectLike;
    /** Reads `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME`. */
    readonly envDetector: unknown;
  };
}

/**
 * `createTelemetryReporter` could not load the OpenTelemetry SDK: `@opentelemetry/sdk-logs` is
 * not installed where this package can resolve it (a bundled app, say), or is not a line this
 * package supports. Install it, or pass the SDK modules as the `sdk` option.
 */
export class SdkLoadError extends Error {
  /** Stable identifier for programmatic checks. */
  readonly code: 'TR_SDK_LOAD_FAILED' = 'TR_SDK_LOAD_FAILED';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SdkLoadError';
  }
}
