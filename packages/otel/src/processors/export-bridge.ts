import type { ExportBatchContext, ExportBatchFn } from '@telemetry-reporter/core';
import { EXPORT_BATCH, isBatchAware } from '../exporters/export-protocol.js';
import { diagLogger } from '../internal/diag-logger.js';
import { inExportScope } from '../internal/export-scope.js';
import { withTracingSuppressed } from '../internal/suppress-tracing.js';
import type { ExporterLike, ResourceLike } from '../sdk/sdk-types.js';

const SUCCESS = 0;

/**
 * Adapts an OpenTelemetry exporter to the engine. Exporters of this package get the deadline
 * signal and report per-record outcomes; any other exporter is called through its standard
 * `export(items, callback)`: success exports the batch, failure or a synchronous throw drops it
 * as `rejected`, with the exporter's error. Either way tracing is suppressed and async resource attributes are awaited first,
 * as OpenTelemetry's own processors do.
 */
export function bridgeExporter<T extends { readonly resource: ResourceLike }>(
  exporter: ExporterLike<T>,
  name: string,
): ExportBatchFn<T> {
  // Nothing is awaited before the export unless a resource is still detecting attributes: an
  // await there would cost every batch microtask hops for a case that almost never happens.
  const send: ExportBatchFn<T> = isBatchAware<T>(exporter)
    ? (batch, context) => withTracingSuppressed(() => exporter[EXPORT_BATCH](batch, context))
    : (batch, context) => exportThroughCallback(exporter, batch, context, name);
  return (batch, context) =>
    inExportScope(() => {
      const pending = pendingResources(batch);
      return pending === undefined
        ? send(batch, context)
        : waitForAsyncResources(pending).then(() => send(batch, context));
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
        // The processor hands the error to OpenTelemetry's global error handler, as the SDK's
        // processors do; the drop is counted and warned about with the others.
        const error = result?.error ?? new Error(`${name}: the exporter reported a failed export`);
        context.settle(batch.length, 'rejected', error);
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

/**
 * Resources of the batch still detecting attributes, each once; `undefined`, the usual case, when
 * there are none. Records of one provider share one resource, so each is looked at once.
 */
function pendingResources(
  batch: readonly { readonly resource: ResourceLike }[],
): Set<ResourceLike> | undefined {
  let pending: Set<ResourceLike> | undefined;
  let last: ResourceLike | undefined;
  for (const item of batch) {
    const resource = item.resource;
    if (resource === last) continue;
    last = resource;
    if (resource?.asyncAttributesPending && resource.waitForAsyncAttributes) {
      pending ??= new Set();
      pending.add(resource);
    }
  }
  return pending;
}

/** Waits for resources still detecting attributes, as the SDK's processors do. */
async function waitForAsyncResources(pending: Set<ResourceLike>): Promise<void> {
  try {
    await Promise.all([...pending].map((r) => r.waitForAsyncAttributes?.()));
  } catch (error) {
    // Export with the attributes known so far rather than lose the batch.
    diagLogger.debug('async resource attributes failed to resolve', error);
  }
}
