/**
 * Why a record was dropped. Every record a reporter receives ends up either exported or
 * counted under exactly one of these reasons.
 *
 * - `queue_full`: the bounded queue was full when the record arrived (or, with `drop_oldest`,
 *   the record was the oldest queued one and was evicted to make room).
 * - `already_shutdown`: the record arrived after `shutdown()` was called.
 * - `rejected`: the backend refused the batch permanently (a `PermanentError`, an HTTP 4xx,
 *   or a foreign exporter that reported failure).
 * - `retries_exhausted`: every allowed attempt failed with a retryable error.
 * - `encoding_failed`: the record could not be encoded (circular body, BigInt, a throwing getter);
 *   only that record is dropped, the rest of its batch ships.
 * - `export_timeout`: the export did not finish within `exportTimeoutMillis`; its signal was aborted.
 * - `shutdown_timeout`: the record was still queued or in flight when the shutdown deadline passed.
 * - `spool_full`: the record's batch was in the spool and evicted, oldest first, to keep it
 *   within its `maxBytes`.
 * - `spool_expired`: the record's batch stayed in the spool longer than its `maxAgeMillis`.
 * - `spool_corrupt`: the record's batch file was damaged (moved aside), or gone from the spool
 *   (deleted by hand, lost with its directory, or taken by another process sharing it).
 */
export type DropReason =
  | 'queue_full'
  | 'already_shutdown'
  | 'rejected'
  | 'retries_exhausted'
  | 'encoding_failed'
  | 'export_timeout'
  | 'shutdown_timeout'
  | 'spool_full'
  | 'spool_expired'
  | 'spool_corrupt';

/** Every {@link DropReason}, in a stable order (the order of `stats().dropped`). */
export const DROP_REASONS: readonly DropReason[] = Object.freeze([
  'queue_full',
  'already_shutdown',
  'rejected',
  'retries_exhausted',
  'encoding_failed',
  'export_timeout',
  'shutdown_timeout',
  'spool_full',
  'spool_expired',
  'spool_corrupt',
] as const);

/** How one record, or a run of records, of an exported batch ended. */
export type RecordOutcome = 'exported' | DropReason;

/** A count per {@link DropReason}, every reason present. */
export function zeroDropCounts(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<
    DropReason,
    number
  >;
}
