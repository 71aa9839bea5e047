import * as fsPromises from 'node:fs/promises';
import { resolve } from 'node:path';
import { safeLogger } from '../support/diagnostic-logger.js';
import {
  booleanOption,
  describeValue,
  functionOption,
  integerOption,
  stringOption,
} from '../support/option-checks.js';
import type { SpoolFileSystem, SpoolLogger } from './spool-types.js';

/** Options of {@link createFileSpool}. */
export interface FileSpoolOptions {
  /** The spool's directory; created (recursively, mode 0700) on first use if missing. */
  directory: string;
  /**
   * The most bytes of batch files (headers included) the spool holds; the oldest batches are
   * evicted to make room, and a batch larger than this alone is refused. An integer >= 1. Shared
   * directories: each process enforces it over the files it knows of, so it is approximate there.
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number;
  /**
   * Batches older than this are deleted (and counted as expired) when a scan or a lease meets
   * them, in milliseconds. An integer >= 1.
   * @default 86400000 (24 h)
   */
  maxAgeMillis?: number;
  /**
   * A lease (or a temporary file) older than this is recovered by any process, even when its
   * holder looks alive; one whose holder is known to be gone (a dead pid of the same host) is
   * recovered at once. Longer than the longest send plus its retries. An integer >= 1.
   * @default 300000 (5 min)
   */
  leaseTimeoutMillis?: number;
  /**
   * How often `lease()` lists the directory for batches of other processes and stale leases, in
   * milliseconds; it also lists it whenever it knows of no batch to lease. An integer >= 0.
   * @default 5000
   */
  rescanIntervalMillis?: number;
  /**
   * Whether a write waits for the file's data and the directory entry to reach the disk (fsync)
   * before it resolves. Without it a batch survives a crash of the process, not of the machine;
   * a file torn by a power loss is caught by its checksum and moved aside.
   * @default true
   */
  fsync?: boolean;
  /**
   * Where failures go: at most one warning per streak of failed writes, details to `debug`.
   * A logger that throws is ignored.
   * @default a logger that discards everything
   */
  logger?: SpoolLogger;
  /**
   * Prefix of diagnostic messages. A string.
   * @default 'FileSpool'
   */
  name?: string;
  /**
   * The clock, in milliseconds since the epoch: creation times, ages, lease times.
   * @default Date.now
   */
  now?: () => number;
  /**
   * The file system: `node:fs/promises` or a stand-in with the same methods.
   * @default node:fs/promises
   */
  fs?: SpoolFileSystem;
}

/** {@link FileSpoolOptions} with every default applied and validated. */
export interface ResolvedFileSpoolOptions {
  readonly directory: string;
  readonly maxBytes: number;
  readonly maxAgeMillis: number;
  readonly leaseTimeoutMillis: number;
  readonly rescanIntervalMillis: number;
  readonly fsync: boolean;
  readonly logger: SpoolLogger;
  readonly name: string;
  readonly now: () => number;
  readonly fs: SpoolFileSystem;
}

/** The defaults of {@link FileSpoolOptions}. */
export const FILE_SPOOL_DEFAULTS: Readonly<{
  maxBytes: number;
  maxAgeMillis: number;
  leaseTimeoutMillis: number;
  rescanIntervalMillis: number;
  fsync: boolean;
  name: string;
}> = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxAgeMillis: 24 * 60 * 60 * 1000,
  leaseTimeoutMillis: 5 * 60 * 1000,
  rescanIntervalMillis: 5000,
  fsync: true,
  name: 'FileSpool',
});

/**
 * Applies defaults, then validates; throws a `TypeError` naming the option and echoing the bad
 * value. Does no I/O.
 */
export function resolveFileSpoolOptions(options: FileSpoolOptions): ResolvedFileSpoolOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `FileSpool options must be an object with a directory, got ${describeValue(options)}`,
    );
  }
  const { directory } = options;
  if (typeof directory !== 'string' || directory.length === 0 || directory.includes('\0')) {
    throw new TypeError(`directory must be a non-empty path, got ${describeValue(directory)}`);
  }
  const d = FILE_SPOOL_DEFAULTS;
  // `??`: a null option takes its default here, as it always has.
  const fsync = booleanOption('fsync', options.fsync ?? d.fsync, d.fsync);
  const name = stringOption('name', options.name ?? d.name) ?? d.name;
  const now = functionOption('now', options.now ?? Date.now) ?? Date.now;
  const fs = options.fs ?? (fsPromises as unknown as SpoolFileSystem);
  for (const method of ['mkdir', 'readdir', 'open', 'rename', 'unlink'] as const) {
    if (typeof fs?.[method] !== 'function') {
      throw new TypeError(`fs must have a ${method}() method, got ${describeValue(fs)}`);
    }
  }
  return Object.freeze({
    directory: resolve(directory),
    maxBytes: integerOption('maxBytes', options.maxBytes ?? d.maxBytes, 1),
    maxAgeMillis: integerOption('maxAgeMillis', options.maxAgeMillis ?? d.maxAgeMillis, 1),
    leaseTimeoutMillis: integerOption(
      'leaseTimeoutMillis',
      options.leaseTimeoutMillis ?? d.leaseTimeoutMillis,
      1,
    ),
    rescanIntervalMillis: integerOption(
      'rescanIntervalMillis',
      options.rescanIntervalMillis ?? d.rescanIntervalMillis,
      0,
    ),
    fsync,
    logger: safeLogger(options.logger),
    name,
    now,
    fs,
  });
}
