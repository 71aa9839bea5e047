import { type DropReason, zeroDropCounts } from '../stats/drop-reason.js';
import type { ReporterStats } from '../stats/reporter-stats.js';
import { type DiagnosticLogger, safeLogger } from '../support/diagnostic-logger.js';
import {
  describeValue,
  functionOption,
  stringOption,
  timeoutMillisError,
} from '../support/option-checks.js';
import { KeepAlive, resolveFalseAfter, type TimerHandle, unrefTimeout } from '../support/timers.js';
import {
  type OverflowPolicy,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from './batch-options.js';
import { guarded, guardedCallback, safeObserver } from './callback-guards.js';
import { DropWarner } from './drop-warner.js';
import type { BatchEngineOptions, EngineObserver } from './engine-types.js';
import type { ExportDeadline } from './export-aborted-error.js';
import { ExportSlots } from './export-slots.js';
import { FlushWaiters } from './flush-waiters.js';
import { canMakeRoom } from './ranked-overflow.js';
import { RingBuffer } from './ring-buffer.js';
import { foldBySeverityRange } from './severity-counts.js';
import { SEVERITY_CLASSES, SeverityQueue, severityClass } from './severity-queue.js';
import { SpoolAccount } from './spool-account.js';

/** With a spool, the most of the shutdown budget kept to spill what is left to it. */
const SPILL_RESERVE_MILLIS = 1000;

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

/**
 * A bounded queue with size and time triggers in front of an export function.
 *
 * `offer` is the hot path: O(1), never throws, never awaits, never allocates a timer per record.
 * Exports start on a microtask, at most `maxConcurrentExports` at a time, each with a deadline.
 * Every record offered is, at every instant, counted once as exported, dropped (by reason),
 * queued or in flight.
 *
 * An export holds its slot until its promise settles, and at most one `exportTimeoutMillis` past
 * its deadline: one still running then is abandoned (its slot is released, a warning logged) so
 * that an exporter that ignores its `AbortSignal` cannot stop exporting, flushes or exit for
 * good. At the shutdown deadline every running export is aborted and abandoned at once.
 */
export class BatchEngine<T> {
  /** The options in effect, defaults applied. */
  readonly options: ResolvedBatchOptions;
  readonly #onShutdown: (() => Promise<void> | void) | undefined;
  readonly #logger: DiagnosticLogger;
  readonly #name: string;
  readonly #queue: QueueView<T>;
  /** Backs the default policies without a byte limit: the fastest hot path. */
  readonly #ring: RingBuffer<T> | undefined;
  /** Backs `drop_lowest_severity` and byte-bounded queues. */
  readonly #ranked: SeverityQueue<T> | undefined;
  readonly #batchSize: number;
  readonly #dropOldest: boolean;
  readonly #policy: OverflowPolicy;
  readonly #maxBytes: number;
  readonly #severityOf: (record: T) => number;
  readonly #sizeOf: (record: T) => number;
  /**
   * Records shed by the queue, by severity class (0: none). Classes, not range names: the drop
   * path is then one typed-array increment; `stats()` folds them into ranges.
   */
  readonly #shedBySeverity: Float64Array = new Float64Array(SEVERITY_CLASSES);
  readonly #observer: EngineObserver | undefined;
  readonly #slots: ExportSlots<T>;
  readonly #dropped: Record<DropReason, number>;
  readonly #warner: DropWarner;
  readonly #waiters: FlushWaiters;
  readonly #keepAlive = new KeepAlive();
  readonly #spool: SpoolAccount;
  readonly #spillQueued: BatchEngineOptions<T>['spillQueued'];
  readonly #abandonSpoolWrites: (() => void) | undefined;
  #received = 0;
  #timer: TimerHandle | undefined;
  /** The scheduled delay passed while no slot was free: export a partial batch when one frees. */
  #due = false;
  #pumpQueued = false;
  #state = RUNNING;
  #shutdownPromise: Promise<void> | undefined;

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
    this.#onShutdown = functionOption('onShutdown', options.onShutdown);
    this.#batchSize = this.options.maxExportBatchSize;
    this.#policy = this.options.overflowPolicy;
    this.#dropOldest = this.#policy === 'drop_oldest';
    this.#maxBytes = this.options.maxQueueBytes;
    this.#severityOf = guarded('severityOf', options.severityOf, 0);
    this.#sizeOf = guarded('sizeOf', options.sizeOf, 1);
    if (this.#policy === 'drop_lowest_severity' || this.#maxBytes !== Number.POSITIVE_INFINITY) {
      this.#ranked = new SeverityQueue<T>(this.options.maxQueueSize);
      this.#queue = this.#ranked;
    } else {
      this.#ring = new RingBuffer<T>(this.options.maxQueueSize);
      this.#queue = this.#ring;
    }
    this.#dropped = zeroDropCounts();
    const onDropWarning = guardedCallback(functionOption('onDropWarning', options.onDropWarning));
    const logger = this.#logger;
    this.#warner = new DropWarner(
      this.#name,
      this.options.dropWarningIntervalMillis,
      onDropWarning ?? ((message) => logger.warn(message)),
      () => this.#dropped,
    );
    this.#waiters = new FlushWaiters(this.#keepAlive);
    this.#observer = safeObserver(options.observer);
    this.#spool = new SpoolAccount((reason, count) => this.#drop(reason, count), this.#observer);
    this.#spillQueued = functionOption('spillQueued', options.spillQueued);
    this.#abandonSpoolWrites = guardedCallback(
      functionOption('abandonSpoolWrites', options.abandonSpoolWrites),
    );
    this.#slots = new ExportSlots<T>({
      name: this.#name,
      exportBatch: options.exportBatch,
      maxConcurrentExports: this.options.maxConcurrentExports,
      exportTimeoutMillis: this.options.exportTimeoutMillis,
      warningIntervalMillis: this.options.dropWarningIntervalMillis,
      logger: this.#logger,
      observer: this.#observer,
      drop: (reason, count) => this.#drop(reason, count),
      onSettled: () => {
        if (this.#waiters.size > 0) this.#checkWaiters();
      },
      onSlotFreed: () => this.#pump(),
      onExportFailure: guardedCallback(functionOption('onExportFailure', options.onExportFailure)),
      spool: this.#spool,
    });
  }

  /**
   * Accepts a record: O(1), never throws. Returns false when the record itself was dropped
   * (queue full under `drop_newest`, or shut down); every drop is counted.
   */
  offer(record: T): boolean {
    // `received` grows in the same step as the queue or a drop count, with no callback of the
    // user's in between: `severityOf` and `sizeOf` read the record (a getter may read stats()),
    // so they run first, and any reader sees the identity hold.
    if (this.#state !== RUNNING) {
      this.#received++;
      this.#drop('already_shutdown', 1);
      this.#observer?.queueDropped('already_shutdown', 1);
      return false;
    }
    const ring = this.#ring;
    if (ring === undefined) return this.#offerRanked(record);
    if (ring.push(record)) {
      this.#received++;
      this.#afterAccept();
      return true;
    }
    if (!this.#dropOldest) {
      const severity = this.#severityOf(record);
      this.#received++;
      this.#shed(severity);
      return false;
    }
    const severity = this.#severityOf(ring.peek() as T);
    ring.shift();
    ring.push(record);
    this.#received++;
    this.#shed(severity);
    if (this.#waiters.size > 0) this.#checkWaiters();
    this.#afterAccept();
    return true;
  }

  /** `offer` for `drop_lowest_severity` and byte-bounded queues. */
  #offerRanked(record: T): boolean {
    const queue = this.#ranked as SeverityQueue<T>;
    const maxBytes = this.#maxBytes;
    const severity = severityClass(this.#severityOf(record));
    const bytes = maxBytes === Number.POSITIVE_INFINITY ? 0 : this.#sizeOf(record);
    this.#received++;
    if (queue.isFull || queue.bytes + bytes > maxBytes) {
      // Without a byte limit the policy is drop_lowest_severity and one eviction always makes
      // room: a lower record must exist. With one, ask whether evicting can make room at all.
      const refused =
        maxBytes === Number.POSITIVE_INFINITY
          ? queue.lowestSeverity() >= severity
          : !canMakeRoom(queue, severity, bytes, maxBytes, this.#policy);
      if (refused) {
        this.#shed(severity);
        return false;
      }
      // The loop stays here, not in a helper, so that the hot path inlines into the processor.
      // The class test only guards against drift of fractional byte estimates.
      do {
        if (this.#dropOldest) queue.evictOldest();
        else if (queue.lowestSeverity() < severity) queue.evictLowest();
        else break;
        this.#shed(queue.lastEvictedSeverity);
      } while (queue.size > 0 && (queue.isFull || queue.bytes + bytes > maxBytes));
      if (this.#waiters.size > 0) this.#checkWaiters();
    }
    queue.push(record, severity, bytes);
    this.#afterAccept();
    return true;
  }

  /** Arms the triggers after a record joined the queue. */
  #afterAccept(): void {
    const queue = this.#queue;
    if (queue.size >= this.#batchSize) {
      if (this.#slots.hasFreeSlot) this.#reserveFullBatch();
    } else if (this.#timer === undefined && !this.#due) {
      this.#armTimer();
    }
  }

  /**
   * A full batch is queued and a slot is free: the batch leaves the queue now, on the emitting
   * call, so that a synchronous burst finds room for `maxQueueSize` more records (as in
   * OpenTelemetry's processors); its export starts on the next microtask, off the caller's stack.
   * O(batch) once per batch.
   */
  #reserveFullBatch(): void {
    const queue = this.#queue;
    const startPosition = queue.headPosition;
    this.#slots.reserve(queue.take(this.#batchSize), startPosition);
    // Eager re-arm: what follows waits a fresh scheduled delay from this export.
    this.#due = false;
    this.#clearTimer();
    this.#schedulePump();
  }

  /**
   * Resolves `true` once every record offered before the call is exported or dropped; partial
   * batches go out at once, still `maxConcurrentExports` at a time. Concurrent callers share the
   * work. With `timeoutMillis`, resolves `false` when it passes; nothing queued is lost, it is
   * exported later as usual. Once `shutdown()` was called, resolves `true` when the shutdown ends,
   * or `false` at `timeoutMillis` if that comes first.
   */
  flush(timeoutMillis?: number): Promise<boolean> {
    const badTimeout = timeoutMillisError(timeoutMillis);
    if (badTimeout !== undefined) return Promise.reject(badTimeout);
    if (this.#state !== RUNNING) {
      const shutdown = this.shutdown().then(() => true);
      return timeoutMillis === undefined ? shutdown : resolveFalseAfter(shutdown, timeoutMillis);
    }
    const mark = this.#queue.tailPosition;
    if (this.#isSettledUpTo(mark)) return Promise.resolve(true);
    const result = this.#waiters.wait(mark, timeoutMillis);
    this.#schedulePump();
    return result;
  }

  /**
   * Stops accepting records, exports everything queued, waits for the running exports to settle,
   * then calls `onShutdown`, all within `timeoutMillis` (default `shutdownTimeoutMillis`). At that
   * deadline, what is left is counted as `shutdown_timeout` and every running export is aborted
   * and abandoned. Idempotent: later calls return the first call's promise, whatever their
   * timeout. Never rejects, except with a `TypeError` for a bad `timeoutMillis`.
   */
  shutdown(timeoutMillis?: number): Promise<void> {
    const badTimeout = timeoutMillisError(timeoutMillis);
    if (badTimeout !== undefined) return Promise.reject(badTimeout);
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
    const slots = this.#slots;
    return {
      received: this.#received,
      exported: slots.exported + this.#spool.exported,
      queued: this.#queue.size,
      inFlight: slots.inFlightRecords,
      spooled: this.#spool.spooled,
      retries: slots.retries,
      dropped: { ...this.#dropped },
      droppedBySeverity: foldBySeverityRange(this.#shedBySeverity),
    };
  }

  async #shutdown(budget: number): Promise<void> {
    this.#state = DRAINING;
    this.#clearTimer();
    this.#keepAlive.hold();
    const startedAt = Date.now();
    // With a spool, the drain stops a little before the deadline, and what is still queued or
    // in flight then is spilled to the spool within what is left.
    const spill = this.#spillQueued;
    const drainBudget =
      spill === undefined
        ? budget
        : budget - Math.min(SPILL_RESERVE_MILLIS, Math.floor(budget / 4));
    this.#slots.beginShutdown(startedAt + drainBudget, drainBudget);
    let deadlineTimer: TimerHandle | undefined;
    let drainTimer: TimerHandle | undefined;
    const deadline = new Promise<false>((resolve) => {
      deadlineTimer = unrefTimeout(() => resolve(false), budget);
    });
    const drainDeadline =
      drainBudget === budget
        ? deadline
        : new Promise<false>((resolve) => {
            drainTimer = unrefTimeout(() => resolve(false), drainBudget);
          });
    try {
      const mark = this.#queue.tailPosition;
      const drained = this.#isSettledUpTo(mark) || this.#waiters.wait(mark);
      this.#pump();
      // Settled records are not enough: an export that reported every outcome may still be
      // sending, and the exporter must not be shut down under it.
      const done =
        (await Promise.race([drained, drainDeadline])) !== false &&
        (await Promise.race([this.#slots.whenIdle(), drainDeadline])) !== false;
      let spilled: Promise<void> | undefined;
      if (!done) {
        if (spill !== undefined) spilled = this.#spill(spill);
        this.#abandonAll('shutdown_timeout');
      }
      const onShutdown = Promise.all([spilled, this.#callOnShutdown()]).then(() => true);
      const left = budget - (Date.now() - startedAt);
      const ended = left > 0 && (await Promise.race([onShutdown, deadline]));
      // Spool writes still running may not outlive the process: not counted as spooled.
      if (!ended) this.#abandonSpoolWrites?.();
    } finally {
      clearTimeout(deadlineTimer);
      clearTimeout(drainTimer);
      this.#state = CLOSED;
      this.#clearTimer();
      this.#warner.stop();
      this.#keepAlive.release();
    }
  }

  /**
   * Hands every queued record to `spill` (they count as spooled at once; what it cannot persist
   * it settles as shutdown_timeout). Never rejects.
   */
  async #spill(spill: NonNullable<BatchEngineOptions<T>['spillQueued']>): Promise<void> {
    const queue = this.#queue;
    const records = queue.take(queue.size);
    if (records.length === 0) return;
    this.#spool.take(records.length);
    this.#checkWaiters();
    try {
      await spill(records, (count, outcome, error) => this.#spool.settle(count, outcome, error));
    } catch (error) {
      this.#logger.warn(`${this.#name}: spilling the queue to the spool failed`, error);
      this.#spool.settle(records.length, 'shutdown_timeout', error);
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

  /** Starts the reserved exports, then as many more as slots and triggers allow. */
  #pump(): void {
    this.#slots.startReserved();
    if (this.#state === CLOSED) return;
    const queue = this.#queue;
    const slots = this.#slots;
    const partialAllowed = this.#due || this.#waiters.size > 0 || this.#state === DRAINING;
    let took = false;
    while (
      slots.hasFreeSlot &&
      queue.size > 0 &&
      (partialAllowed || queue.size >= this.#batchSize)
    ) {
      const startPosition = queue.headPosition;
      slots.start(queue.take(this.#batchSize), startPosition);
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

  /** The shutdown deadline passed: exports and queued records alike are cut. */
  #abandonAll(reason: ExportDeadline): void {
    this.#slots.abandonAll(reason);
    const left = this.#queue.clear();
    if (left > 0) {
      this.#drop(reason, left);
      this.#observer?.queueDropped(reason, left);
    }
    this.#checkWaiters();
  }

  #isSettledUpTo(mark: number): boolean {
    return this.#queue.headPosition >= mark && !this.#slots.hasUnsettledBefore(mark);
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
