import { join } from 'node:path';
import type { BatchDefect } from './batch-format.js';
import type { Holder } from './batch-names.js';
import { CorruptFolder } from './corrupt-folder.js';
import { errorCode } from './fs-errors.js';
import { isHolderGone, newHolder } from './holder.js';
import { SpoolCounters } from './spool-counters.js';
import { countInto, type SpoolEntry, SpoolIndex } from './spool-index.js';
import type { ResolvedFileSpoolOptions } from './spool-options.js';

/**
 * What the parts of a spool instance share: its options and identity, the index of the files it
 * knows of, its counters, and the operations that change a known file and count the change.
 * None of them rejects.
 */
export class SpoolDirectory {
  readonly options: ResolvedFileSpoolOptions;
  /** This instance, as lease and temporary file names name it. */
  readonly self: Holder = newHolder();
  readonly index: SpoolIndex = new SpoolIndex();
  readonly counters: SpoolCounters = new SpoolCounters();
  readonly #corrupt: CorruptFolder;

  constructor(options: ResolvedFileSpoolOptions) {
    this.options = options;
    this.#corrupt = new CorruptFolder(options);
  }

  /** The absolute path of a file of the spool directory. */
  path(name: string): string {
    return join(this.options.directory, name);
  }

  /** Writes a debug line prefixed with the spool's name. */
  debug(message: string, error?: unknown): void {
    this.options.logger.debug(
      `${this.options.name}: ${message}`,
      ...(error === undefined ? [] : [error]),
    );
  }

  isExpired(entry: SpoolEntry, now: number): boolean {
    return now - entry.createdAt > this.options.maxAgeMillis;
  }

  /** Whether a lease or temporary file of `holder`, made at `since`, may be taken over. */
  isStale(holder: Holder, since: number, now: number): boolean {
    return now - since > this.options.leaseTimeoutMillis || isHolderGone(holder, this.self);
  }

  /** Creates the directory if missing; resolves the error, if any. */
  async makeDirectory(): Promise<unknown> {
    try {
      await this.options.fs.mkdir(this.options.directory, { recursive: true, mode: 0o700 });
      return undefined;
    } catch (error) {
      return error ?? new Error('mkdir failed');
    }
  }

  /** Deletes a busy entry's ready file and counts it; leaves it known when that fails. */
  async deleteEntry(entry: SpoolEntry, why: 'evicted' | 'expired'): Promise<void> {
    try {
      await this.options.fs.unlink(this.path(entry.name));
    } catch (error) {
      // ENOENT: another process leased or deleted it first; the next scan tells which.
      if (errorCode(error) === 'ENOENT') this.index.setState(entry, 'elsewhere');
      else {
        this.index.setState(entry, 'ready');
        this.debug(`cannot delete ${entry.name}`, error);
      }
      return;
    }
    this.index.remove(entry);
    countInto(why === 'expired' ? this.counters.expired : this.counters.evicted, entry);
    this.debug(`${why} ${entry.name} (${entry.records} records)`);
  }

  /** Renames a leased file back to its ready name; counts it vanished when it is gone. */
  async giveBack(entry: SpoolEntry, lease: string): Promise<void> {
    try {
      await this.options.fs.rename(this.path(lease), this.path(entry.name));
      this.index.setState(entry, 'ready');
    } catch (error) {
      // Recovered by another process as stale, or lost with the directory.
      this.debug(`cannot give back ${lease}`, error);
      this.index.remove(entry);
      countInto(this.counters.vanished, entry);
    }
  }

  /**
   * Moves an unreadable file into `corrupt/` and counts it, with the entry's record count when
   * the spool knew it, the header's when only the payload is bad, 0 otherwise.
   */
  async setAside(
    file: string,
    name: string,
    defect: BatchDefect,
    entry: SpoolEntry | undefined,
  ): Promise<void> {
    const moved = await this.#corrupt.moveAside(file, name, defect.problem);
    if (!moved) {
      // Gone, or neither movable nor deletable: not met again before the next scan.
      if (entry !== undefined) this.index.setState(entry, 'elsewhere');
      return;
    }
    const { corrupt } = this.counters;
    if (entry !== undefined) {
      this.index.remove(entry);
      countInto(corrupt, entry);
    } else {
      corrupt.files++;
      corrupt.records += defect.header?.recordCount ?? 0;
    }
  }

  async unlinkQuietly(name: string): Promise<void> {
    try {
      await this.options.fs.unlink(this.path(name));
    } catch {
      // gone already, or not ours to delete after all
    }
  }
}
