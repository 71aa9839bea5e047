import {
  type BatchOptions,
  describeValue,
  millisOption,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from './engine-options.js';
import { ExportAbortedError, type ExportDeadline } from './errors.js';
import { DropWarner } from './internal/drop-warner.js';
import { FlushWaiters } from './internal/flush-waiters.js';
import { InFlightExport } from './internal/in-flight-export.js';
import { safeLogger } from './internal/safe-logger.js';
import { KeepAlive, type TimerHandle, unrefTimeout } from './internal/timers.js';
import { RingBuffer } from './ring-buffer.js';
import { SEVERITY_CLASSES, SeverityQueue } from './severity-queue.js';
import {
  type DiagnosticLogger,
  DROP_REASONS,
  type DropReason,
  type RecordOutcome,
  type ReporterStats,
  SEVERITY_RANGES,
  type SeverityRange,
  severityRangeOf,
} from './types.js';

/** What an export is given besides its batch. */
export interface ExportBatchContext {
  /** Fires when the export deadline or the shutdown deadline passes. */
  readonly signal: AbortSignal;
  /**
   * When `signal` will fire, in `Date.now()` milliseconds (`Infinity` when never). A retry that
   * could only start after it is not worth waiting for.
   */
  readonly deadline: number;
  /**
   * Reports the outcome of `count` records of the batch as soon as it is known (a delivered
   * half, a record that failed to encode). Records left unsettled when the export resolves count
   * as exported; when it rejects, as `rejected`. Calls after the deadline are ignored.
   */
  settle(count: number, outcome: RecordOutcome): void;
  /** Counts one retried send in `stats().retries`. */
  countRetry(): void;
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
  /** `count` records of an export reached `outcome`. */
  exportSettled(outcome: RecordOutcome, count: number): void;
  /** Every record of an export is settled, `millis` after it started; `failure` is the first
   * outcome other than `exported`, if any. */
  exportCompleted(millis: number, failure: DropReason | undefined): void;
}

/** The queue operations the export side needs, whichever queue backs the engine. */
interface QueueView<T> {
  readonly size: number;
  readonly headPosition: number;
  readonly tailPosition: number;
  take(count: number): T[];
  clear(): number;
}

const RUNNING = 0;
const DRAINING = 1;
const CLOSED = 2;
const VALID_OUTCOMES: ReadonlySet<string> = new Set<string>(['exported', ...DROP_REASONS]);

/**
 * A bounded queue with size and time triggers in front of an export function.
 *
 * `offer` is the hot path: O(1), never throws, never awaits, never allocates a timer per record.
 * Exports start on a microtask, at most `maxConcurrentExports` at a time, each with a deadline.
 * Every record offered is, at every instant, counted once as exported, dropped (by reason),
 * queued or in flight.
 */
export class BatchEngine<T> {
  /** The options in effect, defaults applied. */
  readonly options: ResolvedBatchOptions;
  readonly #exportBatch: ExportBatchFn<T>;
  readonly #onShutdown: (() => Promise<void> | void) | undefined;
  readonly #logger: DiagnosticLogger;
  readonly #name: string;
  readonly #queue: QueueView<T>;
  /** Backs the default policies without a byte limit: the fastest hot path. */
  readonly #ring: RingBuffer<T> | undefined;
  /** Backs `drop_lowest_severity` and byte-bounded queues. */
  readonly #ranked: SeverityQueue<T> | undefined;
  readonly #batchSize: number;
  readonly #maxConcurrent: number;
  readonly #dropOldest: boolean;
  readonly #dropLowest: boolean;
  readonly #maxBytes: number;
  readonly #severityOf: (record: T) => number;
  readonly #sizeOf: (record: T) => number;
  /**
   * Records shed by the queue, by severity class (0: none). Classes, not range names: the drop
   * path is then one typed-array increment; `stats()` folds them into ranges.
   */
  readonly #shedBySeverity: Float64Array = new Float64Array(SEVERITY_CLASSES);
  readonly #observer: EngineObserver | undefined;
  readonly #inFlight = new Set<InFlightExport>();
  readonly #dropped: Record<DropReason, number>;
  readonly #warner: DropWarner;
  readonly #waiters: FlushWaiters;
  readonly #keepAlive = new KeepAlive();
  #received = 0;
  #exported = 0;
  #retries = 0;
  #inFlightRecords = 0;
  /** Exports whose promise has not settled: the slots in use. */
  #activeExports = 0;
  #timer: TimerHandle | undefined;
  /** The scheduled delay passed while no slot was free: export a partial batch when one frees. */
  #due = false;
  #pumpQueued = false;
  #state = RUNNING;
  #shutdownPromise: Promise<void> | undefined;
  /** When the shutdown deadline passes, in `Date.now()` milliseconds. */
  #shutdownDeadlineAt = Number.POSITIVE_INFINITY;
  /** How long the shutdown may take, in milliseconds: `shutdownTimeoutMillis` unless overridden. */
  #shutdownBudget = 0;

  constructor(options: BatchEngineOptions<T>) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `BatchEngine options must be an object with an exportBatch function, got ${describeValue(options)}`,
      );
    }
    this.#logger = safeLogger(options.logger);
    this.#name = stringOption('name', options.name) ?? 'BatchEngine';
    this.options = resolveBatchOptions(options, {}, this.#logger);
    const exportBatch: unknown = options.exportBatch;
    if (typeof exportBatch !== 'function') {
      throw new TypeError(`exportBatch must be a function, got ${describeValue(exportBatch)}`);
    }
    this.#exportBatch = options.exportBatch;
    this.#onShutdown = functionOption('onShutdown', options.onShutdown);
    this.#batchSize = this.options.maxExportBatchSize;
    this.#maxConcurrent = this.options.maxConcurrentExports;
    this.#dropOldest = this.options.overflowPolicy === 'drop_oldest';
    this.#dropLowest = this.options.overflowPolicy === 'drop_lowest_severity';
    this.#maxBytes = this.options.maxQueueBytes;
    this.#severityOf = guarded('severityOf', options.severityOf, 0);
    this.#sizeOf = guarded('sizeOf', options.sizeOf, 1);
    if (this.#dropLowest || this.#maxBytes !== Number.POSITIVE_INFINITY) {
      this.#ranked = new SeverityQueue<T>(this.options.maxQueueSize);
      this.#queue = this.#ranked;
    } else {
      this.#ring = new RingBuffer<T>(this.options.maxQueueSize);
      this.#queue = this.#ring;
    }
    this.#dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<
      DropReason,
      number
    >;
    this.#warner = new DropWarner(
      this.#name,
      this.options.dropWarningIntervalMillis,
      this.#logger,
      () => this.#dropped,
    );
    this.#waiters = new FlushWaiters(this.#keepAlive);
    const observer: unknown = options.observer;
    if (observer !== undefined && (typeof observer !== 'object' || observer === null)) {
      throw new TypeError(`observer must be an object, got ${describeValue(observer)}`);
    }
    this.#observer = options.observer === undefined ? undefined : safeObserver(options.observer);
  }

  /**
   * Accepts a record: O(1), never throws. Returns false when the record itself was dropped
   * (queue full under `drop_newest`, or shut down); every drop is counted.
   */
  offer(record: T): boolean {
    this.#received++;
    if (this.#state !== RUNNING) {
      this.#drop('already_shutdown', 1);
      this.#observer?.queueDropped('already_shutdown', 1);
      return false;
    }
    const ring = this.#ring;
    if (ring === undefined) return this.#offerRanked(record);
    if (!ring.push(record)) {
      if (!this.#dropOldest) {
        this.#shed(this.#severityOf(record));
        return false;
      }
      this.#shed(this.#severityOf(ring.shift() as T));
      ring.push(record);
      if (this.#waiters.size > 0) this.#checkWaiters();
    }
    this.#afterAccept();
    return true;
  }

  /** `offer` for `drop_lowest_severity` and byte-bounded queues. */
  #offerRanked(record: T): boolean {
    const queue = this.#ranked as SeverityQueue<T>;
    const severity = severityClass(this.#severityOf(record));
    const bytes = this.#maxBytes === Number.POSITIVE_INFINITY ? 0 : this.#sizeOf(record);
    if (bytes > this.#maxBytes) {
      this.#shed(severity);
      return false;
    }
    let evicted = false;
    let accepted = true;
    while (queue.size > 0 && (queue.isFull || queue.bytes + bytes > this.#maxBytes)) {
      if (this.#dropOldest) {
        queue.evictOldest();
      } else if (this.#dropLowest && severity > queue.lowestSeverity()) {
        queue.evictLowest();
      } else {
        accepted = false; // drop_newest, or the arriving record ranks lowest
        break;
      }
      this.#shed(queue.lastEvictedSeverity);
      evicted = true;
    }
    if (evicted && this.#waiters.size > 0) this.#checkWaiters();
    if (!accepted) {
      this.#shed(severity);
      return false;
    }
    queue.push(record, severity, bytes);
    this.#afterAccept();
    return true;
  }

  /** Arms the triggers after a record joined the queue. */
  #afterAccept(): void {
    const queue = this.#queue;
    if (queue.size >= this.#batchSize) {
      if (!this.#pumpQueued && this.#activeExports < this.#maxConcurrent) this.#schedulePump();
    } else if (this.#timer === undefined && !this.#due) {
      this.#armTimer();
    }
  }

  /**
   * Resolves `true` once every record offered before the call is exported or dropped; partial
   * batches go out at once, still `maxConcurrentExports` at a time. Concurrent callers share the
   * work. With `timeoutMillis`, resolves `false` when it passes; nothing queued is lost, it is
   * exported later as usual.
   */
  flush(timeoutMillis?: number): Promise<boolean> {
    if (timeoutMillis !== undefined) {
      try {
        millisOption('timeoutMillis', timeoutMillis, 0);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#state !== RUNNING) return this.shutdown().then(() => true);
    const mark = this.#queue.tailPosition;
    if (this.#isSettledUpTo(mark)) return Promise.resolve(true);
    const result = this.#waiters.wait(mark, timeoutMillis);
    this.#schedulePump();
    return result;
  }

  /**
   * Stops accepting records, exports everything queued, then calls `onShutdown`, all within
   * `timeoutMillis` (default `shutdownTimeoutMillis`); what is left then is counted as
   * `shutdown_timeout`. Idempotent: later calls return the first call's promise, whatever their
   * timeout. Never rejects, except with a `TypeError` for a bad `timeoutMillis`.
   */
  shutdown(timeoutMillis?: number): Promise<void> {
    if (timeoutMillis !== undefined) {
      try {
        millisOption('timeoutMillis', timeoutMillis, 0);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#shutdownPromise ??= this.#shutdown(timeoutMillis ?? this.options.shutdownTimeoutMillis);
    return this.#shutdownPromise;
  }

  /** False once `shutdown()` has been called: records offered from then on are dropped. */
  get accepting(): boolean {
    return this.#state === RUNNING;
  }

  /**
   * Counts `count` records that were meant for this engine but dropped before they could be
   * offered: an adapter could not build them (`encoding_failed`) or knew the engine was shut down
   * (`already_shutdown`). Both `received` and the reason grow, so the accounting invariant holds.
   * O(1), never throws; a count that is not a positive integer is ignored.
   */
  countDropped(reason: 'encoding_failed' | 'already_shutdown', count = 1): void {
    if (reason !== 'encoding_failed' && reason !== 'already_shutdown') return;
    if (!Number.isSafeInteger(count) || count < 1) return;
    this.#received += count;
    this.#drop(reason, count);
    this.#observer?.queueDropped(reason, count);
  }

  /** A snapshot of the counters; see {@link ReporterStats} for the invariant they keep. */
  stats(): ReporterStats {
    return {
      received: this.#received,
      exported: this.#exported,
      queued: this.#queue.size,
      inFlight: this.#inFlightRecords,
      retries: this.#retries,
      dropped: { ...this.#dropped },
      droppedBySeverity: foldBySeverityRange(this.#shedBySeverity),
    };
  }

  async #shutdown(budget: number): Promise<void> {
    this.#state = DRAINING;
    this.#clearTimer();
    this.#keepAlive.hold();
    this.#shutdownBudget = budget;
    const startedAt = Date.now();
    this.#shutdownDeadlineAt = startedAt + budget;
    for (const op of this.#inFlight) {
      op.deadlineAt = Math.min(op.deadlineAt, this.#shutdownDeadlineAt);
    }
    let deadlineTimer: TimerHandle | undefined;
    const deadline = new Promise<false>((resolve) => {
      deadlineTimer = unrefTimeout(() => resolve(false), budget);
    });
    try {
      const mark = this.#queue.tailPosition;
      const drained = this.#isSettledUpTo(mark) || this.#waiters.wait(mark);
      this.#pump();
      if ((await Promise.race([drained, deadline])) === false) this.#abandonAll('shutdown_timeout');
      const onShutdown = this.#callOnShutdown();
      const left = budget - (Date.now() - startedAt);
      if (left > 0) await Promise.race([onShutdown, deadline]);
    } finally {
      clearTimeout(deadlineTimer);
      this.#state = CLOSED;
      this.#clearTimer();
      this.#warner.stop();
      this.#keepAlive.release();
    }
  }

  async #callOnShutdown(): Promise<void> {
    try {
      await this.#onShutdown?.();
    } catch (error) {
      this.#logger.warn(`${this.#name}: exporter shutdown failed`, error);
    }
  }

  #schedulePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(this.#runQueuedPump);
  }

  readonly #runQueuedPump = (): void => {
    this.#pumpQueued = false;
    this.#pump();
  };

  /** Starts as many exports as slots and triggers allow. */
  #pump(): void {
    if (this.#state === CLOSED) return;
    const queue = this.#queue;
    const partialAllowed = this.#due || this.#waiters.size > 0 || this.#state === DRAINING;
    let took = false;
    while (
      this.#activeExports < this.#maxConcurrent &&
      queue.size > 0 &&
      (partialAllowed || queue.size >= this.#batchSize)
    ) {
      this.#startExport();
      took = true;
    }
    if (took) {
      // Eager re-arm: what is left waits a fresh scheduled delay from this export.
      this.#due = false;
      this.#clearTimer();
    }
    if (queue.size > 0 && this.#timer === undefined && !this.#due && this.#state === RUNNING) {
      this.#armTimer();
    }
  }

  #startExport(): void {
    const queue = this.#queue;
    const op = new InFlightExport(queue.headPosition, 0);
    const batch = queue.take(this.#batchSize);
    op.unsettled = batch.length;
    this.#inFlight.add(op);
    this.#inFlightRecords += batch.length;
    this.#activeExports++;
    if (this.#observer !== undefined) {
      op.startedAt = performance.now();
      this.#observer.exportStarted(batch.length);
    }
    op.deadline = unrefTimeout(
      () => this.#expire(op, 'export_timeout'),
      this.options.exportTimeoutMillis,
    );
    op.deadlineAt = Math.min(
      Date.now() + this.options.exportTimeoutMillis,
      this.#shutdownDeadlineAt,
    );
    const context: ExportBatchContext = {
      get signal() {
        return op.signal;
      },
      get deadline() {
        return op.deadlineAt;
      },
      settle: (count, outcome) => this.#settle(op, count, outcome),
      countRetry: () => {
        if (op.unsettled > 0) this.#retries++;
      },
    };
    let result: Promise<void> | void;
    try {
      result = this.#exportBatch(batch, context);
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      () => this.#finish(op, true, undefined),
      (error: unknown) => this.#finish(op, false, error),
    );
  }

  #settle(op: InFlightExport, count: number, outcome: RecordOutcome): void {
    const valid = VALID_OUTCOMES.has(outcome) ? outcome : 'rejected';
    const n = op.claim(count);
    if (n === 0) return;
    this.#inFlightRecords -= n;
    if (valid === 'exported') this.#exported += n;
    else {
      this.#drop(valid, n);
      op.firstFailure ??= valid;
    }
    if (this.#observer !== undefined) {
      this.#observer.exportSettled(valid, n);
      if (op.unsettled === 0) {
        this.#observer.exportCompleted(performance.now() - op.startedAt, op.firstFailure);
      }
    }
    if (op.unsettled === 0) this.#inFlight.delete(op);
    if (this.#waiters.size > 0) this.#checkWaiters();
  }

  #finish(op: InFlightExport, ok: boolean, error: unknown): void {
    if (op.deadline !== undefined) {
      clearTimeout(op.deadline);
      op.deadline = undefined;
    }
    this.#activeExports--;
    if (op.unsettled > 0) {
      if (!ok) {
        this.#logger.warn(
          `${this.#name}: export failed; ${op.unsettled} records dropped as rejected`,
          error,
        );
      }
      this.#settle(op, op.unsettled, ok ? 'exported' : 'rejected');
    }
    this.#pump();
  }

  /** A deadline passed: the records still unsettled are dropped and the export is aborted. */
  #expire(op: InFlightExport, reason: ExportDeadline): void {
    if (op.deadline !== undefined) {
      clearTimeout(op.deadline);
      op.deadline = undefined;
    }
    if (op.unsettled > 0) {
      this.#logger.debug(`${this.#name}: ${op.unsettled} records dropped as ${reason}`);
      this.#settle(op, op.unsettled, reason);
    }
    const millis =
      reason === 'export_timeout' ? this.options.exportTimeoutMillis : this.#shutdownBudget;
    op.abort(new ExportAbortedError(reason, millis));
  }

  #abandonAll(reason: ExportDeadline): void {
    for (const op of [...this.#inFlight]) this.#expire(op, reason);
    const left = this.#queue.clear();
    if (left > 0) {
      this.#drop(reason, left);
      this.#observer?.queueDropped(reason, left);
    }
    this.#checkWaiters();
  }

  #isSettledUpTo(mark: number): boolean {
    if (this.#queue.headPosition < mark) return false;
    for (const op of this.#inFlight) if (op.startPosition < mark) return false;
    return true;
  }

  #checkWaiters(): void {
    this.#waiters.resolveWhere((mark) => this.#isSettledUpTo(mark));
  }

  /** A record the queue gave up (the arriving one, or an evicted one) of severity `severity`. */
  #shed(severity: number): void {
    const shed = this.#shedBySeverity;
    const index = severityClass(severity);
    shed[index] = (shed[index] as number) + 1;
    this.#dropped.queue_full++;
    this.#warner.note();
    this.#observer?.queueDropped('queue_full', 1);
  }

  #drop(reason: DropReason, count: number): void {
    this.#dropped[reason] += count;
    this.#warner.note();
  }

  #armTimer(): void {
    this.#timer = unrefTimeout(this.#onTimer, this.options.scheduledDelayMillis);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#due = true;
    this.#pump();
  };

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

/** Clamps a severity number to a class of {@link SeverityQueue}: 1-24, else 0 (none). */
function severityClass(severity: number): number {
  return severity >= 1 && severity < SEVERITY_CLASSES ? Math.floor(severity) : 0;
}

/** Wraps a hot-path callback so that it can neither throw nor return garbage. */
function guarded<T>(
  name: string,
  fn: ((record: T) => number) | undefined,
  fallback: number,
): (record: T) => number {
  const checked = functionOption(name, fn);
  if (checked === undefined) return () => fallback;
  return (record) => {
    try {
      const value = checked(record);
      return typeof value === 'number' && value >= 0 ? value : fallback;
    } catch {
      return fallback;
    }
  };
}

/** Validates an optional function option; the error names it and echoes the value. */
function functionOption<F extends (...args: never[]) => unknown>(
  name: string,
  value: F | undefined,
): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates an optional string option; the error names it and echoes the value. */
function stringOption(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, got ${describeValue(value)}`);
  }
  return value;
}

/** Wraps an observer so that a throwing one cannot break the engine. */
function safeObserver(observer: EngineObserver): EngineObserver {
  const call =
    <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      try {
        fn?.apply(observer, args);
      } catch {
        // metrics are best effort; the engine's own counters stay exact
      }
    };
  return {
    queueDropped: call(observer.queueDropped),
    exportStarted: call(observer.exportStarted),
    exportSettled: call(observer.exportSettled),
    exportCompleted: call(observer.exportCompleted),
  };
}

/** Folds drop counts by severity class into the ranges `stats()` reports. */
function foldBySeverityRange(bySeverity: Float64Array): Record<SeverityRange, number> {
  const ranges = Object.fromEntries(SEVERITY_RANGES.map((r) => [r, 0])) as Record<
    SeverityRange,
    number
  >;
  bySeverity.forEach((count, severity) => {
    ranges[severityRangeOf(severity)] += count;
  });
  return ranges;
}
