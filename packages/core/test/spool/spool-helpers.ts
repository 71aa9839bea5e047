import { readdirSync, statSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import {
  createFileSpool,
  type FileSpool,
  type FileSpoolOptions,
  type SpooledBatch,
  type SpoolFileHandle,
  type SpoolFileSystem,
  type SpoolLogger,
  type SpoolStats,
} from '../../src/spool/index.js';

/** A fresh directory under the system's temporary directory; `remove()` deletes it. */
export async function scratchDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'spool-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * The fixture of a spool suite, registered as hooks: before each test a fresh scratch directory
 * (the spool's `directory` is `spool/` inside it, not created yet); after it, every spool the
 * test opened through `spool()` is closed and the directory deleted. `spool()` opens one there
 * without fsync, with `defaults` and then `options` applied.
 */
export function useScratchSpools(defaults: Partial<FileSpoolOptions> = {}): {
  readonly directory: string;
  spool(options?: Partial<FileSpoolOptions>): FileSpool;
} {
  let scratch: Awaited<ReturnType<typeof scratchDirectory>> | undefined;
  let directory = '';
  const open: FileSpool[] = [];
  beforeEach(async () => {
    scratch = await scratchDirectory();
    directory = join(scratch.path, 'spool');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await scratch?.remove();
  });
  return {
    get directory() {
      return directory;
    },
    spool(options = {}) {
      const created = createFileSpool({ directory, fsync: false, ...defaults, ...options });
      open.push(created);
      return created;
    },
  };
}

/** Leases every batch, completing each; returns `pick` of each, in lease order. */
export async function leaseEach<T>(
  target: FileSpool,
  pick: (batch: SpooledBatch) => T,
): Promise<T[]> {
  const picked: T[] = [];
  for (let lease = await target.lease(); lease !== undefined; lease = await target.lease()) {
    picked.push(pick(lease.batch));
    await lease.complete();
  }
  return picked;
}

/** A logger that keeps what it is told. */
export function recordingLogger(): SpoolLogger & { warnings: string[]; debugs: string[] } {
  const warnings: string[] = [];
  const debugs: string[] = [];
  return {
    warnings,
    debugs,
    warn: (message) => {
      warnings.push(message);
    },
    debug: (message) => {
      debugs.push(message);
    },
  };
}

/** A clock the test moves by hand. */
export class ManualClock {
  now = 1_750_000_000_000;
  readonly read = (): number => this.now;

  advance(millis: number): void {
    this.now += millis;
  }
}

/** An error as `fs` makes it. */
export function systemError(code: string, syscall = 'open'): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: simulated, ${syscall}`);
  error.code = code;
  error.syscall = syscall;
  return error;
}

/** `node:fs/promises` as a spool's file system. */
export const realFs: SpoolFileSystem = fsPromises as unknown as SpoolFileSystem;

/**
 * A file system that delegates to the real one until `fail` returns an error code for an
 * operation ('open' to write, 'openForReading', 'write', 'datasync', 'rename', 'unlink', 'readdir',
 * 'mkdir').
 */
export function faultyFs(
  fail: (operation: string, path: string) => string | undefined,
): SpoolFileSystem {
  const check = (operation: string, path: string): void => {
    const code = fail(operation, path);
    if (code !== undefined) throw systemError(code, operation);
  };
  const wrapHandle = (handle: SpoolFileHandle, path: string): SpoolFileHandle => ({
    writev: async (buffers, position) => {
      check('write', path);
      return handle.writev(buffers, position);
    },
    write: async (buffer, offset, length, position) => {
      check('write', path);
      return handle.write(buffer, offset, length, position);
    },
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    stat: () => handle.stat(),
    datasync: async () => {
      check('datasync', path);
      return handle.datasync();
    },
    sync: () => handle.sync(),
    close: () => handle.close(),
  });
  return {
    mkdir: async (path, options) => {
      check('mkdir', path);
      return realFs.mkdir(path, options);
    },
    readdir: async (path, options) => {
      check('readdir', path);
      return realFs.readdir(path, options);
    },
    open: async (path, flags, mode) => {
      check(flags === 'r' ? 'openForReading' : 'open', path);
      return wrapHandle(await realFs.open(path, flags, mode), path);
    },
    rename: async (from, to) => {
      check('rename', from);
      return realFs.rename(from, to);
    },
    unlink: async (path) => {
      check('unlink', path);
      return realFs.unlink(path);
    },
  };
}

/** File names in `directory`, sorted; files only. */
export function filesIn(directory: string): string[] {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((dirent) => dirent.isFile())
      .map((dirent) => dirent.name)
      .sort();
  } catch {
    return [];
  }
}

/** The batch files (ready or leased) in `directory`, and their total size. */
export function batchFilesIn(directory: string): { names: string[]; bytes: number } {
  const names = filesIn(directory).filter((name) => /\.(batch|lease)$/.test(name));
  const bytes = names.reduce((sum, name) => sum + statSync(join(directory, name)).size, 0);
  return { names, bytes };
}

/**
 * The accounting rule of the records this spool instance wrote: every one is on disk, replayed,
 * evicted, expired, set aside as corrupt, or vanished. Returns the records unaccounted for.
 */
export function unaccountedOwnRecords(stats: SpoolStats): number {
  return (
    stats.written.records -
    stats.ownRecords -
    stats.replayed.ownRecords -
    stats.evicted.ownRecords -
    stats.expired.ownRecords -
    stats.corrupt.ownRecords -
    stats.vanished.ownRecords
  );
}

/** Fails the test when a promise rejection goes unhandled while it runs. */
export function watchUnhandledRejections(): { stop: () => unknown[] } {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  return {
    stop: () => {
      process.off('unhandledRejection', onRejection);
      return seen;
    },
  };
}

/** A payload of `size` bytes with a recognisable pattern. */
export function patternBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}
