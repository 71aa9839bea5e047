import type { ReporterStats } from '@telemetry-reporter/core';
import { describeValue, timeoutMillisError } from '@telemetry-reporter/core/internal';
import { diagLogger } from '../internal/diag-logger.js';
import { controlOf, type ProcessorControl } from '../processors/processor-registry.js';
import type { ReporterLogRecordProcessor } from '../processors/reporter-log-record-processor.js';
import type { ReporterLogger, ReporterLoggerProvider } from '../sdk/logger-types.js';
import type { AttributesLike } from '../sdk/sdk-types.js';
import { describeException } from './exception-record.js';
import { severityFields } from './severity.js';
import type { TelemetryReporter } from './telemetry-reporter.js';

const NAME = 'TelemetryReporter';
const EXCEPTION_EVENT = 'exception';

/**
 * The {@link TelemetryReporter} `createTelemetryReporter` returns. Every record goes through the
 * SDK logger, so the provider and its processor see exactly what any Logs API user's records
 * would; the facade only shapes records and counts the ones the SDK never hands on.
 */
export class ReporterFacade implements TelemetryReporter {
  readonly loggerProvider: ReporterLoggerProvider;
  readonly processor: ReporterLogRecordProcessor;
  readonly #logger: ReporterLogger;
  readonly #control: ProcessorControl;
  #stopped: Promise<boolean> | undefined;

  constructor(
    loggerProvider: ReporterLoggerProvider,
    processor: ReporterLogRecordProcessor,
    loggerName: string,
  ) {
    const control = controlOf(processor);
    if (control === undefined) {
      throw new TypeError(
        `processor must be a ReporterLogRecordProcessor of this package, got ${describeValue(processor)}`,
      );
    }
    this.loggerProvider = loggerProvider;
    this.processor = processor;
    this.#control = control;
    this.#logger = loggerProvider.getLogger(loggerName);
  }

  readonly log: TelemetryReporter['log'] = (name, severity, data, metadata) => {
    try {
      if (!this.#accepting()) return;
      const { severityNumber, severityText } = severityFields(severity);
      this.#logger.emit({
        eventName: typeof name === 'string' ? name : String(name),
        severityNumber,
        severityText,
        body: data,
        attributes: attributesOf(metadata),
      });
    } catch (error) {
      this.#failed(error);
    }
  };

  readonly logException: TelemetryReporter['logException'] = (error, severity, metadata) => {
    try {
      if (!this.#accepting()) return;
      const { attributes, body } = describeException(error);
      const extra = attributesOf(metadata);
      // Metadata wins, as the SDK's own exception handling lets explicit attributes win.
      const merged = extra === undefined ? attributes : { ...attributes, ...extra };
      const { severityNumber, severityText } = severityFields(severity ?? 'error');
      this.#logger.emit({
        eventName: EXCEPTION_EVENT,
        severityNumber,
        severityText,
        body,
        attributes: merged,
      });
    } catch (failure) {
      this.#failed(failure);
    }
  };

  readonly flush: TelemetryReporter['flush'] = (timeoutMillis) =>
    this.#control.flush(timeoutMillis);

  readonly waitUntilDrained: TelemetryReporter['waitUntilDrained'] = async (timeoutMillis) => {
    const startedAt = Date.now();
    let remaining = timeoutMillis;
    for (;;) {
      // Each flush covers what was logged before it; loop until no newer record is left.
      if (!(await this.#control.flush(remaining))) return false;
      const { queued, inFlight } = this.processor.stats();
      if (queued + inFlight === 0) return true;
      if (timeoutMillis !== undefined) {
        remaining = timeoutMillis - (Date.now() - startedAt);
        if (remaining <= 0) return false;
      }
    }
  };

  readonly stop: TelemetryReporter['stop'] = (timeoutMillis) => {
    if (this.#stopped === undefined) {
      // Still running after a bad timeout: a corrected call can stop it.
      const badTimeout = timeoutMillisError(timeoutMillis);
      if (badTimeout !== undefined) return Promise.reject(badTimeout);
      this.#stopped = this.#stop(timeoutMillis);
    }
    return this.#stopped;
  };

  readonly stats: TelemetryReporter['stats'] = (): ReporterStats => this.processor.stats();

  async #stop(timeoutMillis: number | undefined): Promise<boolean> {
    const before = this.processor.stats().dropped.shutdown_timeout;
    // Whoever shut the provider down first (exit handlers, say) already started the drain.
    const providerRunning = this.#control.accepting;
    // Both start before the first await: a record logged right after stop() is refused.
    const drained = this.#control.shutdown(timeoutMillis);
    const provider = providerRunning ? this.loggerProvider.shutdown() : undefined;
    try {
      await Promise.all([drained, provider]);
    } catch (error) {
      diagLogger.warn(`${NAME}: provider shutdown failed`, error);
    }
    return this.processor.stats().dropped.shutdown_timeout === before;
  }

  /** After shutdown the SDK discards records silently; count them instead. */
  #accepting(): boolean {
    if (this.#control.accepting) return true;
    this.processor.countDropped('already_shutdown');
    return false;
  }

  /** The SDK could not build the record (a throwing getter, say): it never reached the queue. */
  #failed(error: unknown): void {
    this.processor.countDropped('encoding_failed');
    try {
      diagLogger.debug(`${NAME}: a record could not be built; dropped as encoding_failed`, error);
    } catch {
      // a throwing diag logger must not reach the caller either
    }
  }
}

function attributesOf(metadata: unknown): AttributesLike | undefined {
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as AttributesLike)
    : undefined;
}
