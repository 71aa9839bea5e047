import {
  BatchEngine,
  type BatchOptions,
  describeValue,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from '@telemetry-reporter/core';
import { batchOptionsFromEnv, booleanFromEnv, type EnvSignal } from '../env-config.js';
import { type MeterProviderLike, SelfMetrics } from '../self-metrics.js';
import type { ExporterLike, ResourceLike } from '../types.js';
import { diagLogger } from './diag-logger.js';
import { bridgeExporter } from './export-bridge.js';
import { isBatchAware } from './export-protocol.js';

/** Validates the exporter option of a processor. */
export function checkExporter<T>(exporter: unknown): ExporterLike<T> {
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

/** What sets a log record processor and a span processor apart. */
export interface ProcessorProfile<T> {
  /** Prefix of diagnostic messages. */
  readonly name: string;
  /** Which environment variables apply (`OTEL_BLRP_*` or `OTEL_BSP_*`). */
  readonly signal: EnvSignal;
  /** Defaults that differ from the engine's. */
  readonly defaults: BatchOptions;
  /** OpenTelemetry severity number of a record (0 when none), for overflow. */
  severityOf(record: T): number;
  /** Estimated bytes of a record, for `maxQueueBytes`. */
  sizeOf(record: T): number;
}

/**
 * Builds the engine behind a processor, with diag as the logger. Precedence: options given in
 * code, then the environment, then the profile's defaults, then the engine's.
 */
export function createProcessorEngine<T extends { readonly resource: ResourceLike }>(
  profile: ProcessorProfile<T>,
  exporter: ExporterLike<T>,
  options: BatchOptions & { meterProvider?: MeterProviderLike },
): BatchEngine<T> {
  const { name } = profile;
  const fallback = { ...profile.defaults, ...batchOptionsFromEnv(profile.signal) };
  const resolved: ResolvedBatchOptions = resolveBatchOptions(options, fallback, prefixed(name));
  const selfMetrics = createSelfMetrics(
    profile,
    exporter,
    options.meterProvider,
    resolved,
    () => engine,
  );
  const engine: BatchEngine<T> = new BatchEngine<T>({
    ...resolved,
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
  return engine;
}

/** Self-metrics when a meter provider is given, or `TELEMETRY_REPORTER_METRICS=true`. */
function createSelfMetrics<T>(
  profile: ProcessorProfile<T>,
  exporter: object,
  meterProvider: MeterProviderLike | undefined,
  options: ResolvedBatchOptions,
  engine: () => BatchEngine<T>,
): SelfMetrics | undefined {
  if (meterProvider === undefined && booleanFromEnv('TELEMETRY_REPORTER_METRICS') !== true) {
    return undefined;
  }
  const candidate = meterProvider as Partial<MeterProviderLike> | null | undefined;
  if (candidate !== undefined && typeof candidate?.getMeter !== 'function') {
    throw new TypeError(
      `meterProvider must be an OpenTelemetry MeterProvider, got ${describeValue(meterProvider)}`,
    );
  }
  return new SelfMetrics(
    profile.signal === 'logs' ? 'log' : 'span',
    meterProvider,
    { capacity: options.maxQueueSize, size: () => engine().stats().queued },
    isBatchAware(exporter),
  );
}

/**
 * A processor's `forceFlush`: waits for the engine (bounded by `timeoutMillis` when given), warns
 * when it timed out, then flushes the exporter's own buffer, if it has one. Never rejects.
 */
export async function flushProcessor<T>(
  name: string,
  engine: BatchEngine<T>,
  exporter: ExporterLike<T>,
  timeoutMillis: number | undefined,
): Promise<void> {
  let done: boolean;
  try {
    done = await flushEngineAndExporter(name, engine, exporter, timeoutMillis);
  } catch (error) {
    diagLogger.warn(`${name}: forceFlush failed`, error);
    return;
  }
  if (!done) {
    const { queued, inFlight } = engine.stats();
    diagLogger.warn(
      `${name}: forceFlush timed out after ${timeoutMillis} ms; ${queued + inFlight} records still pending will be exported later`,
    );
  }
}

/**
 * Waits for the engine (bounded by `timeoutMillis` when given); when it completed, flushes the
 * exporter's own buffer too, a failure of which is warned about, not thrown. Resolves whether the
 * engine completed; rejects only with the engine's `TypeError` for a bad `timeoutMillis`.
 */
export async function flushEngineAndExporter<T>(
  name: string,
  engine: BatchEngine<T>,
  exporter: ExporterLike<T>,
  timeoutMillis: number | undefined,
): Promise<boolean> {
  const done = await engine.flush(timeoutMillis);
  if (done) {
    try {
      await exporter.forceFlush?.();
    } catch (error) {
      diagLogger.warn(`${name}: exporter forceFlush failed`, error);
    }
  }
  return done;
}

function prefixed(name: string): typeof diagLogger {
  return {
    warn: (message, ...args) => diagLogger.warn(`${name}: ${message}`, ...args),
    debug: (message, ...args) => diagLogger.debug(`${name}: ${message}`, ...args),
  };
}
