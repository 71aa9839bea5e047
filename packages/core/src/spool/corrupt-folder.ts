import { join } from 'node:path';
import type { BatchProblem } from './batch-format.js';
import { errorCode } from './fs-errors.js';
import type { ResolvedFileSpoolOptions } from './spool-options.js';

/** The subfolder unreadable files are moved into. */
export const CORRUPT_FOLDER = 'corrupt';
/** Files kept in it; older ones are deleted, so that it never grows without bound. */
const KEEP_FILES = 64;
/** The shortest interval between two warnings about files set aside. */
const WARNING_INTERVAL_MILLIS = 60_000;

const EXPLANATIONS: Readonly<Record<BatchProblem, string>> = {
  not_a_batch: 'not a spool batch file',
  unsupported_version: 'written by a later version of the format',
  truncated: 'truncated',
  header_checksum: 'damaged header',
  payload_checksum: 'damaged payload',
  trailing_bytes: 'unexpected bytes after the payload',
};

/**
 * Sets unreadable files aside in `corrupt/` for a human to look at, rather than deleting what may
 * be evidence, or throwing. Keeps the most recent {@link KEEP_FILES}.
 */
export class CorruptFolder {
  readonly #options: ResolvedFileSpoolOptions;
  readonly #folder: string;
  #sinceWarning = 0;
  #lastWarningAt = Number.NEGATIVE_INFINITY;
  #trimming = false;

  constructor(options: ResolvedFileSpoolOptions) {
    this.#options = options;
    this.#folder = join(options.directory, CORRUPT_FOLDER);
  }

  /**
   * Moves `file` of the spool directory to `corrupt/<name>`, or deletes it when it cannot be
   * moved. Resolves `true` when it is gone from the spool directory, `false` when it could be
   * neither moved nor deleted, or was already gone (someone else dealt with it).
   */
  async moveAside(file: string, name: string, problem: BatchProblem): Promise<boolean> {
    const { fs, directory } = this.#options;
    const from = join(directory, file);
    const to = join(this.#folder, name);
    let error = await attempt(() => fs.rename(from, to));
    if (errorCode(error) === 'ENOENT') {
      // The folder may be missing (or the file gone: the second attempt tells).
      await attempt(() => fs.mkdir(this.#folder, { recursive: true, mode: 0o700 }));
      error = await attempt(() => fs.rename(from, to));
    }
    if (error !== undefined) {
      if (errorCode(error) === 'ENOENT') return false;
      if ((await attempt(() => fs.unlink(from))) !== undefined) {
        this.#options.logger.debug(`${this.#options.name}: cannot set ${file} aside`, error);
        return false;
      }
    }
    this.#report(file, problem, error === undefined);
    await this.#trim();
    return true;
  }

  #report(file: string, problem: BatchProblem, moved: boolean): void {
    const { logger, name, now } = this.#options;
    const what = `${name}: ${file} is ${EXPLANATIONS[problem]}; ${moved ? `moved to ${CORRUPT_FOLDER}/` : 'deleted'}`;
    this.#sinceWarning++;
    const at = now();
    if (at - this.#lastWarningAt < WARNING_INTERVAL_MILLIS) {
      logger.debug(what);
      return;
    }
    const others = this.#sinceWarning - 1;
    this.#sinceWarning = 0;
    this.#lastWarningAt = at;
    logger.warn(
      `${what}${others > 0 ? ` (and ${others} more since the last warning)` : ''}; counts in stats().corrupt`,
    );
  }

  /** Deletes the oldest files of the folder past {@link KEEP_FILES}. */
  async #trim(): Promise<void> {
    if (this.#trimming) return;
    this.#trimming = true;
    try {
      const { fs } = this.#options;
      const names = (await fs.readdir(this.#folder, { withFileTypes: true }))
        .filter((dirent) => dirent.isFile())
        .map((dirent) => dirent.name)
        .sort();
      for (const name of names.slice(0, Math.max(0, names.length - KEEP_FILES))) {
        await attempt(() => fs.unlink(join(this.#folder, name)));
      }
    } catch {
      // trimming is housekeeping: the next set-aside tries again
    } finally {
      this.#trimming = false;
    }
  }
}

/** Runs `action`; resolves the error it threw or rejected with, or `undefined`. */
async function attempt(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
    return undefined;
  } catch (error) {
    return error ?? new Error('failed');
  }
}
