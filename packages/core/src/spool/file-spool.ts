import { persistFile, readFileOf } from './batch-file-io.js';
import {
  decodeBatch,
  encodeHeader,
  headerLengthFor,
  isDefect,
  MAX_PAYLOAD_BYTES,
} from './batch-format.js';
import { prepareBatch, recordsOf } from './batch-input.js';
import { clampTime, leaseName, readyName, tempName } from './batch-names.js';
import { DirectorySync } from './directory-sync.js';
import { describeError, errorCode, failureReason } from './fs-errors.js';
import { setInstanceOpen } from './holder.js';
import { SpoolDirectory } from './spool-directory.js';
import { countInto, type SpoolEntry } from './spool-index.js';
import { DiskLease, type LeaseOutcome, writtenBatch } from './spool-lease.js';
import { type FileSpoolOptions, resolveFileSpoolOptions } from './spool-options.js';
import { SpoolScanner } from './spool-scan.js';
import type {
  FileSpool,
  SpoolBatchInput,
  SpooledBatch,
  SpoolLease,
  SpoolLeasedWriteResult,
  SpoolStats,
  SpoolWriteFailureReason,
  SpoolWriteResult,
} from './spool-types.js';

/**
 * Opens a spool on `options.directory`. Does no I/O: the directory is created and scanned on
 * first use. Throws a `TypeError` for invalid options, and nothing else, ever.
 */
export function createFileSpool(options: FileSpoolOptions): FileSpool {
  return new DiskSpool(new SpoolDirectory(resolveFileSpoolOptions(options)));
}

/**
 * A spool of one file per batch. What it knows of the directory lives in an index (sizes, record
 * counts, states) kept current by its own operations, so that a write never lists the directory;
 * `lease()` lists it now and then (see {@link SpoolScanner}) to learn of other processes' files
 * and stale leases.
 */
class DiskSpool implements FileSpool {
  readonly directory: string;
  readonly #dir: SpoolDirectory;
  readonly #scanner: SpoolScanner;
  readonly #dirSync: DirectorySync;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #leases = new Set<DiskLease>();
  #sequence = 0;
  #opened: Promise<void> | undefined;
  #failureStreak = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(dir: SpoolDirectory) {
    const { options } = dir;
    this.#dir = dir;
    this.directory = options.directory;
    this.#scanner = new SpoolScanner(dir);
    this.#dirSync = new DirectorySync(options.fs, options.directory, options.logger);
    setInstanceOpen(dir.self.instance, true);
  }

  write(batch: SpoolBatchInput): Promise<SpoolWriteResult>;
  write(
    batch: SpoolBatchInput,
    options: { readonly leased: true },
  ): Promise<SpoolLeasedWriteResult>;
  write(batch: SpoolBatchInput, options?: { readonly leased?: boolean }): Promise<SpoolWriteResult>;
  write(batch: unknown, options?: { readonly leased?: boolean }): Promise<SpoolWriteResult> {
    return this.#track(
      this.#write(batch, options?.leased === true).catch((error: unknown) =>
        this.#ioFailure(error, recordsOf(batch)),
      ),
    );
  }

  lease(): Promise<SpoolLease | undefined> {
    return this.#track(
      this.#lease().catch((error: unknown) => {
        this.#dir.debug('lease failed', error);
        return undefined;
      }),
    );
  }

  stats(): SpoolStats {
    return this.#dir.counters.stats(this.#dir.index);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#pending]);
    await Promise.allSettled([...this.#leases].map((lease) => lease.release()));
    await this.#dirSync.close();
    setInstanceOpen(this.#dir.self.instance, false);
  }

  /** Keeps `promise` in the set `close()` waits for while it runs. */
  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const forget = (): void => {
      this.#pending.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Creates the directory and scans it, once, on first use. */
  #open(): Promise<void> {
    this.#opened ??= (async () => {
      const error = await this.#dir.makeDirectory();
      if (error !== undefined) this.#dir.debug(`cannot create ${this.directory}`, error);
      await this.#scanner.scan();
    })();
    return this.#opened;
  }

  async #write(input: unknown, leased: boolean): Promise<SpoolWriteResult> {
    if (this.#closed) return this.#refuse('closed', recordsOf(input), 'the spool is closed');
    const batch = prepareBatch(input);
    if (typeof batch === 'string') return this.#refuse('invalid_batch', recordsOf(input), batch);
    await this.#open();
    const { self, index, options, counters } = this.#dir;
    const { maxBytes, fsync } = options;
    const createdAt = clampTime(options.now());
    const bytes = headerLengthFor(batch.contentType) + batch.bytes.length;
    if (bytes > maxBytes || batch.bytes.length > MAX_PAYLOAD_BYTES) {
      const why = `a batch of ${bytes} bytes does not fit in maxBytes (${maxBytes})`;
      return this.#refuse('batch_too_large', batch.recordCount, why);
    }
    const victims = index.pickVictims(bytes, maxBytes);
    if (victims === undefined) {
      const why = `leased batches fill the spool (${index.committedBytes} of ${maxBytes} bytes)`;
      return this.#refuse('spool_full', batch.recordCount, why);
    }
    const name = readyName(createdAt, this.#sequence++, self.instance);
    const header = encodeHeader(
      { ...batch, createdAt, owner: self.instance, ownerPid: self.pid },
      batch.bytes,
    );
    index.reserve(name, bytes);
    let entry: SpoolEntry;
    try {
      // Make room first: on a full disk, the space they free is what this write needs.
      await Promise.all(
        victims.map((victim) =>
          this.#dir.deleteEntry(
            victim,
            this.#dir.isExpired(victim, createdAt) ? 'expired' : 'evicted',
          ),
        ),
      );
      const lease = leased ? leaseName(name, self, createdAt) : undefined;
      const error = await this.#persist(name, lease ?? name, header, batch.bytes);
      if (error !== undefined) return this.#ioFailure(error, batch.recordCount);
      if (fsync) await this.#dirSync.sync();
      entry = index.add({
        name,
        createdAt,
        records: batch.recordCount,
        bytes,
        own: true,
        state: leased ? 'leased' : 'ready',
        leaseName: lease,
      });
    } finally {
      index.unreserve(name);
    }
    counters.written.files++;
    counters.written.records += batch.recordCount;
    counters.written.bytes += bytes;
    if (this.#failureStreak > 0) {
      this.#dir.debug(`writes succeed again after ${this.#failureStreak} failed`);
      this.#failureStreak = 0;
    }
    if (!leased) return { ok: true, id: batch.id, bytes };
    const lease = this.#newLease(entry, writtenBatch(batch, entry));
    return { ok: true, id: batch.id, bytes, lease };
  }

  /** Writes a file; when the directory vanished, recreates it once and tries again. */
  async #persist(
    name: string,
    target: string,
    header: Uint8Array,
    payload: Uint8Array,
  ): Promise<unknown> {
    const dir = this.#dir;
    const { fs, fsync } = dir.options;
    const temp = dir.path(tempName(name, dir.self));
    const error = await persistFile(fs, temp, dir.path(target), header, payload, fsync);
    if (errorCode(error) !== 'ENOENT') return error;
    const mkdirError = await dir.makeDirectory();
    if (mkdirError !== undefined) return mkdirError;
    await this.#dirSync.reopen();
    // What this instance knew of the old directory is gone with it.
    await this.#scanner.scan();
    return persistFile(fs, temp, dir.path(target), header, payload, fsync);
  }

  async #lease(): Promise<SpoolLease | undefined> {
    if (this.#closed) return undefined;
    await this.#open();
    const dir = this.#dir;
    const { index, options } = dir;
    const { now, rescanIntervalMillis } = options;
    if (
      index.oldestReady() === undefined ||
      now() - this.#scanner.lastScanAt >= rescanIntervalMillis
    ) {
      await this.#scanner.scan();
    }
    // Known files found gone (ENOENT) call for one more scan before the spool looks empty.
    let gone = false;
    let rescanned = false;
    for (;;) {
      if (this.#closed) return undefined;
      const entry = index.oldestReady();
      if (entry === undefined) {
        if (!gone) return undefined;
        // Before the caller takes the spool for empty: a scan tells, once, whether another
        // process holds them or they vanished (the directory deleted, say), and counts them.
        gone = false;
        rescanned = true;
        await this.#scanner.scan();
        continue;
      }
      const leasedAt = now();
      index.setState(entry, 'busy');
      if (dir.isExpired(entry, leasedAt)) {
        await dir.deleteEntry(entry, 'expired');
        continue;
      }
      const lease = leaseName(entry.name, dir.self, leasedAt);
      try {
        // The lease itself: of two processes renaming the same file, one gets ENOENT.
        await options.fs.rename(dir.path(entry.name), dir.path(lease));
      } catch (error) {
        if (errorCode(error) === 'ENOENT') {
          // Another process leased or deleted it first; the next scan tells which.
          index.setState(entry, 'elsewhere');
          gone ||= !rescanned;
          continue;
        }
        index.setState(entry, 'ready');
        dir.debug(`cannot lease ${entry.name}`, error);
        return undefined;
      }
      let file: Uint8Array;
      try {
        file = await readFileOf(options.fs, dir.path(lease), entry.bytes);
      } catch (error) {
        dir.debug(`cannot read ${lease}`, error);
        await dir.giveBack(entry, lease);
        return undefined;
      }
      const decoded = decodeBatch(file);
      if (isDefect(decoded)) {
        await dir.setAside(lease, entry.name, decoded, entry);
        continue;
      }
      index.setState(entry, 'leased', lease);
      const { header, payload } = decoded;
      return this.#newLease(entry, {
        id: header.id,
        payload,
        contentType: header.contentType,
        recordCount: header.recordCount,
        createdAt: header.createdAt,
        bytes: file.length,
        writtenByThisSpool: entry.own,
      });
    }
  }

  #newLease(entry: SpoolEntry, batch: SpooledBatch): DiskLease {
    const settle = async (outcome: LeaseOutcome): Promise<void> => {
      this.#leases.delete(lease);
      const file = entry.leaseName ?? entry.name;
      await this.#track(
        outcome === 'complete' ? this.#complete(entry, file) : this.#dir.giveBack(entry, file),
      );
    };
    const lease = new DiskLease(batch, settle);
    this.#leases.add(lease);
    return lease;
  }

  /** Deletes a delivered batch. Counted as replayed even if the delete fails: it was sent. */
  async #complete(entry: SpoolEntry, lease: string): Promise<void> {
    const dir = this.#dir;
    try {
      await dir.options.fs.unlink(dir.path(lease));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        dir.options.logger.warn(
          `${dir.options.name}: cannot delete the replayed batch ${entry.name}; it may be sent again`,
          error,
        );
      }
    }
    dir.index.remove(entry);
    countInto(dir.counters.replayed, entry);
  }

  #refuse(reason: SpoolWriteFailureReason, records: number, message: string): SpoolWriteResult {
    this.#dir.counters.failed(reason, records);
    const text = `${this.#dir.options.name}: batch of ${records} records not spooled: ${message}`;
    this.#dir.options.logger.debug(text);
    return { ok: false, reason, message: text };
  }

  /** An I/O failure: counted, and warned about once per streak of failed writes. */
  #ioFailure(error: unknown, records: number): SpoolWriteResult {
    const { counters, options } = this.#dir;
    const reason = failureReason(error);
    counters.failed(reason, records);
    const message = `${options.name}: cannot write a batch of ${records} records to ${this.directory}: ${reason} (${describeError(error)})`;
    if (this.#failureStreak++ === 0) {
      options.logger.warn(
        `${message}; further failures are logged at debug level until a write succeeds`,
      );
    } else {
      options.logger.debug(message);
    }
    return { ok: false, reason, message, error };
  }
}
