import { readHeaderOf } from './batch-file-io.js';
import type { BatchDefect } from './batch-format.js';
import { isDefect } from './batch-format.js';
import { isReadyName, type LeaseName, parseLeaseName, parseTempName } from './batch-names.js';
import { errorCode } from './fs-errors.js';
import type { SpoolDirectory } from './spool-directory.js';
import { countInto } from './spool-index.js';

/** Files whose headers a scan reads at once. */
const SCAN_CONCURRENCY = 8;

/**
 * Lists the spool directory and brings the index up to date: files of other processes (read
 * their headers, set unreadable ones aside), stale leases (recovered), temporary files of dead
 * writers (salvaged when complete, deleted otherwise), files gone from under this instance
 * (counted as vanished), expired batches (deleted). Concurrent callers share one scan; a scan
 * never rejects.
 */
export class SpoolScanner {
  readonly #dir: SpoolDirectory;
  #running: Promise<void> | undefined;
  /** When the last scan started, on the spool's clock. */
  lastScanAt: number = Number.NEGATIVE_INFINITY;

  constructor(dir: SpoolDirectory) {
    this.#dir = dir;
  }

  scan(): Promise<void> {
    this.#running ??= this.#scan()
      .catch((error: unknown) => this.#dir.debug('scan failed', error))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async #scan(): Promise<void> {
    const dir = this.#dir;
    const { index } = dir;
    // Entries that change after this point are newer than the listing: the scan leaves them be.
    const since = index.clock;
    const now = dir.options.now();
    this.lastScanAt = now;
    const present = new Set<string>();
    const fresh: string[] = [];
    const leases: [string, LeaseName][] = [];
    const leftovers: [string, string][] = [];
    const junk: string[] = [];
    let listing: { name: string; isFile(): boolean }[];
    try {
      listing = await dir.options.fs.readdir(dir.options.directory, { withFileTypes: true });
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        dir.debug(`cannot list ${dir.options.directory}`, error);
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
        temp.holder.instance !== dir.self.instance &&
        dir.isStale(temp.holder, temp.createdAt, now)
      ) {
        leftovers.push([name, temp.ready]);
      }
    }
    for (const entry of index.entries()) {
      const known = entry.state === 'ready' || entry.state === 'elsewhere';
      if (known && entry.stamp <= since && !present.has(entry.name)) {
        index.remove(entry);
        countInto(dir.counters.vanished, entry);
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
    for (const name of junk) await dir.setAside(name, name, { problem: 'not_a_batch' }, undefined);
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
    const dir = this.#dir;
    const { index } = dir;
    if (index.isWriting(lease.ready)) return; // a write-ahead write of this instance
    const entry = index.get(lease.ready);
    if (
      entry !== undefined &&
      (entry.stamp > since || entry.state === 'leased' || entry.state === 'busy')
    ) {
      return;
    }
    // A lease of this very instance that it does not hold: left behind when a delete failed.
    const orphan = lease.holder.instance === dir.self.instance;
    if (!orphan && !dir.isStale(lease.holder, lease.leasedAt, now)) {
      if (entry === undefined) await this.#learn(lease.ready, file, 'elsewhere', now);
      else if (entry.state === 'ready') index.setState(entry, 'elsewhere');
      return;
    }
    try {
      await dir.options.fs.rename(dir.path(file), dir.path(lease.ready));
    } catch {
      return; // another process recovered it first, or it was settled meanwhile
    }
    dir.debug(`recovered the stale lease ${file}`);
    if (entry === undefined) fresh.push(lease.ready);
    else if (entry.stamp <= since) index.setState(entry, 'ready');
  }

  /**
   * A temporary file left by a writer that is gone. A complete one was fsynced before a crash cut
   * its rename short (or the rename was lost with the machine): it is renamed into place, since
   * its batch would otherwise be lost. Anything else is deleted. Resolves whether it was kept.
   */
  async #salvage(file: string, ready: string, present: ReadonlySet<string>): Promise<boolean> {
    const dir = this.#dir;
    let complete = false;
    try {
      const { header, size } = await readHeaderOf(dir.options.fs, dir.path(file));
      complete = !isDefect(header) && size === header.headerLength + header.payloadLength;
    } catch {
      return false; // gone already: another process dealt with it
    }
    if (complete && !present.has(ready) && dir.index.get(ready) === undefined) {
      try {
        await dir.options.fs.rename(dir.path(file), dir.path(ready));
        dir.debug(`salvaged ${file}`);
        return true;
      } catch {
        return false;
      }
    }
    await dir.unlinkQuietly(file);
    return false;
  }

  /** Reads the header of a file new to this instance and indexes it, or sets it aside. */
  async #learn(
    name: string,
    file: string,
    state: 'ready' | 'elsewhere',
    now: number,
  ): Promise<void> {
    const dir = this.#dir;
    const { index } = dir;
    let read: Awaited<ReturnType<typeof readHeaderOf>>;
    try {
      read = await readHeaderOf(dir.options.fs, dir.path(file));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') dir.debug(`cannot read ${file}`, error);
      return;
    }
    if (index.get(name) !== undefined || index.isWriting(name)) return;
    const { header, size } = read;
    if (isDefect(header) || size !== header.headerLength + header.payloadLength) {
      // Someone else's lease is theirs to judge.
      if (state === 'ready') {
        const defect: BatchDefect = isDefect(header) ? header : { problem: 'truncated', header };
        await dir.setAside(file, name, defect, undefined);
      }
      return;
    }
    const entry = index.add({
      name,
      createdAt: header.createdAt,
      records: header.recordCount,
      bytes: size,
      own: false,
      state: state === 'ready' ? 'busy' : 'elsewhere',
      leaseName: undefined,
    });
    if (state !== 'ready') return;
    if (dir.isExpired(entry, now)) await dir.deleteEntry(entry, 'expired');
    else index.setState(entry, 'ready');
  }

  /** Deletes the oldest ready batches while they are expired. */
  async #expireOldest(now: number): Promise<void> {
    const dir = this.#dir;
    for (const entry of dir.index.entries()) {
      if (entry.state !== 'ready') continue;
      if (!dir.isExpired(entry, now)) return;
      dir.index.setState(entry, 'busy');
      await dir.deleteEntry(entry, 'expired');
    }
  }
}
