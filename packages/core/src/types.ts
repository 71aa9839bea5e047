/**
 * Why a record was dropped. Every record a reporter receives ends up either exported or
 * counted under exactly one of these reasons.
 *
 * - `queue_full`: the bounded queue was full when the record arrived (or, with `drop_oldest`,
 *   the record was the oldest queued one and was evicted to make room).
 * - `already_shutdown`: the record arrived after `shutdown()` was called.
 * - `rejected`: the backend refused the batch permanently (a {@link PermanentError}, an HTTP 4xx,
 *   or a foreign exporter that reported failure).
 * - `retries_exhausted`: every allowed attempt failed with a retryable error.
 * - `encoding_failed`: the record could not be encoded (circular body, BigInt, a throwing getter);
 *   only that record is dropped, the rest of its batch ships.
 * - `export_timeout`: the export did not finish within `exportTimeoutMillis`; its signal was aborted.
 * - `shutdown_timeout`: the record was still queued or in flight when the shutdown deadline passed.
 */
export type DropReason =
  | 'queue_full'
  | 'already_shutdown'
  | 'rejected'
  | 'retries_exhausted'
  | 'encoding_failed'
  | 'export_timeout'
  | 'shutdown_timeout';

/** Every {@link DropReason}, in a stable order (the order of `stats().dropped`). */
export const DROP_REASONS: readonly DropReason[] = Object.freeze([
  'queue_full',
  'already_shutdown',
  'rejected',
  'retries_exhausted',
  'encoding_failed',
  'export_timeout',
  'shutdown_timeout',
] as const);

/** OpenTelemetry's severity ranges (severity numbers 1-4, 5-8, ..., 21-24), and no severity. */
export type SeverityRange = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unspecified';

/** Every {@link SeverityRange}, lowest first (the order of `stats().droppedBySeverity`). */
export const SEVERITY_RANGES: readonly SeverityRange[] = Object.freeze([
  'unspecified',
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
] as const);

/** The range of an OpenTelemetry severity number; anything outside 1-24 is `unspecified`. */
export function severityRangeOf(severityNumber: number): SeverityRange {
  if (!(severityNumber >= 1 && severityNumber <= 24)) return 'unspecified';
  return SEVERITY_RANGES[Math.ceil(severityNumber / 4)] as SeverityRange;
}

/** How one record, or a run of records, of an exported batch ended. */
export type RecordOutcome = 'exported' | DropReason;

/**
 * A snapshot of a reporter's counters. At every instant
 * `received === exported + sum(dropped) + queued + inFlight`.
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

/** What a transport's `send` is told about the attempt it makes. */
export interface SendContext {
  /** Aborted when the export deadline or the shutdown deadline passes; pass it to your I/O. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** How many records the payload holds. */
  readonly recordCount: number;
}

/**
 * Delivers an encoded payload to a backend. Resolve when the backend accepted it; throw a
 * {@link RetryableError} (or any error) to have it retried, a {@link PermanentError} to drop it.
 */
export interface Transport<Payload = unknown> {
  /** Sends one payload. Resolving means delivered. */
  send(payload: Payload, context: SendContext): Promise<void>;
  /** Releases resources (sockets, agents). Called once, after the last send. */
  shutdown?(): Promise<void>;
}

/** The result of encoding a batch: one payload holding the records that could be encoded. */
export interface EncodedBatch<Payload> {
  /** The payload to send; `undefined` when no record of the batch could be encoded. */
  readonly payload: Payload | undefined;
  /** How many records the payload holds. */
  readonly recordCount: number;
  /** How many records were left out because they could not be encoded. */
  readonly failedCount: number;
  /** The first encoding error, for diagnostics. */
  readonly firstError?: unknown;
  /**
   * Positions (in the input) of the records left out. Lets a delivery split the batch when the
   * backend says it is too large (HTTP 413) without counting those records twice; without it,
   * a batch with encoding failures that is too large is rejected whole.
   */
  readonly failedIndexes?: readonly number[];
}

/**
 * Turns a batch of records into a payload, isolating records that cannot be encoded: a bad
 * record is left out and counted in `failedCount`, never failing the whole batch.
 */
export interface Encoder<Item, Payload> {
  /** Encodes `items`; must not throw. */
  encode(items: readonly Item[]): EncodedBatch<Payload>;
}

/**
 * A sink for the engine's own diagnostics. `@telemetry-reporter/otel` passes OpenTelemetry's
 * `diag`; the default discards everything.
 */
export interface DiagnosticLogger {
  /** Something lost or degraded (drops, failed exports). */
  warn(message: string, ...args: unknown[]): void;
  /** Something worth knowing when debugging (a retry, an abort). */
  debug(message: string, ...args: unknown[]): void;
}
