import type { SpoolFileSystem, SpoolLogger } from './spool-types.js';

/**
 * Fsyncs a directory so that renames into it survive a crash, sharing one fsync between the
 * writers that ask while another one runs: each caller waits for an fsync that started after
 * its call, and a burst of writes pays for two fsyncs, not one each. Never rejects: a file system
 * that cannot fsync a directory (Windows) is remembered and skipped.
 */
export class DirectorySync {
  readonly #fs: SpoolFileSystem;
  readonly #directory: string;
  readonly #logger: SpoolLogger;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  /** Windows has no directory fsync (NTFS journals its metadata); other systems may refuse one. */
  #unsupported: boolean = process.platform === 'win32';

  constructor(fs: SpoolFileSystem, directory: string, logger: SpoolLogger) {
    this.#fs = fs;
    this.#directory = directory;
    this.#logger = logger;
  }

  /** Resolves once an fsync of the directory that started after this call has finished. */
  sync(): Promise<void> {
    if (this.#unsupported) return Promise.resolve();
    if (this.#running === undefined) {
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#next ??= this.#running.then(() => {
      this.#next = undefined;
      return this.sync();
    });
    return this.#next;
  }

  async #run(): Promise<void> {
    try {
      const handle = await this.#fs.open(this.#directory, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'EISDIR' || code === 'EINVAL' || code === 'ENOTSUP') {
        this.#unsupported = true;
      }
      this.#logger.debug(`directory fsync of ${this.#directory} failed`, error);
    }
  }
}
