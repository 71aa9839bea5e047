import { DROP_REASONS, type ReporterStats } from './types.js';

/** The sum of every drop reason of `stats`. */
export function totalDropped(stats: ReporterStats): number {
  let total = 0;
  for (const reason of DROP_REASONS) total += stats.dropped[reason] ?? 0;
  return total;
}

/**
 * Records neither exported, dropped, queued nor in flight: `received - (exported + dropped +
 * queued + inFlight)`. Always 0; a health check can alert on anything else.
 */
export function unaccountedRecords(stats: ReporterStats): number {
  return stats.received - (stats.exported + totalDropped(stats) + stats.queued + stats.inFlight);
}
