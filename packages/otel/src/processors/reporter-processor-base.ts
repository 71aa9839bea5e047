import type { DropReason } from '@telemetry-reporter/core';
import {
  BatchEngine,
  type BatchOptions,
  type ReporterStats,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from '@telemetry-reporter/core';
import {
  describeValue,
  prefixedLogger,
  resolveFalseAfter,
  timeoutMillisError,
} from '@telemetry-reporter/core/internal';
import type { EnvSignal } from '../environment/env-config.js';
import { isBatchAware, type SpoolAccess, spoolAccessOf } from '../exporters/export-protocol.js';
import { diagLogger } from '../internal/diag-logger.js';
import { dropReporter } from '../internal/drop-notice.js';
import {
  preloadGlobalErrorHandler,
  reportToGlobalErrorHandler,
} from '../internal/global-error-handler.js';
import type { ExporterLike, ResourceLike } from '../sdk/sdk-types.js';
import type { MeterProviderLike } from '../self-metrics/meter-types.js';
import { type MeasuredQueue, SelfMetrics } from '../self-metrics/self-metrics.js';
import { bridgeExporter } from './export-bridge.js';
import { type ProcessorControl, registerProcessor } from './processor-registry.js';

/** Options shared by both processors: the exporter, the batching tuning and self-metrics. */
export interface ReporterProcessorOptions<Exporter> extends BatchOptions {
  /** Where batches go: any OpenTelemetry exporter of the signal, or one of this package. */
  exporter: Exporter;
  /**
   * Where to record self-metrics (OpenTelemetry's semantic conventions for SDK metrics). With
   * `TELEMETRY_REPORTER_METRICS=true` and no provider here, the global MeterProvider is used.
   * @default none: no metrics
   */
  meterProvider?: MeterProviderLike;
  /**
   * The name OpenTelemetry's own batch processors give {@link meterProvider}: either works, so
   * that a configuration written for them keeps its metrics. Give one or the other.
   * @default none: no metrics
   */
  selfObsMeterProvider?: MeterProviderLike;
}

/** What sets a log record processor and a span processor apart. */
export interface ProcessorProfile<T> {
  /** Prefix of diagnostic messages. */
  readonly name: string;
  /** Which signal: names the self-metrics. */
  readonly signal: EnvSignal;
  /** OpenTelemetry severity number of a record (0 when none), for overflow. */
  severityOf(record: T): number;
  /** Estimated bytes of a record, for `maxQueueBytes`. */
  sizeOf(record: T): number;
}

/**
 * What a public constructor resolved from the code's options, the environment and the signal's
 * defaults: the base never reads the environment itself.
 */
export interface ResolvedProcessorSettings<T> {
  readonly exporter: ExporterLike<T>;
  readonly options: ResolvedBatchOptions;
  /** Self-metrics to this provider; `'global'` for the global one; `undefined` for none. */
  readonly metrics: MeterProviderLike | 'global' | undefined;
}

/**
 * Resolves a processor's settings: options given in code, then `fallback` (the environment and
 * the signal's defaults), then the engine's defaults. Throws a `TypeError` naming a bad option.
 */
export function resolveProcessorSettings<T>(
  name: string,
  options: ReporterProcessorOptions<unknown>,
  fallback: BatchOptions,
  metricsFromEnv: () => boolean,
): ResolvedProcessorSettings<T> {
  const exporter = checkExporter<T>(options?.exporter);
  const resolved = resolveBatchOptions(options, fallback, prefixedLogger(diagLogger, name));
  if (options.meterProvider !== undefined && options.selfObsMeterProvider !== undefined) {
    throw new TypeError(
      'meterProvider and selfObsMeterProvider name the same option; give one of them',
    );
  }
  const meterProvider: unknown =
    options.meterProvider !== undefined ? options.meterProvider : options.selfObsMeterProvider;
  // The environment is asked only when the code gave no provider.
  if (
    meterProvider !== undefined &&
    typeof (meterProvider as Partial<MeterProviderLike> | null)?.getMeter !== 'function'
  ) {
    const option = options.meterProvider === undefined ? 'selfObsMeterProvider' : 'meterProvider';
    throw new TypeError(
      `${option} must be an OpenTelemetry MeterProvider, got ${describeValue(meterProvider)}`,
    );
  }
  const metrics =
    (meterProvider as MeterProviderLike | undefined) ?? (metricsFromEnv() ? 'global' : undefined);
  return { exporter, options: resolved, metrics };
}

/**
 * The options of either constructor form: `(options)`, or `(exporter, config)` as older SDKs
 * took it. An exporter is told apart by its `export` method; options have none.
 */
export function optionsOf<Options extends { exporter: unknown }>(
  first: Options | Options['exporter'],
  config: Omit<Options, 'exporter'> | undefined,
): Options {
  const isExporter =
    typeof first === 'object' &&
    first !== null &&
    typeof (first as { export?: unknown }).export === 'function';
  if (!isExporter) return first as Options;
  if (config !== undefined && (typeof config !== 'object' || config === null)) {
    throw new TypeError(`config must be an object, got ${describeValue(config)}`);
  }
  return { ...config, exporter: first } as Options;
}

function checkExporter<T>(exporter: unknown): ExporterLike<T> {
  const candidate = exporter as Partial<ExporterLike<T>> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.export !== 'function' ||
    typeof candidate.shutdown !== 'function'
  ) {
    throw new TypeError(
      `exporter must be an OpenTelemetry exporter with export() and shutdown(), got ${describeValue(exporter)}`,
    );
  }
  return candidate as ExporterLike<T>;
}

/**
 * What both processors share: the engine, the exporter, the options, `forceFlush`, `shutdown`,
 * `stats` and `countDropped`. A subclass adds only how records arrive (`onEmit`, or `onStart` and
 * `onEnd`), each an O(1) call to {@link ReporterProcessorBase.offer}.
 *
 * As OpenTelemetry's batch processors do, a flush or a shutdown that has exports to wait for also
 * calls the exporter's own `forceFlush()`, once per export it starts and once for exports already
 * in flight, so that an exporter that completes exports on its flush completes them now; with
 * nothing queued or in flight the exporter is left alone. Every failed export (rejected,
 * retries exhausted, timed out) is handed to OpenTelemetry's global error handler, once.
 */
export abstract class ReporterProcessorBase<T extends { readonly resource: ResourceLike }> {
  readonly #name: string;
  readonly #engine: BatchEngine<T>;
  readonly #exporter: ExporterLike<T>;
  readonly #spool: SpoolAccess<T> | undefined;
  /** Flushes in progress (and the shutdown's drain, for good): their exports flush the exporter. */
  #flushing = 0;
  /** The exporter's forceFlush() calls started by the flushes in progress. */
  #exporterFlushes: Promise<void>[] = [];
  #shutdown: Promise<void> | undefined;

  protected constructor(profile: ProcessorProfile<T>, settings: ResolvedProcessorSettings<T>) {
    const { name } = profile;
    const { exporter, options } = settings;
    this.#name = name;
    this.#exporter = exporter;
    preloadGlobalErrorHandler();
    const spool = spoolAccessOf<T>(exporter);
    this.#spool = spool;
    const measured: MeasuredQueue = {
      capacity: options.maxQueueSize,
      size: () => this.#engine.stats().queued,
      ...(spool === undefined
        ? {}
        : {
            spool: {
              records: () => this.#engine.stats().spooled,
              bytes: () => spool.summary()?.bytes ?? 0,
            },
          }),
    };
    const selfMetrics =
      settings.metrics === undefined
        ? undefined
        : new SelfMetrics(
            profile.signal === 'logs' ? 'log' : 'span',
            settings.metrics === 'global' ? undefined : settings.metrics,
            measured,
            isBatchAware(exporter),
          );
    const exportBatch = bridgeExporter(exporter, name);
    this.#engine = new BatchEngine<T>({
      ...options,
      name,
      logger: diagLogger,
      severityOf: profile.severityOf,
      sizeOf: profile.sizeOf,
      exportBatch: (batch, context) => {
        const result = exportBatch(batch, context);
        if (this.#flushing > 0) this.#flushExporter();
        return result;
      },
      onExportFailure: (failure, error) => reportToGlobalErrorHandler(exportError(failure, error)),
      onDropWarning: dropReporter(name),
      onShutdown: async () => {
        // The exports of the drain asked the exporter to flush: let it finish, then stop it.
        await this.#exporterFlushed();
        selfMetrics?.shutdown();
        await exporter.shutdown();
      },
      ...(selfMetrics === undefined ? {} : { observer: selfMetrics.observer }),
      // With a spool, what is still queued at the shutdown deadline is written to it, and what
      // is still being written when the deadline ends the shutdown is no longer counted spooled.
      ...(spool === undefined
        ? {}
        : { spillQueued: spool.spill, abandonSpoolWrites: () => spool.abandonWrites?.() }),
    });
    const engine = this.#engine;
    const control: ProcessorControl = {
      flush: (timeoutMillis) => this.#flush(timeoutMillis),
      shutdown: (timeoutMillis) => this.#shutdownWithin(timeoutMillis),
      get accepting() {
        return engine.accepting;
      },
      pending: () => {
        const { queued, inFlight } = engine.stats();
        return queued + inFlight;
      },
      shutdownTimeoutMillis: options.shutdownTimeoutMillis,
    };
    registerProcessor(this, control);
  }

  /** The options in effect, defaults applied. */
  get options(): ResolvedBatchOptions {
    return this.#engine.options;
  }

  /**
   * Resolves when every record received before the call is exported or dropped and the
   * exporter's own `forceFlush()` has returned, or when `timeoutMillis` passes, whichever is
   * first (records still pending are exported later, not lost). Never rejects.
   */
  async forceFlush(options?: { timeoutMillis?: number }): Promise<void> {
    const timeoutMillis = options?.timeoutMillis;
    let done: boolean;
    try {
      done = await this.#flush(timeoutMillis);
    } catch (error) {
      diagLogger.warn(`${this.#name}: forceFlush failed`, error);
      return;
    }
    if (!done) {
      const { queued, inFlight } = this.#engine.stats();
      diagLogger.warn(
        `${this.#name}: forceFlush timed out after ${timeoutMillis} ms; ${queued + inFlight} records still pending will be exported later`,
      );
    }
  }

  /**
   * Stops accepting records, drains the queue, flushes and shuts the exporter down, all within
   * `shutdownTimeoutMillis`. Idempotent; never rejects.
   */
  shutdown(): Promise<void> {
    return this.#shutdownWithin(undefined);
  }

  /**
   * The counters: received, exported, queued, in flight, spooled, retries and drops by reason;
   * with a spool, also what the spool holds and replayed.
   */
  stats(): ReporterStats {
    const stats = this.#engine.stats();
    const spool = this.#spool?.summary();
    return spool === undefined ? stats : { ...stats, spool };
  }

  /**
   * Counts `count` records that never reached the processor because the code building them
   * failed (`encoding_failed`, e.g. a mapping function threw) or knew the provider was shut down
   * (`already_shutdown`), so that `stats()` accounts for them: `received` and the reason both
   * grow. For adapters that build records themselves; O(1), never throws.
   */
  countDropped(reason: 'encoding_failed' | 'already_shutdown', count = 1): void {
    this.#engine.countDropped(reason, count);
  }

  /** Queues a record: O(1), never throws. The hot path of `onEmit` / `onEnd`. */
  protected offer(record: T): void {
    this.#engine.offer(record);
  }

  #shutdownWithin(timeoutMillis: number | undefined): Promise<void> {
    if (this.#shutdown === undefined) {
      const badTimeout = timeoutMillisError(timeoutMillis);
      if (badTimeout !== undefined) return Promise.reject(badTimeout);
      this.#flushing++; // for good: the drain's exports flush the exporter too
      this.#shutdown = this.#engine.shutdown(timeoutMillis);
    }
    return this.#shutdown;
  }

  /**
   * Waits for the engine and for the exporter's own flush, all within `timeoutMillis` when given
   * (else within `exportTimeoutMillis` for the exporter's part, so that a hung exporter cannot
   * hang the flush). Resolves whether everything completed in time; rejects only with a
   * `TypeError` for a bad `timeoutMillis`.
   */
  async #flush(timeoutMillis: number | undefined): Promise<boolean> {
    const badTimeout = timeoutMillisError(timeoutMillis);
    if (badTimeout !== undefined) throw badTimeout;
    const startedAt = Date.now();
    const { queued, inFlight } = this.#engine.stats();
    if (queued + inFlight === 0) return this.#engine.flush(timeoutMillis);
    this.#flushing++;
    try {
      // Exports already in flight: an exporter that completes them on its flush does so now.
      if (inFlight > 0) this.#flushExporter();
      if (!(await this.#engine.flush(timeoutMillis))) return false;
      const left =
        timeoutMillis === undefined
          ? this.#engine.options.exportTimeoutMillis
          : timeoutMillis - (Date.now() - startedAt);
      if (left <= 0) return false;
      const exporterDone = this.#exporterFlushed().then(() => true);
      return (await resolveFalseAfter(exporterDone, left)) || timeoutMillis === undefined;
    } finally {
      this.#flushing--;
    }
  }

  /** Asks the exporter to flush (it may complete pending exports); a failure is warned about. */
  #flushExporter(): void {
    const flush = this.#exporter.forceFlush;
    if (flush === undefined) return;
    let result: Promise<void>;
    try {
      result = Promise.resolve(flush.call(this.#exporter));
    } catch (error) {
      result = Promise.reject(error);
    }
    this.#exporterFlushes.push(
      result.then(undefined, (error: unknown) => {
        diagLogger.warn(`${this.#name}: exporter forceFlush failed`, error);
      }),
    );
  }

  /** Resolves once every exporter flush started so far has returned. Never rejects. */
  async #exporterFlushed(): Promise<void> {
    while (this.#exporterFlushes.length > 0) {
      const started = this.#exporterFlushes;
      this.#exporterFlushes = [];
      await Promise.all(started);
    }
  }
}

/**
 * The error a failed export hands to the global error handler: the exporter's own when it gave
 * one, `Error('Timeout')` at the export deadline (as OpenTelemetry's processors report it), else
 * an error naming the drop reason.
 */
function exportError(failure: DropReason, error: unknown): unknown {
  if (failure === 'export_timeout') return new Error('Timeout', { cause: error });
  if (error instanceof Error) return error;
  return new Error(`export failed: ${failure}`);
}
