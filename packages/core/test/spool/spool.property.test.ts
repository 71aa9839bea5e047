import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFileSpool, type SpoolLease } from '../../src/spool/index.js';
import {
  batchFilesIn,
  filesIn,
  ManualClock,
  patternBytes,
  scratchDirectory,
  unaccountedOwnRecords,
} from './spool-helpers.js';

// The accounting rule, over random sequences of writes (plain and write-ahead), leases completed,
// released or held, bursts of writes and leases at once, clock jumps past maxAgeMillis, and files damaged on disk behind the spool's
// back: at every step, every record this instance wrote is on disk, replayed, evicted, expired or
// set aside as corrupt, and the spool's view of the disk (files, bytes) is the disk's.

type Op =
  | { kind: 'write'; size: number; records: number; leased: boolean; text: boolean }
  | { kind: 'lease'; settle: 'complete' | 'release' | 'hold' }
  | { kind: 'settle'; which: number; how: 'complete' | 'release' }
  | { kind: 'advance'; millis: number }
  | { kind: 'damage'; which: number; at: number; how: 'flip' | 'truncate' }
  | { kind: 'burst'; writes: number[]; leases: number };

const MAX_AGE = 10_000;

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    // Writes and leases in flight at once: eviction and leasing must not trip over each other.
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      writes: fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 6 }),
      leases: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      size: fc.integer({ min: 0, max: 3000 }),
      records: fc.integer({ min: 0, max: 50 }),
      leased: fc.boolean(),
      text: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('lease' as const),
      settle: fc.constantFrom('complete' as const, 'release' as const, 'hold' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      which: fc.nat(),
      how: fc.constantFrom('complete' as const, 'release' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      millis: fc.integer({ min: 0, max: MAX_AGE }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('damage' as const),
      which: fc.nat(),
      at: fc.nat(),
      how: fc.constantFrom('flip' as const, 'truncate' as const),
    }),
  },
);

describe('FileSpool accounting (property)', () => {
  it('written = on disk + replayed + evicted + expired + corrupt, at every step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1500, max: 20_000 }),
        fc.constantFrom(0, 60_000),
        fc.array(opArbitrary, { minLength: 10, maxLength: 60, size: 'max' }),
        async (maxBytes, rescanIntervalMillis, ops) => {
          const scratch = await scratchDirectory();
          const directory = join(scratch.path, 'spool');
          const clock = new ManualClock();
          const spool = createFileSpool({
            directory,
            maxBytes,
            maxAgeMillis: MAX_AGE,
            rescanIntervalMillis,
            fsync: false,
            now: clock.read,
          });
          const held: SpoolLease[] = [];
          /** Bytes cut off files on disk not yet found out, by ready name. */
          const cut = new Map<string, number>();
          const check = (): void => {
            const stats = spool.stats();
            expect(unaccountedOwnRecords(stats)).toBe(0);
            expect(stats.vanished.files).toBe(0);
            expect(stats.leased).toBe(held.length);
            expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
            const disk = batchFilesIn(directory);
            expect(stats.files).toBe(disk.names.length);
            const stillCut = disk.names.reduce((sum, n) => sum + (cut.get(n.slice(0, 44)) ?? 0), 0);
            expect(stats.bytes).toBe(disk.bytes + stillCut);
          };
          try {
            for (const op of ops) {
              switch (op.kind) {
                case 'write': {
                  const payload = op.text ? 'é'.repeat(op.size >> 1) : patternBytes(op.size);
                  const input = {
                    payload,
                    contentType: 'application/test',
                    recordCount: op.records,
                  };
                  const result = await spool.write(input, { leased: op.leased });
                  if (result.ok) {
                    if (result.lease !== undefined) held.push(result.lease);
                  } else {
                    expect(['batch_too_large', 'spool_full']).toContain(result.reason);
                  }
                  break;
                }
                case 'lease': {
                  const lease = await spool.lease();
                  if (lease === undefined) break;
                  if (op.settle === 'hold') held.push(lease);
                  else await lease[op.settle]();
                  break;
                }
                case 'settle': {
                  if (held.length === 0) break;
                  const [lease] = held.splice(op.which % held.length, 1) as [SpoolLease];
                  await lease[op.how]();
                  break;
                }
                case 'burst': {
                  const writes = op.writes.map((size) =>
                    spool.write({ payload: patternBytes(size), contentType: 'b', recordCount: 3 }),
                  );
                  const leases = Array.from({ length: op.leases }, async () => {
                    const lease = await spool.lease();
                    await lease?.complete();
                  });
                  await Promise.all([...writes, ...leases]);
                  break;
                }
                case 'advance':
                  clock.advance(op.millis);
                  break;
                case 'damage': {
                  const ready = filesIn(directory).filter((n) => n.endsWith('.batch'));
                  if (ready.length === 0) break;
                  const name = ready[op.which % ready.length] as string;
                  const path = join(directory, name);
                  const bytes = await readFile(path);
                  if (bytes.length === 0) break;
                  const at = op.at % bytes.length;
                  if (op.how === 'flip') {
                    bytes[at] = (bytes[at] as number) ^ 0x10;
                    await writeFile(path, bytes);
                  } else {
                    await truncate(path, at);
                    cut.set(name, (cut.get(name) ?? 0) + bytes.length - at);
                  }
                  break;
                }
              }
              check();
            }
            // Give everything back, then replay all that is left: nothing stays unaccounted.
            for (const lease of held.splice(0)) await lease.release();
            for (let lease = await spool.lease(); lease; lease = await spool.lease()) {
              await lease.complete();
            }
            check();
            const stats = spool.stats();
            expect(stats.ownRecords).toBe(0);
            expect(stats.written.records).toBe(
              stats.replayed.records +
                stats.evicted.records +
                stats.expired.records +
                stats.corrupt.records,
            );
          } finally {
            await spool.close();
            await scratch.remove();
          }
        },
      ),
      { numRuns: 80 },
    );
  }, 60_000);
});
