import type { SpoolFileHandle, SpoolFileSystem, SpoolLogger } from './spool-types.js';

/**
 * Fsyncs a directory so that renames into it survive a crash. The directory stays open between
 * fsyncs (one system call each, not three), and writers that ask while an fsync runs share the
 * next one: each caller waits for an fsync that started after its call, so a burst of writes pays
 * for two fsyncs, not one each. Never rejects: a file system that cannot fsync a directory
 * (Windows) is remembered and skipped.
 */
export class DirectorySync {
  readonly #fs: SpoolFileSystem;
  readonly #directory: string;
  readonly #logger: SpoolLogger;
  #handle: SpoolFileHandle | undefined;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  /** Windows has no directory fsync (NTFS journals its metadata); other systems may refuse one. */
  #unsupported: boolean = process.platform === 'win32';
  #closed = false;

  constructor(fs: SpoolFileSystem, directory: string, logger: SpoolLogger) {
    this.#fs = fs;
    this.#directory = directory;
    this.#logger = logger;
  }

  /** Resolves once an fsync of the directory that started after this call has finished. */
  sync(): Promise<void> {
    if (this.#unsupported || this.#closed) return Promise.resolve();
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

  /** The directory was recreated: the open one is the deleted one; open it again next time. */
  async reopen(): Promise<void> {
    await this.#running;
    await this.#closeHandle();
  }

  /** Closes the directory; later calls to `sync()` do nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
    await this.#closeHandle();
  }

  async #run(): Promise<void> {
    try {
      this.#handle ??= await this.#fs.open(this.#directory, 'r');
      await this.#handle.sync();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'EISDIR' || code === 'EINVAL' || code === 'ENOTSUP') this.#unsupported = true;
      this.#logger.debug(`directory fsync of ${this.#directory} failed`, error);
      await this.#closeHandle();
    }
  }

  async #closeHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    try {
      await handle?.close();
    } catch {
      // nothing left to release
    }
  }
}
