import { DROP_REASONS, type DropReason, type RecordOutcome } from '../stats/drop-reason.js';
import type { DiagnosticLogger } from '../support/diagnostic-logger.js';
import { Throttle } from '../support/throttle.js';
import { unrefTimeout } from '../support/timers.js';
import type { EngineObserver, ExportBatchContext, ExportBatchFn } from './engine-types.js';
import { ExportAbortedError, type ExportDeadline } from './export-aborted-error.js';
import { InFlightExport } from './in-flight-export.js';
import type { SpoolAccount } from './spool-account.js';

const VALID_OUTCOMES: ReadonlySet<string> = new Set<string>(['exported', ...DROP_REASONS]);

/** What {@link ExportSlots} needs from the engine. */
export interface ExportSlotsOptions<T> {
  /** Prefix of diagnostic messages. */
  readonly name: string;
  readonly exportBatch: ExportBatchFn<T>;
  readonly maxConcurrentExports: number;
  /** The deadline of an export, and the grace period after it. */
  readonly exportTimeoutMillis: number;
  /** The shortest interval between two warnings about abandoned exports; 0 warns every time. */
  readonly warningIntervalMillis: number;
  readonly logger: DiagnosticLogger;
  readonly observer: EngineObserver | undefined;
  /** Counts `count` records of an export dropped for `reason`. */
  readonly drop: (reason: DropReason, count: number) => void;
  /** Records of an export were settled: a flush may be complete. */
  readonly onSettled: () => void;
  /** A slot was given back: another export may start. */
  readonly onSlotFreed: () => void;
  /** An export ended with records not delivered: its first failure and error. */
  readonly onExportFailure: ((failure: DropReason, error: unknown) => void) | undefined;
  /** Where records handed off to a spool are counted. */
  readonly spool: SpoolAccount;
}

/**
 * The exports of an engine, from the moment a batch is taken until its promise settles or it is
 * abandoned, and the counts of their records (in flight, exported, retried).
 *
 * Two ends are tracked apart: an export holds records until each is settled (by an outcome it
 * reports, when it resolves, or at its deadline), and holds a slot until its promise settles.
 * After the deadline the slot is kept one more `exportTimeoutMillis`, so that a send that answers
 * late never overlaps the next one; an export still running then is abandoned, so that an
 * exporter that ignores its signal, or never answers, cannot stop exporting for good.
 */
export class ExportSlots<T> {
  readonly #options: ExportSlotsOptions<T>;
  /** Exports with records not settled yet; a subset of `#running`. */
  readonly #inFlight = new Set<InFlightExport>();
  /** Exports whose promise has not settled and that were not abandoned: the slots in use. */
  readonly #running = new Set<InFlightExport>();
  /** `maxConcurrentExports - #running.size`, kept apart: the engine reads it on its hot path. */
  #freeSlots: number;
  #inFlightRecords = 0;
  #exported = 0;
  #retries = 0;
  /** When the shutdown deadline passes, in `Date.now()` milliseconds. */
  #shutdownDeadlineAt = Number.POSITIVE_INFINITY;
  /** How long the shutdown may take, for the abort reason. */
  #shutdownBudget = 0;
  /** Resolves the shutdown's wait for the last running export. */
  #onIdle: (() => void) | undefined;
  /** Batches taken into a slot on the emitting call, started on the next microtask. */
  #reserved: { readonly op: InFlightExport; readonly batch: T[] }[] = [];
  readonly #abandonWarnings: Throttle;

  constructor(options: ExportSlotsOptions<T>) {
    this.#options = options;
    this.#freeSlots = options.maxConcurrentExports;
    this.#abandonWarnings = new Throttle(options.warningIntervalMillis);
  }

  /** True while fewer than `maxConcurrentExports` exports hold a slot. */
  get hasFreeSlot(): boolean {
    return this.#freeSlots > 0;
  }

  /** Records taken into exports and not settled yet. */
  get inFlightRecords(): number {
    return this.#inFlightRecords;
  }

  /** Records whose export reported them delivered. */
  get exported(): number {
    return this.#exported;
  }

  /** Retried sends reported by exports. */
  get retries(): number {
    return this.#retries;
  }

  /** True when a record at a queue position before `mark` is still in flight. */
  hasUnsettledBefore(mark: number): boolean {
    for (const op of this.#inFlight) if (op.startPosition < mark) return true;
    return false;
  }

  /**
   * Takes `batch`, whose first record had queue position `startPosition`, into a free slot
   * without starting its export: its records count as in flight at once, and the queue has room
   * again. For the emitting call, which must not run the export; {@link startReserved} starts it.
   */
  reserve(batch: T[], startPosition: number): void {
    const op = new InFlightExport(startPosition, batch.length);
    this.#inFlight.add(op);
    this.#running.add(op);
    this.#freeSlots--;
    this.#inFlightRecords += batch.length;
    this.#reserved.push({ op, batch });
  }

  /** Starts the exports of the batches {@link reserve} took, in the order they were taken. */
  startReserved(): void {
    if (this.#reserved.length === 0) return;
    const reserved = this.#reserved;
    this.#reserved = [];
    for (const { op, batch } of reserved) this.#run(op, batch);
  }

  /**
   * Takes `batch` into a free slot and starts its export on this stack: the caller is already off
   * the emitting call's stack.
   */
  start(batch: T[], startPosition: number): void {
    this.reserve(batch, startPosition);
    this.startReserved();
  }

  #run(op: InFlightExport, batch: T[]): void {
    const { exportTimeoutMillis, observer } = this.#options;
    if (observer !== undefined) {
      op.startedAt = performance.now();
      observer.exportStarted(batch.length);
    }
    op.deadline = unrefTimeout(() => this.#expire(op, 'export_timeout'), exportTimeoutMillis);
    op.deadlineAt = Math.min(Date.now() + exportTimeoutMillis, this.#shutdownDeadlineAt);
    const context: ExportBatchContext = {
      get signal() {
        return op.signal;
      },
      get deadline() {
        return op.deadlineAt;
      },
      settle: (count, outcome, error) => this.#settle(op, count, outcome, error),
      countRetry: () => {
        if (op.unsettled > 0) this.#retries++;
      },
      handOff: (count) => this.#handOff(op, count),
      settleSpooled: (count, outcome, error) => this.#options.spool.settle(count, outcome, error),
      onDeadline: (handler) => {
        if (typeof handler !== 'function') return;
        op.deadlineHandlers ??= [];
        op.deadlineHandlers.push(handler);
      },
    };
    let result: Promise<void> | void;
    try {
      result = this.#options.exportBatch(batch, context);
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      () => this.#finish(op, true, undefined),
      (error: unknown) => this.#finish(op, false, error),
    );
  }

  /** A shutdown began: no export's signal fires later than `deadlineAt`. */
  beginShutdown(deadlineAt: number, budgetMillis: number): void {
    this.#shutdownDeadlineAt = deadlineAt;
    this.#shutdownBudget = budgetMillis;
    for (const op of this.#running) op.deadlineAt = Math.min(op.deadlineAt, deadlineAt);
  }

  /** Resolves once no export holds a slot. For the shutdown, which waits once. */
  whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#onIdle = resolve;
    });
  }

  /**
   * The shutdown deadline passed: every running export is aborted and abandoned at once, its
   * unsettled records counted as `reason`, its timers cleared. Frees no slot for a new export.
   */
  abandonAll(reason: ExportDeadline): void {
    for (const op of [...this.#running]) {
      this.#expire(op, reason);
      this.#abandon(op);
    }
  }

  #settle(op: InFlightExport, count: number, outcome: RecordOutcome, error?: unknown): void {
    const valid = VALID_OUTCOMES.has(outcome) ? outcome : 'rejected';
    const n = op.claim(count);
    if (n === 0) return;
    this.#inFlightRecords -= n;
    if (valid === 'exported') this.#exported += n;
    else {
      this.#options.drop(valid, n);
      if (op.firstFailure === undefined) {
        op.firstFailure = valid;
        op.firstError = error;
      }
    }
    this.#options.observer?.exportSettled(valid, n, error);
    this.#afterSettle(op);
  }

  /** Records of `op` leave for a spool: neither exported nor dropped, settled for the export. */
  #handOff(op: InFlightExport, count: number): number {
    const n = op.claim(count);
    if (n === 0) return 0;
    this.#inFlightRecords -= n;
    this.#options.spool.take(n);
    this.#afterSettle(op);
    return n;
  }

  #afterSettle(op: InFlightExport): void {
    if (op.unsettled === 0) {
      this.#options.observer?.exportCompleted(
        performance.now() - op.startedAt,
        op.firstFailure,
        op.firstError,
      );
      this.#inFlight.delete(op);
      if (op.firstFailure !== undefined) {
        this.#options.onExportFailure?.(op.firstFailure, op.firstError);
      }
    }
    this.#options.onSettled();
  }

  /** The export's promise settled. An abandoned export's slot was already given back. */
  #finish(op: InFlightExport, ok: boolean, error: unknown): void {
    op.clearTimers();
    if (!this.#running.delete(op)) return;
    this.#freeSlots++;
    if (op.unsettled > 0) {
      if (!ok) {
        this.#options.logger.warn(
          `${this.#options.name}: export failed; ${op.unsettled} records dropped as rejected`,
          error,
        );
      }
      this.#settle(op, op.unsettled, ok ? 'exported' : 'rejected', error);
    }
    this.#released();
    this.#options.onSlotFreed();
  }

  /** A deadline passed: the records still unsettled are dropped and the export is aborted. */
  #expire(op: InFlightExport, reason: ExportDeadline): void {
    op.clearTimers();
    const { exportTimeoutMillis } = this.#options;
    const millis = reason === 'export_timeout' ? exportTimeoutMillis : this.#shutdownBudget;
    const aborted = new ExportAbortedError(reason, millis);
    // A spool may take what the deadline would drop: handlers run before the drop, once.
    const handlers = op.deadlineHandlers;
    op.deadlineHandlers = undefined;
    for (const handler of handlers ?? []) {
      try {
        handler(reason);
      } catch {
        // the deadline goes on: what is not handed off is dropped below
      }
    }
    if (op.unsettled > 0) {
      this.#options.logger.debug(
        `${this.#options.name}: ${op.unsettled} records dropped as ${reason}`,
      );
      this.#settle(op, op.unsettled, reason, aborted);
    }
    op.abort(aborted);
    // Abort listeners run now, but the export's promise settles on a later microtask at the
    // earliest: give it the grace period. Unref'd: a hung export must not keep the process up.
    if (reason === 'export_timeout' && this.#running.has(op)) {
      op.grace = unrefTimeout(() => this.#abandonLate(op), exportTimeoutMillis);
    }
  }

  /** The grace period passed and the export is still running: its slot goes to the next one. */
  #abandonLate(op: InFlightExport): void {
    op.grace = undefined;
    if (!this.#running.has(op)) return;
    this.#abandon(op);
    this.#warnAbandoned();
    this.#options.onSlotFreed();
  }

  #abandon(op: InFlightExport): void {
    op.clearTimers();
    if (!this.#running.delete(op)) return;
    this.#freeSlots++;
    this.#released();
  }

  #released(): void {
    if (this.#running.size > 0 || this.#onIdle === undefined) return;
    const onIdle = this.#onIdle;
    this.#onIdle = undefined;
    onIdle();
  }

  /** At most one warning per interval: a hung exporter would otherwise log at every export. */
  #warnAbandoned(): void {
    const count = this.#abandonWarnings.pass();
    if (count === 0) return;
    const { name, exportTimeoutMillis, logger } = this.#options;
    logger.warn(
      `${name}: export did not settle ${exportTimeoutMillis} ms after its deadline; abandoned, its slot is released: the exporter or transport ignores its AbortSignal${count > 1 ? ` (${count} exports abandoned since the last warning)` : ''}`,
    );
  }
}
