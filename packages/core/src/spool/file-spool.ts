import { join } from 'node:path';
import { persistFile, readFileOf, readHeaderOf } from './batch-file-io.js';
import type { BatchDefect } from './batch-format.js';
import { decodeBatch, encodeHeader, isDefect, MAX_PAYLOAD_BYTES } from './batch-format.js';
import { type PreparedBatch, prepareBatch, recordsOf } from './batch-input.js';
import {
  clampTime,
  type Holder,
  isReadyName,
  type LeaseName,
  leaseName,
  parseLeaseName,
  parseTempName,
  readyName,
  tempName,
} from './batch-names.js';
import { CorruptFolder } from './corrupt-folder.js';
import { DirectorySync } from './directory-sync.js';
import { describeError, errorCode, failureReason } from './fs-errors.js';
import { isHolderGone, newHolder, setInstanceOpen } from './holder.js';
import { countInto, newTally, type SpoolEntry, SpoolIndex, snapshot } from './spool-index.js';
import {
  type FileSpoolOptions,
  type ResolvedFileSpoolOptions,
  resolveFileSpoolOptions,
} from './spool-options.js';
import type {
  FileSpool,
  SpoolCount,
  SpooledBatch,
  SpoolLease,
  SpoolLeasedWriteResult,
  SpoolStats,
  SpoolWriteFailureReason,
  SpoolWriteResult,
} from './spool-types.js';

/** Files whose headers a scan reads at once. */
const SCAN_CONCURRENCY = 8;

const FAILURE_REASONS: readonly SpoolWriteFailureReason[] = [
  'batch_too_large',
  'spool_full',
  'disk_full',
  'permission_denied',
  'read_only',
  'directory_missing',
  'io_error',
  'invalid_batch',
  'closed',
];

/**
 * Opens a spool on `options.directory`. Does no I/O: the directory is created and scanned on
 * first use. Throws a `TypeError` for invalid options, and nothing else, ever.
 */
export function createFileSpool(options: FileSpoolOptions): FileSpool {
  return new DiskSpool(resolveFileSpoolOptions(options));
}

/**
 * A spool of one file per batch. What it knows of the directory lives in an index (sizes, record
 * counts, states) kept current by its own operations, so that a write never lists the directory;
 * `lease()` lists it now and then to learn of other processes' files and stale leases.
 */
class DiskSpool implements FileSpool {
  readonly directory: string;
  readonly #options: ResolvedFileSpoolOptions;
  readonly #self: Holder = newHolder();
  readonly #index = new SpoolIndex();
  readonly #dirSync: DirectorySync;
  readonly #corrupt: CorruptFolder;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #leases = new Set<DiskLease>();
  readonly #written = { files: 0, records: 0, bytes: 0 };
  readonly #replayed = newTally();
  readonly #evicted = newTally();
  readonly #expired = newTally();
  readonly #corruptTally = newTally();
  readonly #vanished = newTally();
  readonly #failures = new Map<SpoolWriteFailureReason, { files: number; records: number }>(
    FAILURE_REASONS.map((reason) => [reason, { files: 0, records: 0 }]),
  );
  #sequence = 0;
  #opened: Promise<void> | undefined;
  #scanning: Promise<void> | undefined;
  #lastScanAt = Number.NEGATIVE_INFINITY;
  #failureStreak = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedFileSpoolOptions) {
    this.#options = options;
    this.directory = options.directory;
    this.#dirSync = new DirectorySync(options.fs, options.directory, options.logger);
    this.#corrupt = new CorruptFolder(options);
    setInstanceOpen(this.#self.instance, true);
  }

  write(batch: Parameters<FileSpool['write']>[0]): Promise<SpoolWriteResult>;
  write(
    batch: Parameters<FileSpool['write']>[0],
    options: { readonly leased: true },
  ): Promise<SpoolLeasedWriteResult>;
  write(
    batch: Parameters<FileSpool['write']>[0],
    options?: { readonly leased?: boolean },
  ): Promise<SpoolWriteResult>;
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
        this.#options.logger.debug(`${this.#options.name}: lease failed`, error);
        return undefined;
      }),
    );
  }

  stats(): SpoolStats {
    const stored = this.#index.stored;
    const writeFailures = Object.fromEntries(
      FAILURE_REASONS.map((reason) => [reason, { ...this.#failures.get(reason) }]),
    ) as Record<SpoolWriteFailureReason, SpoolCount>;
    return {
      files: stored.files,
      bytes: this.#index.bytes,
      records: stored.records,
      ownRecords: stored.ownRecords,
      leased: this.#index.leased,
      written: { ...this.#written },
      replayed: snapshot(this.#replayed),
      evicted: snapshot(this.#evicted),
      expired: snapshot(this.#expired),
      corrupt: snapshot(this.#corruptTally),
      vanished: snapshot(this.#vanished),
      writeFailures,
    };
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
    setInstanceOpen(this.#self.instance, false);
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

  async #write(input: unknown, leased: boolean): Promise<SpoolWriteResult> {
    if (this.#closed) return this.#refuse('closed', recordsOf(input), 'the spool is closed');
    const batch = prepareBatch(input);
    if (typeof batch === 'string') return this.#refuse('invalid_batch', recordsOf(input), batch);
    await this.#open();
    const { maxBytes, fsync } = this.#options;
    const createdAt = clampTime(this.#options.now());
    const name = readyName(createdAt, this.#sequence++, this.#self.instance);
    const header = encodeHeader(
      { ...batch, createdAt, owner: this.#self.instance, ownerPid: this.#self.pid },
      batch.bytes,
    );
    const bytes = header.length + batch.bytes.length;
    if (bytes > maxBytes || batch.bytes.length > MAX_PAYLOAD_BYTES) {
      return this.#refuse(
        'batch_too_large',
        batch.recordCount,
        `a batch of ${bytes} bytes does not fit in maxBytes (${maxBytes})`,
      );
    }
    const victims = this.#index.pickVictims(bytes, maxBytes);
    if (victims === undefined) {
      return this.#refuse(
        'spool_full',
        batch.recordCount,
        `leased batches fill the spool (${this.#index.committedBytes} of ${maxBytes} bytes)`,
      );
    }
    this.#index.reserve(name, bytes);
    let entry: SpoolEntry;
    try {
      // Make room first: on a full disk, the space they free is what this write needs.
      await Promise.all(
        victims.map((victim) =>
          this.#deleteEntry(victim, this.#isExpired(victim, createdAt) ? 'expired' : 'evicted'),
        ),
      );
      const lease = leased ? leaseName(name, this.#self, createdAt) : undefined;
      const error = await this.#persist(name, lease ?? name, header, batch.bytes);
      if (error !== undefined) return this.#ioFailure(error, batch.recordCount);
      if (fsync) await this.#dirSync.sync();
      entry = this.#index.add({
        name,
        createdAt,
        records: batch.recordCount,
        bytes,
        own: true,
        state: leased ? 'leased' : 'ready',
        leaseName: lease,
      });
    } finally {
      this.#index.unreserve(name);
    }
    this.#written.files++;
    this.#written.records += batch.recordCount;
    this.#written.bytes += bytes;
    if (this.#failureStreak > 0) {
      this.#options.logger.debug(
        `${this.#options.name}: writes succeed again after ${this.#failureStreak} failed`,
      );
      this.#failureStreak = 0;
    }
    if (!leased) return { ok: true, id: batch.id, bytes };
    return {
      ok: true,
      id: batch.id,
      bytes,
      lease: this.#newLease(entry, writtenBatch(batch, entry)),
    };
  }

  /** Writes a file; when the directory vanished, recreates it once and tries again. */
  async #persist(
    name: string,
    target: string,
    header: Uint8Array,
    payload: Uint8Array,
  ): Promise<unknown> {
    const { fs, fsync } = this.#options;
    const temp = this.#path(tempName(name, this.#self));
    const error = await persistFile(fs, temp, this.#path(target), header, payload, fsync);
    if (errorCode(error) !== 'ENOENT') return error;
    const mkdirError = await this.#makeDirectory();
    if (mkdirError !== undefined) return mkdirError;
    await this.#dirSync.reopen();
    // What this instance knew of the old directory is gone with it.
    await this.#scan();
    return persistFile(fs, temp, this.#path(target), header, payload, fsync);
  }

  async #lease(): Promise<SpoolLease | undefined> {
    if (this.#closed) return undefined;
    await this.#open();
    const { now, rescanIntervalMillis } = this.#options;
    if (
      this.#index.oldestReady() === undefined ||
      now() - this.#lastScanAt >= rescanIntervalMillis
    ) {
      await this.#scan();
    }
    for (;;) {
      if (this.#closed) return undefined;
      const entry = this.#index.oldestReady();
      if (entry === undefined) return undefined;
      const leasedAt = now();
      this.#index.setState(entry, 'busy');
      if (this.#isExpired(entry, leasedAt)) {
        await this.#deleteEntry(entry, 'expired');
        continue;
      }
      const lease = leaseName(entry.name, this.#self, leasedAt);
      const leasePath = this.#path(lease);
      try {
        await this.#options.fs.rename(this.#path(entry.name), leasePath);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') {
          // Another process leased or deleted it first; the next scan tells which.
          this.#index.setState(entry, 'elsewhere');
          continue;
        }
        this.#index.setState(entry, 'ready');
        this.#options.logger.debug(`${this.#options.name}: cannot lease ${entry.name}`, error);
        return undefined;
      }
      let file: Uint8Array;
      try {
        file = await readFileOf(this.#options.fs, leasePath, entry.bytes);
      } catch (error) {
        this.#options.logger.debug(`${this.#options.name}: cannot read ${lease}`, error);
        await this.#giveBack(entry, lease);
        return undefined;
      }
      const decoded = decodeBatch(file);
      if (isDefect(decoded)) {
        await this.#setAside(lease, entry.name, decoded, entry);
        continue;
      }
      this.#index.setState(entry, 'leased', lease);
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
    const lease = new DiskLease(batch, async (outcome) => {
      this.#leases.delete(lease);
      await this.#track(outcome === 'complete' ? this.#complete(entry) : this.#release(entry));
    });
    this.#leases.add(lease);
    return lease;
  }

  async #complete(entry: SpoolEntry): Promise<void> {
    try {
      await this.#options.fs.unlink(this.#path(entry.leaseName ?? entry.name));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        this.#options.logger.warn(
          `${this.#options.name}: cannot delete the replayed batch ${entry.name}; it may be sent again`,
          error,
        );
      }
    }
    this.#index.remove(entry);
    countInto(this.#replayed, entry);
  }

  async #release(entry: SpoolEntry): Promise<void> {
    await this.#giveBack(entry, entry.leaseName ?? entry.name);
  }

  /** Renames a leased file back to its ready name. */
  async #giveBack(entry: SpoolEntry, lease: string): Promise<void> {
    try {
      await this.#options.fs.rename(this.#path(lease), this.#path(entry.name));
      this.#index.setState(entry, 'ready');
    } catch (error) {
      // Recovered by another process as stale, or lost with the directory.
      this.#options.logger.debug(`${this.#options.name}: cannot give back ${lease}`, error);
      this.#index.remove(entry);
      countInto(this.#vanished, entry);
    }
  }

  /** Deletes a busy entry's ready file and counts it; leaves it known when that fails. */
  async #deleteEntry(entry: SpoolEntry, why: 'evicted' | 'expired'): Promise<void> {
    try {
      await this.#options.fs.unlink(this.#path(entry.name));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') this.#index.setState(entry, 'elsewhere');
      else {
        this.#index.setState(entry, 'ready');
        this.#options.logger.debug(`${this.#options.name}: cannot delete ${entry.name}`, error);
      }
      return;
    }
    this.#index.remove(entry);
    countInto(why === 'expired' ? this.#expired : this.#evicted, entry);
    this.#options.logger.debug(
      `${this.#options.name}: ${why} ${entry.name} (${entry.records} records)`,
    );
  }

  /**
   * Moves an unreadable file into `corrupt/` and counts it, with the entry's record count when
   * the spool knew it, the header's when only the payload is bad, 0 otherwise.
   */
  async #setAside(
    file: string,
    name: string,
    defect: BatchDefect,
    entry: SpoolEntry | undefined,
  ): Promise<void> {
    const moved = await this.#corrupt.moveAside(file, name, defect.problem);
    if (!moved) {
      // Neither movable nor deletable: leave it, and do not meet it again in this lease.
      if (entry !== undefined) this.#index.setState(entry, 'elsewhere');
      return;
    }
    if (entry !== undefined) {
      this.#index.remove(entry);
      countInto(this.#corruptTally, entry);
    } else {
      this.#corruptTally.files++;
      this.#corruptTally.records += defect.header?.recordCount ?? 0;
    }
  }

  #open(): Promise<void> {
    this.#opened ??= (async () => {
      const error = await this.#makeDirectory();
      if (error !== undefined) {
        this.#options.logger.debug(`${this.#options.name}: cannot create ${this.directory}`, error);
      }
      await this.#scan();
    })();
    return this.#opened;
  }

  async #makeDirectory(): Promise<unknown> {
    try {
      await this.#options.fs.mkdir(this.directory, { recursive: true, mode: 0o700 });
      return undefined;
    } catch (error) {
      return error ?? new Error('mkdir failed');
    }
  }

  /** Lists the directory and brings the index up to date; concurrent callers share one scan. */
  #scan(): Promise<void> {
    this.#scanning ??= this.#runScan()
      .catch((error: unknown) => {
        this.#options.logger.debug(`${this.#options.name}: scan failed`, error);
      })
      .finally(() => {
        this.#scanning = undefined;
      });
    return this.#scanning;
  }

  async #runScan(): Promise<void> {
    const index = this.#index;
    // Entries that change after this point are newer than the listing: the scan leaves them be.
    const since = index.clock;
    const now = this.#options.now();
    this.#lastScanAt = now;
    const present = new Set<string>();
    const fresh: string[] = [];
    const leases: [string, LeaseName][] = [];
    const junk: string[] = [];
    const leftovers: [string, string][] = [];
    let listing: { name: string; isFile(): boolean }[];
    try {
      listing = await this.#options.fs.readdir(this.directory, { withFileTypes: true });
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        this.#options.logger.debug(`${this.#options.name}: cannot list ${this.directory}`, error);
        return;
      }
      listing = [];
    }
    for (const dirent of listing) {
      if (!dirent.isFile()) continue; // corrupt/ and anything else that is not a file stay
      const { name } = dirent;
      if (isReadyName(name)) {
        present.add(name);
        const entry = index.get(name);
        if (entry === undefined) {
          if (!index.isWriting(name)) fresh.push(name);
        } else if (entry.state === 'elsewhere' && entry.stamp <= since) {
          index.setState(entry, 'ready');
        }
        continue;
      }
      const lease = parseLeaseName(name);
      if (lease !== undefined) {
        present.add(lease.ready);
        leases.push([name, lease]);
        continue;
      }
      const temp = parseTempName(name);
      if (temp === undefined) junk.push(name);
      else if (
        temp.holder.instance !== this.#self.instance &&
        this.#isStale(temp.holder, temp.createdAt, now)
      ) {
        leftovers.push([name, temp.ready]);
      }
    }
    for (const entry of index.entries()) {
      const known = entry.state === 'ready' || entry.state === 'elsewhere';
      if (known && entry.stamp <= since && !present.has(entry.name)) {
        index.remove(entry);
        countInto(this.#vanished, entry);
      }
    }
    for (const [name, lease] of leases) await this.#judgeLease(name, lease, since, now, fresh);
    for (const [name, ready] of leftovers) {
      if (await this.#salvage(name, ready, present)) fresh.push(ready);
    }
    for (let i = 0; i < fresh.length; i += SCAN_CONCURRENCY) {
      const chunk = fresh.slice(i, i + SCAN_CONCURRENCY);
      await Promise.all(chunk.map((name) => this.#learn(name, name, 'ready', now)));
    }
    for (const name of junk) {
      await this.#setAside(name, name, { problem: 'not_a_batch' }, undefined);
    }
    await this.#expireOldest(now);
  }

  /** A lease found by a scan: recovered when stale, otherwise known as held elsewhere. */
  async #judgeLease(
    file: string,
    lease: LeaseName,
    since: number,
    now: number,
    fresh: string[],
  ): Promise<void> {
    const index = this.#index;
    if (index.isWriting(lease.ready)) return; // a write-ahead write of this instance
    const entry = index.get(lease.ready);
    if (
      entry !== undefined &&
      (entry.stamp > since || entry.state === 'leased' || entry.state === 'busy')
    ) {
      return;
    }
    // A lease of this very instance that it does not hold: left behind when a delete failed.
    const orphan = lease.holder.instance === this.#self.instance;
    if (!orphan && !this.#isStale(lease.holder, lease.leasedAt, now)) {
      if (entry === undefined) await this.#learn(lease.ready, file, 'elsewhere', now);
      else if (entry.state === 'ready') index.setState(entry, 'elsewhere');
      return;
    }
    try {
      await this.#options.fs.rename(this.#path(file), this.#path(lease.ready));
    } catch {
      return; // another process recovered it first, or it was settled meanwhile
    }
    this.#options.logger.debug(`${this.#options.name}: recovered the stale lease ${file}`);
    if (entry === undefined) fresh.push(lease.ready);
    else if (entry.stamp <= since) index.setState(entry, 'ready');
  }

  /**
   * A temporary file left by a writer that is gone. A complete one was fsynced before a crash cut
   * its rename short (or the rename was lost with the machine): it is renamed into place, since
   * its batch would otherwise be lost. Anything else is deleted. Resolves whether it was kept.
   */
  async #salvage(file: string, ready: string, present: ReadonlySet<string>): Promise<boolean> {
    let complete = false;
    try {
      const { header, size } = await readHeaderOf(this.#options.fs, this.#path(file));
      complete = !isDefect(header) && size === header.headerLength + header.payloadLength;
    } catch {
      return false; // gone already: another process dealt with it
    }
    if (complete && !present.has(ready) && this.#index.get(ready) === undefined) {
      try {
        await this.#options.fs.rename(this.#path(file), this.#path(ready));
        this.#options.logger.debug(`${this.#options.name}: salvaged ${file}`);
        return true;
      } catch {
        return false;
      }
    }
    await this.#unlinkQuietly(file);
    return false;
  }

  /** Reads the header of a file new to this instance and indexes it, or sets it aside. */
  async #learn(
    name: string,
    file: string,
    state: 'ready' | 'elsewhere',
    now: number,
  ): Promise<void> {
    let read: Awaited<ReturnType<typeof readHeaderOf>>;
    try {
      read = await readHeaderOf(this.#options.fs, this.#path(file));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        this.#options.logger.debug(`${this.#options.name}: cannot read ${file}`, error);
      }
      return;
    }
    if (this.#index.get(name) !== undefined || this.#index.isWriting(name)) return;
    const { header, size } = read;
    if (isDefect(header) || size !== header.headerLength + header.payloadLength) {
      // Someone else's lease is theirs to judge.
      if (state === 'ready') {
        const defect: BatchDefect = isDefect(header) ? header : { problem: 'truncated', header };
        await this.#setAside(file, name, defect, undefined);
      }
      return;
    }
    const entry = this.#index.add({
      name,
      createdAt: header.createdAt,
      records: header.recordCount,
      bytes: size,
      own: false,
      state: state === 'ready' ? 'busy' : 'elsewhere',
      leaseName: undefined,
    });
    if (state !== 'ready') return;
    if (this.#isExpired(entry, now)) await this.#deleteEntry(entry, 'expired');
    else this.#index.setState(entry, 'ready');
  }

  /** Deletes the oldest ready batches while they are expired. */
  async #expireOldest(now: number): Promise<void> {
    for (const entry of this.#index.entries()) {
      if (entry.state !== 'ready') continue;
      if (!this.#isExpired(entry, now)) return;
      this.#index.setState(entry, 'busy');
      await this.#deleteEntry(entry, 'expired');
    }
  }

  #isExpired(entry: SpoolEntry, now: number): boolean {
    return now - entry.createdAt > this.#options.maxAgeMillis;
  }

  /** Whether a lease or temporary file of `holder`, made at `since`, may be taken over. */
  #isStale(holder: Holder, since: number, now: number): boolean {
    return now - since > this.#options.leaseTimeoutMillis || isHolderGone(holder, this.#self);
  }

  async #unlinkQuietly(name: string): Promise<void> {
    try {
      await this.#options.fs.unlink(this.#path(name));
    } catch {
      // gone already, or not ours to delete after all
    }
  }

  #refuse(reason: SpoolWriteFailureReason, records: number, message: string): SpoolWriteResult {
    this.#count(reason, records);
    const text = `${this.#options.name}: batch of ${records} records not spooled: ${message}`;
    this.#options.logger.debug(text);
    return { ok: false, reason, message: text };
  }

  /** An I/O failure: counted, and warned about once per streak of failed writes. */
  #ioFailure(error: unknown, records: number): SpoolWriteResult {
    const reason = failureReason(error);
    this.#count(reason, records);
    const message = `${this.#options.name}: cannot write a batch of ${records} records to ${this.directory}: ${reason} (${describeError(error)})`;
    if (this.#failureStreak++ === 0) {
      this.#options.logger.warn(
        `${message}; further failures are logged at debug level until a write succeeds`,
      );
    } else {
      this.#options.logger.debug(message);
    }
    return { ok: false, reason, message, error };
  }

  #count(reason: SpoolWriteFailureReason, records: number): void {
    const count = this.#failures.get(reason);
    if (count === undefined) return;
    count.files++;
    count.records += records;
  }

  #path(name: string): string {
    return join(this.directory, name);
  }
}

/** A lease; settling it twice does nothing. */
class DiskLease implements SpoolLease {
  readonly batch: SpooledBatch;
  readonly #settle: (outcome: 'complete' | 'release') => Promise<void>;
  #settled: Promise<void> | undefined;

  constructor(batch: SpooledBatch, settle: (outcome: 'complete' | 'release') => Promise<void>) {
    this.batch = batch;
    this.#settle = settle;
  }

  complete(): Promise<void> {
    this.#settled ??= this.#settle('complete').catch(() => {});
    return this.#settled;
  }

  release(): Promise<void> {
    this.#settled ??= this.#settle('release').catch(() => {});
    return this.#settled;
  }
}

/** The batch a write-ahead writer holds: its own payload, not read back. */
function writtenBatch(batch: PreparedBatch, entry: SpoolEntry): SpooledBatch {
  return {
    id: batch.id,
    payload: batch.payload,
    contentType: batch.contentType,
    recordCount: batch.recordCount,
    createdAt: entry.createdAt,
    bytes: entry.bytes,
    writtenByThisSpool: true,
  };
}
