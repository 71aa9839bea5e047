import { DROP_REASONS, type DropReason } from './drop-reason.js';
import type { SeverityRange } from './severity-range.js';
import type { SpoolSummary } from './spool-summary.js';

/**
 * A snapshot of a reporter's counters. At every instant
 * `received === exported + sum(dropped) + queued + inFlight + spooled`.
 */
export interface ReporterStats {
  /** Records offered to the reporter (for spans: sampled spans only). */
  readonly received: number;
  /** Records whose delivery succeeded. */
  readonly exported: number;
  /** Records waiting in the queue. */
  readonly queued: number;
  /** Records taken into a batch whose export has not settled yet. */
  readonly inFlight: number;
  /**
   * Records this reporter handed to its spool (a batch that would otherwise have been dropped,
   * or written ahead of its send) and whose outcome is not known yet: on disk, being written,
   * or being replayed. 0 without a spool.
   */
  readonly spooled: number;
  /** The spool's files, bytes and replays; present only when the exporter has a spool. */
  readonly spool?: SpoolSummary;
  /** Retried send attempts (a batch sent three times adds two). */
  readonly retries: number;
  /** Dropped records by reason; every reason is present, zero when none. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /**
   * Records shed by the queue (`queue_full`) by severity range of the shed record, so an operator
   * sees what was given up; sums to `dropped.queue_full`. Spans count as `error` when their
   * status is an error, `unspecified` otherwise.
   */
  readonly droppedBySeverity: Readonly<Record<SeverityRange, number>>;
}

/** The sum of every drop reason of `stats`. */
export function totalDropped(stats: ReporterStats): number {
  let total = 0;
  for (const reason of DROP_REASONS) total += stats.dropped[reason] ?? 0;
  return total;
}

/**
 * Records neither exported, dropped, queued, in flight nor spooled: `received - (exported +
 * dropped + queued + inFlight + spooled)`. Always 0; a health check can alert on anything else.
 */
export function unaccountedRecords(stats: ReporterStats): number {
  return (
    stats.received -
    (stats.exported + totalDropped(stats) + stats.queued + stats.inFlight + (stats.spooled ?? 0))
  );
}
