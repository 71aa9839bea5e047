import type { DropReason, RecordOutcome } from '../stats/drop-reason.js';
import type { DiagnosticLogger } from '../support/diagnostic-logger.js';
import type { BatchOptions } from './batch-options.js';
import type { ExportDeadline } from './export-aborted-error.js';

/**
 * What an export is given besides its batch. At its deadline the signal fires and the records not
 * settled yet count as `export_timeout`; the export then keeps its slot for one more
 * `exportTimeoutMillis` (the grace period). If its promise has not settled by then it is
 * abandoned: its slot goes to the next batch and whatever it does later is ignored.
 */
export interface ExportBatchContext {
  /**
   * Fires when the export deadline or the shutdown deadline passes. Honour it: an export still
   * running one more `exportTimeoutMillis` after its deadline (or at the shutdown deadline) is
   * abandoned, and the next batch may then be sent while it is still live.
   */
  readonly signal: AbortSignal;
  /**
   * When `signal` will fire, in `Date.now()` milliseconds (`Infinity` when never). A retry that
   * could only start after it is not worth waiting for.
   */
  readonly deadline: number;
  /**
   * Reports the outcome of `count` records of the batch as soon as it is known (a delivered
   * half, a record that failed to encode). Records left unsettled when the export resolves count
   * as exported; when it rejects, as `rejected`. Calls after the deadline are ignored. `error`
   * says why records failed; the observer receives the first one of the export.
   */
  settle(count: number, outcome: RecordOutcome, error?: unknown): void;
  /** Counts one retried send in `stats().retries`. */
  countRetry(): void;
  /**
   * Hands `count` of the batch's unsettled records over to a spool: they leave `inFlight` for
   * `spooled` at once, and their outcome is reported later with {@link settleSpooled}, also
   * after this export ended. Returns how many were handed over (at most the unsettled ones).
   */
  handOff(count: number): number;
  /**
   * Reports the outcome of `count` spooled records (of any export of this engine): delivered by
   * a replay, rejected, evicted, expired or lost. Valid for the engine's lifetime.
   */
  settleSpooled(count: number, outcome: RecordOutcome, error?: unknown): void;
  /**
   * Registers `handler`, called once at the export's deadline (or the shutdown deadline) before
   * its unsettled records are dropped: it may hand them off to a spool, synchronously.
   */
  onDeadline(handler: (reason: ExportDeadline) => void): void;
}

/** Exports one batch. Runs off the caller's stack; may be sync or async; may throw. */
export type ExportBatchFn<T> = (batch: T[], context: ExportBatchContext) => Promise<void> | void;

/** Options of {@link BatchEngine}: the tuning of {@link BatchOptions} and where batches go. */
export interface BatchEngineOptions<T> extends BatchOptions {
  /** Called with each batch taken from the queue. */
  exportBatch: ExportBatchFn<T>;
  /** Called once after the final drain, e.g. to shut the exporter down; bounded by the deadline. */
  onShutdown?: () => Promise<void> | void;
  /**
   * Where drop warnings and export failures go: an object with `warn()` and `debug()`. A logger
   * that throws is ignored; the counters stay exact.
   * @default a logger that discards everything
   */
  logger?: DiagnosticLogger;
  /**
   * Prefix of diagnostic messages. A string.
   * @default 'BatchEngine'
   */
  name?: string;
  /**
   * The record's OpenTelemetry severity number (1-24; anything else is "no severity"), for
   * `drop_lowest_severity` and `stats().droppedBySeverity`. Called on the hot path only with
   * that policy, otherwise only for shed records; must be cheap and must not throw.
   * @default every record has no severity
   */
  severityOf?: (record: T) => number;
  /**
   * An estimate of the record's size in bytes, for `maxQueueBytes`. Called once per record on
   * the hot path when `maxQueueBytes` is finite; must be cheap and must not throw.
   * @default every record counts 1 byte
   */
  sizeOf?: (record: T) => number;
  /**
   * Receives every drop, export start, settlement and completion, for metrics.
   * @default none
   */
  observer?: EngineObserver;
  /**
   * Called once per export that did not deliver every record, when its last record is settled,
   * with the first failure and the error reported with it (at a deadline, the
   * `ExportAbortedError` its signal carries). Off the caller's stack; a throw is ignored.
   * @default none
   */
  onExportFailure?: (failure: DropReason, error: unknown) => void;
  /**
   * Where the rate-limited drop warnings go, with the counts by reason each one reports, instead
   * of `logger.warn`. A callback that throws is ignored.
   * @default logger.warn
   */
  onDropWarning?: (message: string, counts: Partial<Record<DropReason, number>>) => void;
  /**
   * With a spool: at the shutdown deadline, takes the records still queued, to persist them
   * (encode and write, no send). They count as spooled from the moment it is called; it reports
   * what it could not persist through `settle`. The drain then stops a little early (a quarter
   * of the budget, at most 1 s) to leave it time within `shutdownTimeoutMillis`.
   * @default none: queued records at the deadline count as shutdown_timeout
   */
  spillQueued?: (
    records: T[],
    settle: (count: number, outcome: RecordOutcome, error?: unknown) => void,
  ) => Promise<void>;
  /**
   * With a spool: called when the shutdown deadline passes before `onShutdown` and the spill
   * ended. Records still being written to the spool then may never reach the disk (the process
   * usually ends next), so it settles them (as shutdown_timeout) rather than leave them counted
   * as spooled. A throw is ignored.
   * @default none
   */
  abandonSpoolWrites?: () => void;
}

/**
 * Receives the engine's events as they happen, for metrics. Called synchronously, on the hot path
 * only for drops; must be cheap. An observer that throws is ignored.
 */
export interface EngineObserver {
  /** Records dropped before reaching an export: `queue_full`, `already_shutdown`, or queued
   * records cut by the shutdown deadline (`shutdown_timeout`). */
  queueDropped(reason: DropReason, count: number): void;
  /** An export started with `count` records. */
  exportStarted(count: number): void;
  /** `count` records of an export reached `outcome`; `error`, if any, is why they failed. */
  exportSettled(outcome: RecordOutcome, count: number, error?: unknown): void;
  /** Every record of an export is settled, `millis` after it started; `failure` is the first
   * outcome other than `exported`, if any, and `error` the error reported with it (at a deadline,
   * the `ExportAbortedError` its signal carries). */
  exportCompleted(millis: number, failure: DropReason | undefined, error?: unknown): void;
  /** `count` records of an export were handed to a spool. */
  recordsSpooled?(count: number): void;
  /** `count` spooled records reached `outcome`. */
  spooledSettled?(outcome: RecordOutcome, count: number, error?: unknown): void;
}
