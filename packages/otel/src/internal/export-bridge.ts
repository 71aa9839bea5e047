import type { ExportBatchContext, ExportBatchFn } from '@telemetry-reporter/core';
import type { ExporterLike, ResourceLike } from '../types.js';
import { diagLogger } from './diag-logger.js';
import { EXPORT_BATCH, isBatchAware } from './export-protocol.js';
import { inExportScope } from './export-scope.js';
import { withTracingSuppressed } from './suppress-tracing.js';

const SUCCESS = 0;

/**
 * Adapts an OpenTelemetry exporter to the engine. Exporters of this package get the deadline
 * signal and report per-record outcomes; any other exporter is called through its standard
 * `export(items, callback)`: success exports the batch, failure or a synchronous throw drops it
 * as `rejected`. Either way tracing is suppressed and async resource attributes are awaited first,
 * as OpenTelemetry's own processors do.
 */
export function bridgeExporter<T extends { readonly resource: ResourceLike }>(
  exporter: ExporterLike<T>,
  name: string,
): ExportBatchFn<T> {
  if (isBatchAware<T>(exporter)) {
    return (batch, context) =>
      inExportScope(async () => {
        await waitForAsyncResources(batch);
        await withTracingSuppressed(() => exporter[EXPORT_BATCH](batch, context));
      });
  }
  return (batch, context) =>
    inExportScope(async () => {
      await waitForAsyncResources(batch);
      await exportThroughCallback(exporter, batch, context, name);
    });
}

function exportThroughCallback<T>(
  exporter: ExporterLike<T>,
  batch: T[],
  context: ExportBatchContext,
  name: string,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let called = false;
    const onResult = (result: { code: number; error?: Error }): void => {
      if (called) return;
      called = true;
      if (result?.code === SUCCESS) {
        context.settle(batch.length, 'exported');
      } else {
        diagLogger.warn(
          `${name}: exporter reported failure; ${batch.length} records dropped`,
          result?.error,
        );
        context.settle(batch.length, 'rejected');
      }
      resolve();
    };
    try {
      withTracingSuppressed(() => exporter.export(batch, onResult));
    } catch (error) {
      onResult({ code: 1, error: error instanceof Error ? error : new Error('exporter threw') });
    }
  });
}

/** Waits for resources still detecting attributes, each once, as the SDK's processors do. */
async function waitForAsyncResources(
  batch: readonly { readonly resource: ResourceLike }[],
): Promise<void> {
  let pending: Set<ResourceLike> | undefined;
  for (const item of batch) {
    const resource = item.resource;
    if (resource?.asyncAttributesPending && resource.waitForAsyncAttributes) {
      pending ??= new Set();
      pending.add(resource);
    }
  }
  if (pending === undefined) return;
  try {
    await Promise.all([...pending].map((r) => r.waitForAsyncAttributes?.()));
  } catch (error) {
    // Export with the attributes known so far rather than lose the batch.
    diagLogger.debug('async resource attributes failed to resolve', error);
  }
}
