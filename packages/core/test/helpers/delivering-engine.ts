import { expect } from 'vitest';
import { BatchEngine, type BatchEngineOptions, type TransportDelivery } from '../../src/index.js';

/**
 * An engine whose exports go through `delivery`, wired as the processors wire it: shutdown,
 * the spill at the shutdown deadline and the abandoning of spool writes included. Batches of
 * 10; a partial batch waits for a flush. `overrides` win.
 */
export function deliveringEngine<Item, Payload>(
  delivery: TransportDelivery<Item, Payload>,
  overrides: Partial<BatchEngineOptions<Item>> = {},
): BatchEngine<Item> {
  return new BatchEngine<Item>({
    exportBatch: (batch, context) => delivery.deliver(batch, context),
    onShutdown: () => delivery.shutdown(),
    spillQueued: (records, settle) => delivery.spill(records, settle),
    abandonSpoolWrites: () => delivery.abandonSpoolWrites(),
    maxExportBatchSize: 10,
    scheduledDelayMillis: 60_000,
    ...overrides,
  });
}

/** Offers the records `{ id }` for ids `from` to `from + count - 1`, each of which must be taken. */
export function offerIds(engine: BatchEngine<{ id: number }>, from: number, count: number): void {
  for (let id = from; id < from + count; id++) expect(engine.offer({ id })).toBe(true);
}
