import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createFileSpool,
  FILE_SPOOL_DEFAULTS,
  type FileSpool,
  type FileSpoolOptions,
  type SpoolLease,
} from '../../src/spool/index.js';
import {
  filesIn,
  leaseEach,
  ManualClock,
  patternBytes,
  realFs,
  unaccountedOwnRecords,
  useScratchSpools,
} from './spool-helpers.js';

const suite = useScratchSpools();
const { spool } = suite;

/** Leases every batch, completing each; returns their ids in lease order. */
const drain = (target: FileSpool): Promise<string[]> => leaseEach(target, (batch) => batch.id);

describe('FileSpool round trip', () => {
  it('gives back a string payload as the same string', async () => {
    const target = spool();
    const payload = '[{"body":"héllo wörld ✓ 🚀"},{"body":""}]';
    const written = await target.write({
      payload,
      contentType: 'application/json',
      recordCount: 2,
    });
    expect(written.ok).toBe(true);
    const lease = await target.lease();
    expect(lease?.batch).toMatchObject({
      payload,
      contentType: 'application/json',
      recordCount: 2,
      writtenByThisSpool: true,
    });
    expect(typeof lease?.batch.payload).toBe('string');
    expect(lease?.batch.id).toBe(written.ok ? written.id : '');
  });

  it('gives back bytes as a Uint8Array with the same bytes, also from a view into a larger buffer', async () => {
    const target = spool();
    const whole = patternBytes(5000);
    const view = whole.subarray(100, 4100);
    await target.write({ payload: view, contentType: 'application/x-protobuf', recordCount: 7 });
    await target.write({ payload: new Uint8Array(0), contentType: '', recordCount: 0 });
    const first = await target.lease();
    expect(first?.batch.payload).toBeInstanceOf(Uint8Array);
    expect(first?.batch.payload).toEqual(new Uint8Array(view));
    expect(first?.batch.recordCount).toBe(7);
    await first?.complete();
    const empty = await target.lease();
    expect(empty?.batch).toMatchObject({
      payload: new Uint8Array(0),
      contentType: '',
      recordCount: 0,
    });
  });

  it('keeps a given id (32 hex digits or a UUID) as 32 lowercase hex digits, and makes one otherwise', async () => {
    const target = spool();
    const a = await target.write({
      payload: 'a',
      contentType: 'text/plain',
      recordCount: 1,
      id: '0123456789ABCDEF0123456789abcdef',
    });
    const b = await target.write({
      payload: 'b',
      contentType: 'text/plain',
      recordCount: 1,
      id: '550e8400-e29b-41d4-a716-446655440000',
    });
    const c = await target.write({ payload: 'c', contentType: 'text/plain', recordCount: 1 });
    expect(a).toMatchObject({ ok: true, id: '0123456789abcdef0123456789abcdef' });
    expect(b).toMatchObject({ ok: true, id: '550e8400e29b41d4a716446655440000' });
    expect(c.ok && c.id).toMatch(/^[0-9a-f]{32}$/);
    expect(await drain(target)).toEqual([a, b, c].map((r) => (r.ok ? r.id : '')));
  });

  it('replays in a new instance (a restarted process), as batches it did not write', async () => {
    const first = spool();
    await first.write({ payload: 'x', contentType: 'text/plain', recordCount: 3 });
    await first.close();
    const second = spool();
    const lease = await second.lease();
    expect(lease?.batch).toMatchObject({ payload: 'x', recordCount: 3, writtenByThisSpool: false });
    expect(second.stats()).toMatchObject({ files: 1, records: 3, ownRecords: 0, leased: 1 });
    await lease?.complete();
    expect(second.stats()).toMatchObject({
      files: 0,
      replayed: { files: 1, records: 3, ownRecords: 0 },
    });
  });

  it('does no I/O before it is used: the directory is created by the first write', async () => {
    const target = spool();
    expect(target.directory).toBe(suite.directory);
    expect(existsSync(suite.directory)).toBe(false);
    expect(target.stats()).toMatchObject({ files: 0, bytes: 0 });
    await target.write({ payload: 'x', contentType: 'text/plain', recordCount: 1 });
    expect(existsSync(suite.directory)).toBe(true);
  });
});

describe('FileSpool order', () => {
  it('replays oldest first, by creation time and then by write order within a millisecond', async () => {
    const clock = new ManualClock();
    const target = spool({ now: clock.read });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      // Three per millisecond: the sequence orders them.
      if (i % 3 === 0) clock.advance(1);
      const result = await target.write({
        payload: `${i}`,
        contentType: 'text/plain',
        recordCount: 1,
      });
      ids.push(result.ok ? result.id : '');
    }
    expect(filesIn(suite.directory)).toHaveLength(12);
    // File names alone sort oldest first.
    const restarted = spool({ now: clock.read });
    const payloads: unknown[] = [];
    for (let lease = await restarted.lease(); lease; lease = await restarted.lease()) {
      payloads.push(lease.batch.payload);
      await lease.complete();
    }
    expect(payloads).toEqual(ids.map((_, i) => `${i}`));
  });

  it('gives a released batch back at its old place', async () => {
    const target = spool();
    for (const payload of ['a', 'b', 'c']) {
      await target.write({ payload, contentType: 'text/plain', recordCount: 1 });
    }
    const first = await target.lease();
    const second = await target.lease();
    expect([first?.batch.payload, second?.batch.payload]).toEqual(['a', 'b']);
    await first?.release();
    const again = await target.lease();
    expect(again?.batch.payload).toBe('a');
    expect(target.stats().leased).toBe(2);
  });

  it('never hands one batch to two concurrent lease() calls', async () => {
    const target = spool();
    for (let i = 0; i < 20; i++) {
      await target.write({ payload: `${i}`, contentType: 'text/plain', recordCount: 1 });
    }
    const leases = await Promise.all(Array.from({ length: 25 }, () => target.lease()));
    const got = leases.filter((l): l is SpoolLease => l !== undefined).map((l) => l.batch.payload);
    expect(got).toHaveLength(20);
    expect(new Set(got).size).toBe(20);
  });
});

describe('FileSpool scans', () => {
  it('leave alone what changed while they listed the directory', async () => {
    // A listing taken before a write finished must not make the new batch look vanished.
    let gate: Promise<void> | undefined;
    let openGate = (): void => {};
    const target = spool({
      rescanIntervalMillis: 0,
      fs: {
        ...realFs,
        readdir: async (path, options) => {
          const listing = await realFs.readdir(path, options);
          if (gate !== undefined) await gate;
          return listing;
        },
      },
    });
    await target.write({ payload: 'first', contentType: 'text/plain', recordCount: 1 });
    gate = new Promise((resolve) => {
      openGate = resolve;
    });
    const leasing = target.lease();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the scan has listed and waits
    const second = await target.write({
      payload: 'second',
      contentType: 'text/plain',
      recordCount: 1,
    });
    expect(second.ok).toBe(true);
    openGate();
    expect((await leasing)?.batch.payload).toBe('first');
    expect(target.stats()).toMatchObject({ files: 2, vanished: { files: 0 } });
    expect((await target.lease())?.batch.payload).toBe('second');
  });
});

describe('FileSpool leases', () => {
  it('write-ahead: a batch written leased is not replayed by anyone until its writer releases it', async () => {
    const writer = spool();
    const other = spool();
    const written = await writer.write(
      { payload: 'in flight', contentType: 'text/plain', recordCount: 4 },
      { leased: true },
    );
    if (!written.ok) throw new Error(written.message);
    expect(written.lease.batch).toMatchObject({ payload: 'in flight', writtenByThisSpool: true });
    expect(await writer.lease()).toBeUndefined();
    expect(await other.lease()).toBeUndefined();
    expect(writer.stats()).toMatchObject({ files: 1, leased: 1, ownRecords: 4 });
    await written.lease.release();
    const replay = await other.lease();
    expect(replay?.batch).toMatchObject({ payload: 'in flight', id: written.id });
  });

  it('write-ahead: completing deletes the file and counts the records as replayed', async () => {
    const writer = spool();
    const written = await writer.write(
      { payload: 'sent', contentType: 'text/plain', recordCount: 4 },
      { leased: true },
    );
    if (!written.ok) throw new Error(written.message);
    await written.lease.complete();
    await written.lease.complete(); // settling twice does nothing
    await written.lease.release();
    expect(filesIn(suite.directory)).toEqual([]);
    expect(writer.stats()).toMatchObject({
      files: 0,
      leased: 0,
      replayed: { files: 1, records: 4, ownRecords: 4 },
    });
    expect(unaccountedOwnRecords(writer.stats())).toBe(0);
  });

  it('close() gives back the leases still held, and stops', async () => {
    const target = spool();
    await target.write({ payload: 'kept', contentType: 'text/plain', recordCount: 1 });
    const lease = await target.lease();
    expect(lease).toBeDefined();
    await target.close();
    await target.close();
    expect(await target.lease()).toBeUndefined();
    expect(
      await target.write({ payload: 'late', contentType: 'text/plain', recordCount: 2 }),
    ).toMatchObject({
      ok: false,
      reason: 'closed',
    });
    expect(target.stats().writeFailures.closed).toEqual({ files: 1, records: 2 });
    await lease?.complete(); // already given back: nothing happens
    const next = spool();
    expect((await next.lease())?.batch.payload).toBe('kept');
  });
});

describe('FileSpool input and options', () => {
  it.each([
    ['a non-object', 42],
    ['a payload of another type', { payload: 5, contentType: 'x', recordCount: 1 }],
    [
      'a DataView payload',
      { payload: new DataView(new ArrayBuffer(2)), contentType: 'x', recordCount: 1 },
    ],
    ['a missing content type', { payload: 'x', recordCount: 1 }],
    [
      'a content type over 1024 bytes',
      { payload: 'x', contentType: 'é'.repeat(513), recordCount: 1 },
    ],
    ['a negative record count', { payload: 'x', contentType: 'x', recordCount: -1 }],
    ['a fractional record count', { payload: 'x', contentType: 'x', recordCount: 1.5 }],
    ['a record count past 2^32 - 1', { payload: 'x', contentType: 'x', recordCount: 2 ** 32 }],
    ['a malformed id', { payload: 'x', contentType: 'x', recordCount: 1, id: 'not-an-id' }],
  ])('refuses %s as invalid_batch without throwing', async (_, input) => {
    const target = spool();
    const result = await target.write(input as never);
    expect(result).toMatchObject({ ok: false, reason: 'invalid_batch' });
    expect(target.stats().writeFailures.invalid_batch.files).toBe(1);
    expect(filesIn(suite.directory)).toEqual([]);
  });

  it.each([
    [{ directory: '' }, "directory must be a non-empty path, got ''"],
    [{ directory: 5 }, 'directory must be a non-empty path, got 5'],
    [{ maxBytes: 0 }, 'maxBytes must be an integer >= 1, got 0'],
    [{ maxBytes: 1.5 }, 'maxBytes must be an integer >= 1, got 1.5'],
    [{ maxAgeMillis: -1 }, 'maxAgeMillis must be an integer >= 1, got -1'],
    [{ leaseTimeoutMillis: Number.NaN }, 'leaseTimeoutMillis must be an integer >= 1, got NaN'],
    [{ rescanIntervalMillis: -5 }, 'rescanIntervalMillis must be an integer >= 0, got -5'],
    [{ fsync: 'yes' }, "fsync must be a boolean, got 'yes'"],
    [{ logger: {} }, 'logger must be an object with warn() and debug(), got an object'],
    [{ now: 5 }, 'now must be a function, got 5'],
    [{ fs: { open: () => {} } }, 'fs must have a mkdir() method, got an object'],
  ])('rejects %o with a TypeError naming the option', (options, message) => {
    expect(() => createFileSpool({ directory: '/tmp/x', ...options } as FileSpoolOptions)).toThrow(
      new TypeError(message),
    );
  });

  it('documents its defaults', () => {
    expect(FILE_SPOOL_DEFAULTS).toEqual({
      maxBytes: 64 * 1024 * 1024,
      maxAgeMillis: 86_400_000,
      leaseTimeoutMillis: 300_000,
      rescanIntervalMillis: 5000,
      fsync: true,
      name: 'FileSpool',
    });
  });

  it('writes durably by default (fsync) with the same result', async () => {
    const target = createFileSpool({ directory: suite.directory });
    try {
      const result = await target.write({
        payload: 'durable',
        contentType: 'text/plain',
        recordCount: 1,
      });
      expect(result.ok).toBe(true);
      expect((await target.lease())?.batch.payload).toBe('durable');
    } finally {
      await target.close();
    }
  });

  it('cleans up a temporary file of a dead writer, and an old one of a writer it cannot judge', async () => {
    const clock = new ManualClock();
    const first = spool({ now: clock.read });
    await first.write({ payload: 'x', contentType: 'text/plain', recordCount: 1 });
    // The host tag this process puts in names, read off a lease name: <ready>.<host>-<pid>-<id>...
    const lease = await first.lease();
    const host = filesIn(suite.directory)[0]?.split('.')[2]?.split('-')[0];
    await lease?.release();
    expect(host).toMatch(/^[0-9a-f]{8}$/);
    const stem = `${clock.now.toString(16).padStart(12, '0')}-00000009-00000000000000aa.batch`;
    // This process's pid, with an instance that is not open: a writer that crashed.
    const deadWriter = `${stem}.${host}-${process.pid}-00000000000000aa.tmp`;
    // Another host: only the lease timeout can tell.
    const otherHost = `${stem}.ffffffff-12345-00000000000000bb.tmp`;
    await writeFile(join(suite.directory, deadWriter), 'partial');
    await writeFile(join(suite.directory, otherHost), 'partial');
    const second = spool({ now: clock.read, rescanIntervalMillis: 0 });
    await second.lease();
    expect(filesIn(suite.directory)).not.toContain(deadWriter);
    expect(filesIn(suite.directory)).toContain(otherHost);
    clock.advance(FILE_SPOOL_DEFAULTS.leaseTimeoutMillis + 1);
    await second.lease();
    expect(filesIn(suite.directory)).not.toContain(otherHost);
    expect(second.stats().corrupt.files).toBe(0);
  });

  it('salvages a complete temporary file of a dead writer: the crash cut only its rename short', async () => {
    const first = spool();
    await first.write({
      payload: 'fsynced, not renamed',
      contentType: 'text/plain',
      recordCount: 6,
    });
    const lease = await first.lease();
    const [leased] = filesIn(suite.directory) as [string];
    const [ready, holder] = leased.split('.batch.') as [string, string];
    const [host] = holder.split('-');
    await lease?.release();
    await first.close();
    // As a writer of this host that crashed between its fsync and its rename would leave it.
    const temp = `${ready}.batch.${host}-${process.pid}-00000000000000cc.tmp`;
    await rename(join(suite.directory, `${ready}.batch`), join(suite.directory, temp));
    const second = spool();
    const salvaged = await second.lease();
    expect(salvaged?.batch).toMatchObject({ payload: 'fsynced, not renamed', recordCount: 6 });
    expect(filesIn(suite.directory).some((name) => name.endsWith('.tmp'))).toBe(false);
  });
});
