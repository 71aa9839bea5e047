import { randomUUID } from 'node:crypto';
import type { ExportBatchContext } from '../engine/engine-types.js';
import type { FileSpool, SpoolLease, SpoolStats } from '../spool/spool-types.js';
import type { DropReason, RecordOutcome } from '../stats/drop-reason.js';
import type { SpoolSummary } from '../stats/spool-summary.js';
import type { DiagnosticLogger } from '../support/diagnostic-logger.js';
import { Throttle, WARNING_INTERVAL_MILLIS } from '../support/throttle.js';
import { type TimerHandle, unrefTimeout } from '../support/timers.js';
import type { ResolvedRetryOptions } from './retry-policy.js';
import { sendWithRetry } from './send-with-retry.js';
import type { Transport } from './transport.js';

/**
 * How a delivery uses its spool:
 * - `fallback`: a batch whose delivery failed retryably and would be dropped (retries
 *   exhausted, the export deadline, the shutdown deadline) is written to the spool instead;
 * - `write-ahead`: in addition, every batch is written before its first send and deleted after
 *   its delivery, so that a crash (`kill -9`) loses at most what is still in the memory queue.
 */
export type SpoolMode = 'fallback' | 'write-ahead';

/** Every {@link SpoolMode}. */
export const SPOOL_MODES: readonly SpoolMode[] = Object.freeze([
  'fallback',
  'write-ahead',
] as const);

/** A payload on its way, as a deadline or a give-up hands it to the spool. */
export interface SpoolablePart<Payload> {
  readonly payload: Payload;
  readonly count: number;
  /** The batch's de-duplication key, sent with every attempt and stored with the batch. */
  readonly batchId: string;
  /** Write-ahead: the write of the part before its first send, resolving to its lease. */
  written: Promise<SpoolLease | undefined> | undefined;
}

/** A new batch id: 32 lowercase hex digits, as the spool stores it and replays send it. */
export function newBatchId(): string {
  return randomUUID().replaceAll('-', '');
}

/** A replay's whole time per batch, retries included. */
const REPLAY_TIMEOUT_MILLIS = 30_000;

/** The spool's counters of this instance's records that left the spool without a replay. */
const OWN_LOSSES: readonly [keyof SpoolStats, DropReason][] = [
  ['evicted', 'spool_full'],
  ['expired', 'spool_expired'],
  ['corrupt', 'spool_corrupt'],
  ['vanished', 'spool_corrupt'],
];

/** Directories a keeper of this process has open: one exporter's replays per directory. */
const directoriesInUse = new Set<string>();

type SettleSpooled = (count: number, outcome: RecordOutcome, error?: unknown) => void;

/** Records handed to the spool whose write has not ended yet, and how to settle them. */
interface Unwritten {
  readonly count: number;
  readonly settle: SettleSpooled;
  /** Settled as shutdown_timeout by {@link SpoolKeeper.abandonWrites}: the write's end is moot. */
  abandoned: boolean;
}

/**
 * The spool side of a delivery: writes the batches that would be dropped (or every batch, ahead
 * of its send), replays them oldest first whenever a send succeeds, once at start and now and
 * then while some wait, and keeps the accounting exact. Records handed to the spool count as
 * spooled until a replay delivers them (exported), the backend refuses them (rejected), or the
 * spool loses them (spool_full, spool_expired, spool_corrupt). Batches of earlier processes are
 * replayed too, and counted apart, in {@link SpoolSummary}.
 */
export class SpoolKeeper<Payload> {
  readonly mode: SpoolMode;
  readonly #spool: FileSpool;
  readonly #transport: Transport<Payload>;
  readonly #retry: ResolvedRetryOptions;
  readonly #contentType: string | undefined;
  readonly #logger: DiagnosticLogger;
  readonly #probeIntervalMillis: number;
  readonly #failureWarnings = new Throttle(WARNING_INTERVAL_MILLIS);
  /** Settles this process's spooled records; set by the first hand-off or spill. */
  #settleSpooled: SettleSpooled | undefined;
  /** Own losses already settled, by spool counter. */
  readonly #settledLosses = new Map<keyof SpoolStats, number>();
  readonly #pending = new Set<Promise<void>>();
  /** Hand-offs still being written: a replay that finds the spool empty meanwhile looks again. */
  readonly #keeping = new Set<Promise<void>>();
  /** Records counted as spooled whose write (or write-ahead write) has not ended yet. */
  readonly #unwritten = new Set<Unwritten>();
  readonly #replayAbort = new AbortController();
  #replaying: Promise<void> | undefined;
  #retryTimer: TimerHandle | undefined;
  /** A send succeeded since the running replay started. */
  #backendUp = false;
  /** The last delivery or replay failed retryably, and nothing succeeded since. */
  #down = false;
  #replayedRecords = 0;
  #rejectedFromEarlier = 0;
  #lostFromEarlier = 0;
  #writeFailures = 0;
  #closed: Promise<void> | undefined;

  /** Throws a `TypeError` when another keeper of this process has the directory open. */
  constructor(options: {
    spool: FileSpool;
    mode: SpoolMode;
    transport: Transport<Payload>;
    retry: ResolvedRetryOptions;
    contentType: string | undefined;
    logger: DiagnosticLogger;
    probeIntervalMillis: number;
  }) {
    const { spool } = options;
    if (directoriesInUse.has(spool.directory)) {
      // Replays would send one exporter's batches through the other's transport.
      throw new TypeError(
        `spool: the directory ${JSON.stringify(spool.directory)} is already used by another exporter of this process; give each exporter a spool of its own directory`,
      );
    }
    directoriesInUse.add(spool.directory);
    this.mode = options.mode;
    this.#spool = spool;
    this.#transport = options.transport;
    this.#retry = options.retry;
    this.#contentType = options.contentType;
    this.#logger = options.logger;
    this.#probeIntervalMillis = options.probeIntervalMillis;
    // Batches an earlier process left behind go out as soon as this one can send.
    this.#retryTimer = unrefTimeout(() => this.replay('start'), 0);
  }

  /**
   * True while the backend is known to be down: a batch failed retryably and nothing succeeded
   * since. The delivery then writes new batches straight to the spool instead of sending them
   * (and waiting out their retries while the memory queue overflows); a probe every few seconds
   * replays the oldest batch, and its success ends the outage.
   */
  get backendDown(): boolean {
    return this.#down;
  }

  /** What the spool holds and did. */
  summary(): SpoolSummary {
    this.#reconcile();
    const stats = this.#spool.stats();
    return {
      files: stats.files,
      bytes: stats.bytes,
      writing: this.#writingRecords(),
      replayed: this.#replayedRecords,
      droppedFromEarlier: this.#rejectedFromEarlier + this.#lostFromEarlier,
      writeFailures: this.#writeFailures,
    };
  }

  /**
   * Write-ahead: persists a part before its first send, leased by this process so that no replay
   * sends it meanwhile. Resolves `undefined` when the disk refused it: the part is then sent as
   * without a spool. Never rejects.
   */
  writeAhead(part: SpoolablePart<Payload>): Promise<SpoolLease | undefined> {
    return this.#spool
      .write(
        { payload: part.payload as string | Uint8Array, ...this.#meta(part) },
        { leased: true },
      )
      .then((result) => {
        this.#reconcile();
        if (result.ok) return result.lease;
        this.#warnFailure(
          `write-ahead of ${part.count} records failed (${result.reason}); sending them without it`,
          result.error,
        );
        return undefined;
      });
  }

  /**
   * The part was delivered, rejected or dropped: its write-ahead file, if any, is deleted (it
   * holds no spooled record).
   */
  discard(part: SpoolablePart<Payload>): void {
    const written = part.written;
    part.written = undefined;
    if (written !== undefined) this.#track(written.then((lease) => lease?.complete()));
  }

  /**
   * Moves the part's unsettled records into the spool instead of dropping them as `reason`:
   * they count as spooled at once (synchronously, so that a deadline does not drop them), and as
   * `reason` after all if the disk refuses them. Never throws.
   */
  keep(part: SpoolablePart<Payload>, context: ExportBatchContext, reason: DropReason): void {
    if (reason === 'retries_exhausted' || reason === 'export_timeout') this.#markDown();
    const count = context.handOff(part.count);
    this.#settleSpooled ??= context.settleSpooled;
    const written = part.written ?? Promise.resolve(undefined);
    part.written = undefined;
    if (count === 0) {
      this.#track(written.then((lease) => lease?.complete()));
      return;
    }
    const unwritten = this.#unwrittenRecords(count, context.settleSpooled);
    const kept = written
      .then((lease) => {
        if (lease === undefined) {
          return this.#persist(part, count, (error) => {
            if (!unwritten.abandoned) context.settleSpooled(count, reason, error);
          });
        }
        // Written ahead: it is on disk already, and goes back to the replay order.
        this.#unwritten.delete(unwritten);
        return lease.release();
      })
      .finally(() => this.#unwritten.delete(unwritten));
    this.#track(kept);
    const done = kept.then(
      () => {},
      () => {},
    );
    this.#keeping.add(done);
    void done.then(() => this.#keeping.delete(done));
  }

  /**
   * Persists a part of records already counted as spooled (the queue spilled at shutdown);
   * what the disk refuses is settled as `shutdown_timeout` through `settle`. Never rejects.
   */
  store(part: SpoolablePart<Payload>, settle: SettleSpooled): Promise<void> {
    this.#settleSpooled ??= settle;
    const unwritten = this.#unwrittenRecords(part.count, settle);
    const stored = this.#persist(part, part.count, (error) => {
      if (!unwritten.abandoned) settle(part.count, 'shutdown_timeout', error);
    }).finally(() => this.#unwritten.delete(unwritten));
    this.#track(stored);
    return stored;
  }

  /**
   * The shutdown deadline passed with writes still running: the process may end before they do,
   * so their records are settled as `shutdown_timeout` now instead of staying counted as spooled
   * (safe on disk) when they may be lost. A write that ends after all leaves a batch the next
   * process replays. Never throws.
   */
  abandonWrites(): void {
    let count = 0;
    for (const unwritten of this.#unwritten) {
      unwritten.abandoned = true;
      unwritten.settle(unwritten.count, 'shutdown_timeout');
      count += unwritten.count;
    }
    this.#unwritten.clear();
    if (count > 0) {
      this.#logger.warn(
        `${count} records were still being written to the spool at the shutdown deadline: counted as shutdown_timeout`,
      );
    }
  }

  /**
   * Replays what waits in the spool. `success`: a send just succeeded, so the backend is up;
   * batches still being written then are replayed too, once on disk.
   */
  replay(trigger: 'success' | 'start' | 'retry' = 'success'): void {
    if (trigger === 'success') {
      this.#backendUp = true;
      this.#down = false;
    }
    if (this.#replaying !== undefined || this.#closed !== undefined) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#replaying = this.#replayAll().then(
      (emptied) => {
        this.#replaying = undefined;
        const upSeen = this.#backendUp;
        this.#backendUp = false;
        if (this.#closed !== undefined) return;
        if (!emptied) {
          // Some left and the backend failed again: probe later, even if nothing else succeeds.
          this.#markDown();
        } else if (this.#keeping.size > 0) {
          // Batches handed off meanwhile were not on disk yet when the spool looked empty.
          if (upSeen) void Promise.all(this.#keeping).then(() => this.replay());
          else if (this.#down) this.#markDown();
        } else {
          // Nothing left to probe with: the next export tries the backend itself.
          this.#down = false;
        }
      },
      (error: unknown) => {
        this.#replaying = undefined;
        this.#logger.warn('spool replay failed', error);
      },
    );
  }

  /**
   * Waits for pending writes, stops replaying, closes the spool. Idempotent; never rejects.
   * Spooled batches stay on disk for the next process.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearTimeout(this.#retryTimer);
      this.#replayAbort.abort();
      // No replay of ours goes out from here on (only writes finish): another exporter may
      // take the directory over, even while a slow shutdown still waits for them.
      directoriesInUse.delete(this.#spool.directory);
      await Promise.all([...this.#pending, this.#replaying]);
      await this.#spool.close();
      this.#reconcile();
    })();
    return this.#closed;
  }

  /** The backend is down: batches go to the spool unsent, and a probe is scheduled. */
  #markDown(): void {
    this.#down = true;
    if (this.#retryTimer !== undefined || this.#replaying !== undefined) return;
    if (this.#closed !== undefined) return;
    // One probe at a time; replay() clears the timer when it starts.
    this.#retryTimer = unrefTimeout(() => this.replay('retry'), this.#probeIntervalMillis);
  }

  /** Writes a part; `onFailure` is told when the disk refused it. Never rejects. */
  async #persist(
    part: SpoolablePart<Payload>,
    count: number,
    onFailure: (error: unknown) => void,
  ): Promise<void> {
    const result = await this.#spool.write({
      payload: part.payload as string | Uint8Array,
      ...this.#meta(part),
      recordCount: count,
    });
    this.#reconcile();
    if (result.ok) return;
    this.#writeFailures += count;
    this.#warnFailure(
      `${count} records could not be spooled (${result.reason}); dropped instead`,
      result.error,
    );
    onFailure(result.error ?? new Error(result.message));
  }

  /** Oldest first, one at a time; true once the spool is empty, false when a batch failed. */
  async #replayAll(): Promise<boolean> {
    while (!this.#replayAbort.signal.aborted) {
      const lease = await this.#spool.lease();
      this.#reconcile();
      if (lease === undefined) return true;
      if (!(await this.#replayOne(lease))) return false;
    }
    return true;
  }

  /** Replays one batch; false when the backend is down again (the batch stays spooled). */
  async #replayOne(lease: SpoolLease): Promise<boolean> {
    const { batch } = lease;
    // A controller and a timer of our own rather than AbortSignal.timeout: fake timers apply.
    const timeout = new AbortController();
    const stop = (): void => timeout.abort(this.#replayAbort.signal.reason);
    this.#replayAbort.signal.addEventListener('abort', stop, { once: true });
    const timer = unrefTimeout(() => timeout.abort(), REPLAY_TIMEOUT_MILLIS);
    const outcome = await sendWithRetry(this.#transport, batch.payload as Payload, {
      recordCount: batch.recordCount,
      batchId: batch.id,
      contentType: batch.contentType,
      signal: timeout.signal,
      deadline: Date.now() + REPLAY_TIMEOUT_MILLIS,
      retry: this.#retry,
    });
    clearTimeout(timer);
    this.#replayAbort.signal.removeEventListener('abort', stop);
    if (outcome.kind !== 'delivered' && outcome.kind !== 'rejected') {
      await lease.release();
      if (outcome.kind === 'gave_up') {
        this.#warnFailure('spool replay failed; the batch stays spooled', outcome.error);
      }
      return false;
    }
    // Delivered or refused, the backend answered: it is up.
    this.#down = false;
    await lease.complete();
    if (outcome.kind === 'delivered') this.#replayedRecords += batch.recordCount;
    if (outcome.kind === 'delivered') {
      if (batch.writtenByThisSpool) this.#settleSpooled?.(batch.recordCount, 'exported');
    } else {
      if (batch.writtenByThisSpool) {
        this.#settleSpooled?.(batch.recordCount, 'rejected', outcome.error);
      } else {
        this.#rejectedFromEarlier += batch.recordCount;
      }
      this.#warnFailure(`${batch.recordCount} spooled records rejected on replay`, outcome.error);
    }
    this.#reconcile();
    return true;
  }

  /**
   * Settles this process's records the spool lost (evicted, expired, corrupt, vanished), from
   * its counters: they leave `spooled` for their drop reason. Earlier processes' losses are
   * tallied apart.
   */
  #reconcile(): void {
    const stats = this.#spool.stats();
    let earlier = 0;
    for (const [counter, reason] of OWN_LOSSES) {
      const tally = stats[counter] as { records: number; ownRecords: number };
      const before = this.#settledLosses.get(counter) ?? 0;
      if (tally.ownRecords > before && this.#settleSpooled !== undefined) {
        this.#settledLosses.set(counter, tally.ownRecords);
        this.#settleSpooled(tally.ownRecords - before, reason);
      }
      earlier += tally.records - tally.ownRecords;
    }
    this.#lostFromEarlier = earlier;
  }

  /** Records handed to the spool whose write has not ended yet. */
  #writingRecords(): number {
    let records = 0;
    for (const unwritten of this.#unwritten) records += unwritten.count;
    return records;
  }

  #unwrittenRecords(count: number, settle: SettleSpooled): Unwritten {
    const unwritten: Unwritten = { count, settle, abandoned: false };
    this.#unwritten.add(unwritten);
    return unwritten;
  }

  #meta(part: SpoolablePart<Payload>): { contentType: string; recordCount: number; id: string } {
    const contentType =
      this.#contentType ??
      (typeof part.payload === 'string' ? 'application/json' : 'application/octet-stream');
    return { contentType, recordCount: part.count, id: part.batchId };
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.then(
      () => {},
      (error: unknown) => this.#logger.warn('spool operation failed', error),
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  #warnFailure(message: string, error: unknown): void {
    if (this.#failureWarnings.pass() > 0) this.#logger.warn(message, error);
    else this.#logger.debug(message, error);
  }
}
