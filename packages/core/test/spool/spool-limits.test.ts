import { describe, expect, it } from 'vitest';
import type { FileSpool, SpoolLease } from '../../src/spool/index.js';
import {
  batchFilesIn,
  leaseEach,
  ManualClock,
  patternBytes,
  unaccountedOwnRecords,
  useScratchSpools,
} from './spool-helpers.js';

const suite = useScratchSpools();
const { spool } = suite;

/** Size of the file of a batch with a 1000-byte payload and content type 'a': header 65 bytes. */
const FILE_BYTES = 1065;

function batch(n: number, recordCount = 10) {
  return { payload: patternBytes(1000, n), contentType: 'a', recordCount };
}

/** The seed of a leased batch's payload (its first byte). */
function seedOf(lease: SpoolLease | undefined): number | undefined {
  return (lease?.batch.payload as Uint8Array | undefined)?.[0];
}

const leasePayloadSeeds = (target: FileSpool): Promise<number[]> =>
  leaseEach(target, (batch) => (batch.payload as Uint8Array)[0] as number);

describe('maxBytes', () => {
  it('evicts the oldest batches to make room, and counts them', async () => {
    const target = spool({ maxBytes: 3 * FILE_BYTES });
    for (let n = 1; n <= 5; n++) {
      const result = await target.write(batch(n));
      expect(result).toMatchObject({ ok: true, bytes: FILE_BYTES });
    }
    expect(target.stats()).toMatchObject({
      files: 3,
      bytes: 3 * FILE_BYTES,
      records: 30,
      evicted: { files: 2, records: 20, ownRecords: 20 },
    });
    expect(batchFilesIn(suite.directory)).toMatchObject({ bytes: 3 * FILE_BYTES });
    expect(await leasePayloadSeeds(target)).toEqual([3, 4, 5]);
    expect(unaccountedOwnRecords(target.stats())).toBe(0);
  });

  it('evicts no more than needed when writes run concurrently', async () => {
    const target = spool({ maxBytes: 3 * FILE_BYTES });
    for (let n = 1; n <= 3; n++) await target.write(batch(n));
    const results = await Promise.all([4, 5, 6].map((n) => target.write(batch(n))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(target.stats()).toMatchObject({ files: 3, evicted: { files: 3 } });
    expect(await leasePayloadSeeds(target)).toEqual([4, 5, 6]);
  });

  it('refuses a batch larger than maxBytes alone, evicting nothing', async () => {
    const target = spool({ maxBytes: 2 * FILE_BYTES });
    await target.write(batch(1));
    const result = await target.write({
      payload: patternBytes(2 * FILE_BYTES),
      contentType: 'a',
      recordCount: 9,
    });
    expect(result).toMatchObject({ ok: false, reason: 'batch_too_large' });
    expect(target.stats()).toMatchObject({
      files: 1,
      evicted: { files: 0 },
      writeFailures: { batch_too_large: { files: 1, records: 9 } },
    });
  });

  it('evicts only batches nobody holds; refuses as spool_full when leased ones fill it', async () => {
    const target = spool({ maxBytes: 2 * FILE_BYTES });
    const a = await target.write(batch(1), { leased: true });
    await target.write(batch(2));
    // Room for the third only by evicting the second: the leased first stays.
    await target.write(batch(3));
    expect(target.stats()).toMatchObject({ files: 2, evicted: { files: 1 }, leased: 1 });
    const b = await target.lease();
    expect(seedOf(b)).toBe(3);
    const refused = await target.write(batch(4, 7));
    expect(refused).toMatchObject({ ok: false, reason: 'spool_full' });
    expect(target.stats().writeFailures.spool_full).toEqual({ files: 1, records: 7 });
    if (a.ok) await a.lease.complete();
    expect(await target.write(batch(5))).toMatchObject({ ok: true });
    expect(unaccountedOwnRecords(target.stats())).toBe(0);
  });

  it('counts in what another instance wrote: a restarted process keeps the bound', async () => {
    const first = spool({ maxBytes: 3 * FILE_BYTES });
    for (let n = 1; n <= 3; n++) await first.write(batch(n));
    await first.close();
    const second = spool({ maxBytes: 3 * FILE_BYTES });
    await second.write(batch(4));
    expect(second.stats()).toMatchObject({
      files: 3,
      records: 30,
      ownRecords: 10,
      evicted: { files: 1, records: 10, ownRecords: 0 },
    });
    expect(batchFilesIn(suite.directory).bytes).toBe(3 * FILE_BYTES);
    expect(await leasePayloadSeeds(second)).toEqual([2, 3, 4]);
  });
});

describe('maxAgeMillis', () => {
  it('deletes and counts expired batches when a lease meets them, and leases the next', async () => {
    const clock = new ManualClock();
    const target = spool({ maxAgeMillis: 60_000, now: clock.read });
    await target.write(batch(1, 3));
    await target.write(batch(2, 4));
    clock.advance(30_000);
    await target.write(batch(3, 5));
    clock.advance(30_001);
    const lease = await target.lease();
    expect(seedOf(lease)).toBe(3);
    expect(target.stats()).toMatchObject({
      files: 1,
      expired: { files: 2, records: 7, ownRecords: 7 },
    });
    expect(batchFilesIn(suite.directory).names).toHaveLength(1);
  });

  it('keeps a batch of exactly maxAgeMillis, expires it one millisecond later', async () => {
    const clock = new ManualClock();
    const target = spool({ maxAgeMillis: 1000, now: clock.read });
    await target.write(batch(1));
    clock.advance(1000);
    const lease = await target.lease();
    expect(lease).toBeDefined();
    await lease?.release();
    clock.advance(1);
    expect(await target.lease()).toBeUndefined();
    expect(target.stats().expired.files).toBe(1);
  });

  it('expires at the scan of a restarted process, counting the records as not its own', async () => {
    const clock = new ManualClock();
    const first = spool({ now: clock.read });
    for (let n = 1; n <= 4; n++) await first.write(batch(n, 2));
    await first.close();
    clock.advance(24 * 60 * 60 * 1000 + 1);
    const second = spool({ now: clock.read });
    expect(await second.lease()).toBeUndefined();
    expect(second.stats()).toMatchObject({
      files: 0,
      expired: { files: 4, records: 8, ownRecords: 0 },
    });
    expect(batchFilesIn(suite.directory).names).toEqual([]);
  });

  it('counts an expired batch evicted by a write as expired, not evicted', async () => {
    const clock = new ManualClock();
    const target = spool({ maxBytes: FILE_BYTES, maxAgeMillis: 1000, now: clock.read });
    await target.write(batch(1));
    clock.advance(5000);
    await target.write(batch(2));
    expect(target.stats()).toMatchObject({ expired: { files: 1 }, evicted: { files: 0 } });
  });
});
