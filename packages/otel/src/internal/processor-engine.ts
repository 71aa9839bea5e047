import {
  BatchEngine,
  type BatchOptions,
  describeValue,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from '@telemetry-reporter/core';
import type { ExporterLike, ResourceLike } from '../types.js';
import { diagLogger } from './diag-logger.js';
import { bridgeExporter } from './export-bridge.js';

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

/** How a processor ranks and sizes its records, for overflow and byte limits. */
export interface RecordTraits<T> {
  /** OpenTelemetry severity number of a record (0 when none). */
  severityOf(record: T): number;
  /** Estimated bytes of a record. */
  sizeOf(record: T): number;
}

/** Builds the engine behind a processor: options resolved over `defaults`, diag as the logger. */
export function createProcessorEngine<T extends { readonly resource: ResourceLike }>(
  name: string,
  exporter: ExporterLike<T>,
  options: BatchOptions,
  defaults: BatchOptions,
  traits: RecordTraits<T>,
): BatchEngine<T> {
  const resolved: ResolvedBatchOptions = resolveBatchOptions(options, defaults, prefixed(name));
  return new BatchEngine<T>({
    ...resolved,
    name,
    logger: diagLogger,
    severityOf: traits.severityOf,
    sizeOf: traits.sizeOf,
    exportBatch: bridgeExporter(exporter, name),
    onShutdown: () => exporter.shutdown(),
  });
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
    done = await engine.flush(timeoutMillis);
  } catch (error) {
    diagLogger.warn(`${name}: forceFlush failed`, error);
    return;
  }
  if (!done) {
    const { queued, inFlight } = engine.stats();
    diagLogger.warn(
      `${name}: forceFlush timed out after ${timeoutMillis} ms; ${queued + inFlight} records still pending will be exported later`,
    );
    return;
  }
  try {
    await exporter.forceFlush?.();
  } catch (error) {
    diagLogger.warn(`${name}: exporter forceFlush failed`, error);
  }
}

function prefixed(name: string): typeof diagLogger {
  return {
    warn: (message, ...args) => diagLogger.warn(`${name}: ${message}`, ...args),
    debug: (message, ...args) => diagLogger.debug(`${name}: ${message}`, ...args),
  };
}
