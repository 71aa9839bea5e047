import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileSpool,
  type FileSpool,
  type FileSpoolOptions,
  type SpoolFileSystem,
} from '../../src/spool/index.js';
import {
  batchFilesIn,
  faultyFs,
  filesIn,
  patternBytes,
  realFs,
  recordingLogger,
  scratchDirectory,
  unaccountedOwnRecords,
  watchUnhandledRejections,
} from './spool-helpers.js';

let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
let directory: string;
let mounted: string | undefined;
let rejections: ReturnType<typeof watchUnhandledRejections>;
const open: FileSpool[] = [];

function spool(options: Partial<FileSpoolOptions> = {}): FileSpool {
  const created = createFileSpool({ directory, fsync: false, rescanIntervalMillis: 0, ...options });
  open.push(created);
  return created;
}

/**
 * Mounts a tmpfs of `size` on `path` when this process may (root on Linux); returns whether it
 * did. Elsewhere the tests fall back to a file system that fails on purpose.
 */
function mountTmpfs(path: string, size: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', path], {
      stdio: 'ignore',
    });
    mounted = path;
    return true;
  } catch {
    return false;
  }
}

function remountReadOnly(path: string): boolean {
  try {
    execFileSync('mount', ['-o', 'remount,ro', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

beforeEach(async () => {
  rejections = watchUnhandledRejections();
  scratch = await scratchDirectory();
  directory = join(scratch.path, 'spool');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  if (mounted !== undefined) execFileSync('umount', ['-l', mounted], { stdio: 'ignore' });
  mounted = undefined;
  await scratch.remove();
  expect(rejections.stop()).toEqual([]);
});

function batch(size: number, recordCount = 4) {
  return { payload: patternBytes(size), contentType: 'application/octet-stream', recordCount };
}

describe('a full disk', () => {
  it('fails writes as disk_full, warns once per streak, and writes again once space frees', async () => {
    await mkdir(directory, { recursive: true });
    let fs: SpoolFileSystem = realFs;
    if (!mountTmpfs(directory, '64k')) {
      // No tmpfs: a file system that is "full" past 48 KiB of batch files.
      fs = faultyFs((operation) =>
        operation === 'write' && batchFilesIn(directory).bytes > 48 * 1024 ? 'ENOSPC' : undefined,
      );
    }
    const logger = recordingLogger();
    const target = spool({ fs, fsync: true, logger, maxBytes: 16 * 1024 * 1024 });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await target.write(batch(16 * 1024)));
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const result of failed) expect(result).toMatchObject({ ok: false, reason: 'disk_full' });
    expect(target.stats().writeFailures.disk_full).toEqual({
      files: failed.length,
      records: 4 * failed.length,
    });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/disk_full/);
    // No temporary file is left behind, and nothing the failures wrote counts.
    expect(filesIn(directory).every((name) => name.endsWith('.batch'))).toBe(true);
    expect(target.stats().files).toBe(filesIn(directory).length);

    // The disk frees up: the next write succeeds, and a new streak warns again.
    const lease = await target.lease();
    await lease?.complete();
    expect(await target.write(batch(8 * 1024))).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) await target.write(batch(16 * 1024));
    expect(logger.warnings).toHaveLength(2);
    expect(unaccountedOwnRecords(target.stats())).toBe(0);
  });
});

describe('permissions and read-only file systems', () => {
  it('fails writes as permission_denied (EACCES), then recovers', async () => {
    let denied = true;
    const logger = recordingLogger();
    const target = spool({
      logger,
      fs: faultyFs((operation) => (denied && operation === 'open' ? 'EACCES' : undefined)),
    });
    for (let i = 0; i < 3; i++) {
      expect(await target.write(batch(100))).toMatchObject({
        ok: false,
        reason: 'permission_denied',
        error: expect.objectContaining({ code: 'EACCES' }),
      });
    }
    expect(logger.warnings).toHaveLength(1);
    expect(logger.debugs.some((m) => m.includes('permission_denied'))).toBe(true);
    denied = false;
    expect(await target.write(batch(100))).toMatchObject({ ok: true });
    expect(target.stats().writeFailures.permission_denied).toEqual({ files: 3, records: 12 });
  });

  it('counts EPERM as permission_denied too', async () => {
    const target = spool({
      fs: faultyFs((op) => (op === 'datasync' ? 'EPERM' : undefined)),
      fsync: true,
    });
    expect(await target.write(batch(10))).toMatchObject({ ok: false, reason: 'permission_denied' });
    expect(filesIn(directory)).toEqual([]);
  });

  it('on a read-only file system: writes fail as read_only, leases find nothing, nothing throws', async () => {
    await mkdir(directory, { recursive: true });
    const writer = spool();
    await writer.write(batch(100));
    await writer.close();
    let fs: SpoolFileSystem = realFs;
    if (!(mountTmpfs(directory, '1m') && (await refill()) && remountReadOnly(directory))) {
      fs = faultyFs((operation) =>
        ['open', 'rename', 'unlink', 'mkdir'].includes(operation) ? 'EROFS' : undefined,
      );
    }
    const logger = recordingLogger();
    const target = spool({ fs, logger });
    expect(await target.write(batch(100))).toMatchObject({ ok: false, reason: 'read_only' });
    expect(await target.lease()).toBeUndefined();
    expect(await target.write(batch(100))).toMatchObject({ ok: false, reason: 'read_only' });
    expect(target.stats()).toMatchObject({
      files: 1,
      leased: 0,
      writeFailures: { read_only: { files: 2, records: 8 } },
    });
    expect(logger.warnings).toHaveLength(1);
  });

  it('never throws, even when the file system throws synchronously', async () => {
    const throwing = new Proxy({} as SpoolFileSystem, {
      get: () => () => {
        throw new TypeError('broken fs');
      },
    });
    const target = spool({ fs: throwing });
    expect(await target.write(batch(10))).toMatchObject({ ok: false, reason: 'io_error' });
    expect(await target.lease()).toBeUndefined();
    expect(await target.write(batch(10), { leased: true })).toMatchObject({ ok: false });
    await target.close();
  });
});

/** After mounting over `directory`, writes a batch into the fresh (empty) mount. */
async function refill(): Promise<boolean> {
  const writer = spool();
  const result = await writer.write(batch(100));
  await writer.close();
  return result.ok;
}

describe('the directory deleted underneath', () => {
  it('recreates it on the next write, and counts what was lost as vanished', async () => {
    const logger = recordingLogger();
    const target = spool({ logger });
    await target.write(batch(100, 3));
    await target.write(batch(100, 5));
    await rm(directory, { recursive: true, force: true });
    expect(await target.write(batch(100, 7))).toMatchObject({ ok: true });
    expect(target.stats()).toMatchObject({
      files: 1,
      records: 7,
      vanished: { files: 2, records: 8, ownRecords: 8 },
    });
    expect(unaccountedOwnRecords(target.stats())).toBe(0);
    expect((await target.lease())?.batch.recordCount).toBe(7);
    expect(logger.warnings).toEqual([]);
  });

  it('a lease right after counts what was lost as vanished, not as held by another process', async () => {
    // No scan is due (the interval is long): the lease meets the known files gone. They must not
    // stay known as leased elsewhere, their records counted in the spool, until some later call.
    const target = spool({ rescanIntervalMillis: 60_000 });
    await target.write(batch(100, 3));
    await target.write(batch(100, 5));
    await rm(directory, { recursive: true, force: true });
    expect(await target.lease()).toBeUndefined();
    expect(target.stats()).toMatchObject({
      files: 0,
      records: 0,
      vanished: { files: 2, records: 8, ownRecords: 8 },
    });
    expect(unaccountedOwnRecords(target.stats())).toBe(0);
  });

  it('gives up as directory_missing when it vanishes again right after being recreated', async () => {
    let mkdirs = 0;
    const logger = recordingLogger();
    const target = spool({
      logger,
      fs: faultyFs((operation) => {
        if (operation === 'mkdir') mkdirs++;
        return operation === 'open' ? 'ENOENT' : undefined;
      }),
    });
    expect(await target.write(batch(10))).toMatchObject({ ok: false, reason: 'directory_missing' });
    expect(await target.write(batch(10))).toMatchObject({ ok: false, reason: 'directory_missing' });
    // Once when first used, then once per write: recreate once, then give up.
    expect(mkdirs).toBe(3);
    expect(logger.warnings).toHaveLength(1);
  });

  it('a lease held when the directory goes: completing counts it replayed, releasing counts it vanished', async () => {
    const target = spool();
    await target.write(batch(10, 2));
    await target.write(batch(10, 3));
    const first = await target.lease();
    const second = await target.lease();
    await rm(directory, { recursive: true, force: true });
    await first?.complete();
    await second?.release();
    expect(target.stats()).toMatchObject({
      files: 0,
      replayed: { records: 2 },
      vanished: { records: 3 },
    });
    expect(unaccountedOwnRecords(target.stats())).toBe(0);
    expect(await target.lease()).toBeUndefined();
  });
});
