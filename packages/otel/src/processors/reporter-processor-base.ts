import {
  BatchEngine,
  type BatchOptions,
  type ReporterStats,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from '@telemetry-reporter/core';
import { describeValue, prefixedLogger } from '@telemetry-reporter/core/internal';
import type { EnvSignal } from '../environment/env-config.js';
import { isBatchAware } from '../exporters/export-protocol.js';
import { diagLogger } from '../internal/diag-logger.js';
import type { ExporterLike, ResourceLike } from '../sdk/sdk-types.js';
import type { MeterProviderLike } from '../self-metrics/meter-types.js';
import { SelfMetrics } from '../self-metrics/self-metrics.js';
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
  const meterProvider: unknown = options.meterProvider;
  // The environment is asked only when the code gave no provider.
  if (
    meterProvider !== undefined &&
    typeof (meterProvider as Partial<MeterProviderLike> | null)?.getMeter !== 'function'
  ) {
    throw new TypeError(
      `meterProvider must be an OpenTelemetry MeterProvider, got ${describeValue(meterProvider)}`,
    );
  }
  const metrics =
    (meterProvider as MeterProviderLike | undefined) ?? (metricsFromEnv() ? 'global' : undefined);
  return { exporter, options: resolved, metrics };
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
 */
export abstract class ReporterProcessorBase<T extends { readonly resource: ResourceLike }> {
  readonly #name: string;
  readonly #engine: BatchEngine<T>;
  readonly #exporter: ExporterLike<T>;

  protected constructor(profile: ProcessorProfile<T>, settings: ResolvedProcessorSettings<T>) {
    const { name } = profile;
    const { exporter, options } = settings;
    this.#name = name;
    this.#exporter = exporter;
    const selfMetrics =
      settings.metrics === undefined
        ? undefined
        : new SelfMetrics(
            profile.signal === 'logs' ? 'log' : 'span',
            settings.metrics === 'global' ? undefined : settings.metrics,
            { capacity: options.maxQueueSize, size: () => this.#engine.stats().queued },
            isBatchAware(exporter),
          );
    this.#engine = new BatchEngine<T>({
      ...options,
      name,
      logger: diagLogger,
      severityOf: profile.severityOf,
      sizeOf: profile.sizeOf,
      exportBatch: bridgeExporter(exporter, name),
      onShutdown: () => {
        selfMetrics?.shutdown();
        return exporter.shutdown();
      },
      ...(selfMetrics === undefined ? {} : { observer: selfMetrics.observer }),
    });
    const engine = this.#engine;
    const control: ProcessorControl = {
      flush: (timeoutMillis) => this.#flush(timeoutMillis),
      shutdown: (timeoutMillis) => engine.shutdown(timeoutMillis),
      get accepting() {
        return engine.accepting;
      },
      pending: () => {
        const { queued, inFlight } = engine.stats();
        return queued + inFlight;
      },
    };
    registerProcessor(this, control);
  }

  /** The options in effect, defaults applied. */
  get options(): ResolvedBatchOptions {
    return this.#engine.options;
  }

  /**
   * Resolves when every record received before the call is exported or dropped, or when
   * `timeoutMillis` passes (records still pending are exported later, not lost). Never rejects.
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

  /** Stops accepting records, drains the queue and shuts the exporter down, within the deadline. */
  shutdown(): Promise<void> {
    return this.#engine.shutdown();
  }

  /** The counters: received, exported, queued, in flight, retries and drops by reason. */
  stats(): ReporterStats {
    return this.#engine.stats();
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

  /**
   * Waits for the engine (bounded by `timeoutMillis` when given); when it completed, flushes the
   * exporter's own buffer too, a failure of which is warned about, not thrown. Resolves whether
   * the engine completed; rejects only with the engine's `TypeError` for a bad `timeoutMillis`.
   */
  async #flush(timeoutMillis: number | undefined): Promise<boolean> {
    const done = await this.#engine.flush(timeoutMillis);
    if (done) {
      try {
        await this.#exporter.forceFlush?.();
      } catch (error) {
        diagLogger.warn(`${this.#name}: exporter forceFlush failed`, error);
      }
    }
    return done;
  }
}
