// The persistent spool's throughput in MB/s of payload, beside the raw sequential write speed of
// the same disk measured in the same run: the same bytes written to one file, then one fsync.
// - write: `spool.write()` of every payload (temporary file, write, fsync, rename, directory
//   fsync), `concurrency` writes in flight;
// - replay: `lease()` (rename + read + CRC check) then `complete()` (unlink) of every batch.
// Raw and spool runs alternate within each round, so drift of the disk hits both alike. A second
// reference, in `detail`, is the raw write with an fsync after every payload: the ceiling of any
// store that makes each batch durable before it acknowledges it.
// The "built-in" column of these rows is that raw write: there is no built-in spool to compare
// with. `pnpm bench --parts spool` runs it; the spool factory is a parameter, so that the suite
// can measure any spool of the same shape.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, median, progress, ratioTarget } from '../harness.js';
import type { Comparison } from '../types.js';

/** What the suite needs of a spool; `createFileSpool` of `@telemetry-reporter/core` fits. */
export interface BenchSpool {
  write(batch: {
    payload: Uint8Array;
    contentType: string;
    recordCount: number;
  }): Promise<{ ok: boolean }>;
  lease(): Promise<
    { batch: { payload: Uint8Array | string }; complete(): Promise<void> } | undefined
  >;
  close(): Promise<void>;
}

/** Opens a spool on a directory. */
export type BenchSpoolFactory = (options: {
  directory: string;
  maxBytes: number;
  fsync: boolean;
  rescanIntervalMillis: number;
}) => BenchSpool;

/** What to measure. */
export interface SpoolBenchOptions {
  /** Where the files go: the disk being measured. @default os.tmpdir() */
  readonly directory?: string;
  /** Payload sizes in bytes. @default 64 KiB, 256 KiB, 1 MiB */
  readonly payloadBytes?: readonly number[];
  /** Writes (and replays) in flight at once. @default [1, 4] */
  readonly concurrency?: readonly number[];
  /** Bytes of payload per run. @default 64 MiB (smoke: 2 MiB) */
  readonly totalBytes?: number;
  /** Rounds per measurement. @default 3 (smoke: 1) */
  readonly rounds?: number;
  /** Whether the spool fsyncs (its default). @default true */
  readonly fsync?: boolean;
}

const MiB = 1024 * 1024;
const SUITE = '9. disk spool: MB/s of payload, against the raw sequential write of the same disk';

/**
 * Measures spool write and replay throughput against the raw write speed of the same disk; one
 * comparison per payload size, concurrency and direction, with a target of ratio >= 0.5.
 */
export async function spoolThroughput(
  createFileSpool: BenchSpoolFactory,
  config: { readonly smoke: boolean },
  options: SpoolBenchOptions = {},
): Promise<Comparison[]> {
  const sizes = options.payloadBytes ?? [64 * 1024, 256 * 1024, MiB];
  const concurrencies = options.concurrency ?? [1, 4];
  const totalBytes = options.totalBytes ?? (config.smoke ? 2 * MiB : 64 * MiB);
  const rounds = options.rounds ?? (config.smoke ? 1 : 3);
  const fsync = options.fsync ?? true;
  const root = await mkdtemp(join(options.directory ?? tmpdir(), 'spool-bench-'));
  const comparisons: Comparison[] = [];
  try {
    for (const size of sizes) {
      const count = Math.max(4, Math.round(totalBytes / size));
      const payloads = Array.from({ length: 8 }, (_, i) => randomish(size, i));
      const raw: number[] = [];
      const rawSyncEach: number[] = [];
      const write = new Map<number, number[]>(concurrencies.map((c) => [c, []]));
      const replay = new Map<number, number[]>(concurrencies.map((c) => [c, []]));
      for (let round = 0; round < rounds; round++) {
        // Raw first on even rounds, last on odd ones.
        if (round % 2 === 0) {
          raw.push(await rawWrite(root, payloads, count, false));
          rawSyncEach.push(await rawWrite(root, payloads, count, true));
        }
        for (const concurrency of concurrencies) {
          const directory = join(root, `spool-${size}-${concurrency}-${round}`);
          const spool = createFileSpool({
            directory,
            maxBytes: 2 * count * (size + 4096),
            fsync,
            rescanIntervalMillis: 60_000,
          });
          write.get(concurrency)?.push(await spoolWrite(spool, payloads, count, concurrency));
          replay.get(concurrency)?.push(await spoolReplay(spool, count, concurrency));
          await spool.close();
          await rm(directory, { recursive: true, force: true });
        }
        if (round % 2 === 1) {
          rawSyncEach.push(await rawWrite(root, payloads, count, true));
          raw.push(await rawWrite(root, payloads, count, false));
        }
        progress(`spool ${size / 1024} KiB round ${round + 1}/${rounds} done`);
      }
      for (const concurrency of concurrencies) {
        for (const [direction, values] of [
          ['write', write.get(concurrency) ?? []],
          ['replay', replay.get(concurrency) ?? []],
        ] as const) {
          comparisons.push(
            compare(
              {
                id: `spool.${direction}.${size / 1024}k.c${concurrency}`,
                suite: SUITE,
                title: `spool ${direction}, ${size / 1024} KiB payloads, ${concurrency} in flight${fsync ? '' : ', no fsync'}`,
                unit: 'MB/s',
                better: 'higher',
                target: ratioTarget('>=', 0.5),
                note: 'built-in column: raw sequential write of the same bytes to one file, then fsync',
                detail: {
                  batches: count,
                  payloadBytes: size,
                  rawFsyncEachMBps: Math.round(median(rawSyncEach)),
                  ratioToRawFsyncEach: Number((median(values) / median(rawSyncEach)).toFixed(2)),
                },
              },
              { ours: values, builtin: raw },
            ),
          );
        }
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return comparisons;
}

/**
 * MB/s of writing `count` payloads sequentially to one new file, then one fsync, or an fsync
 * (fdatasync) after each payload.
 */
async function rawWrite(
  root: string,
  payloads: Uint8Array[],
  count: number,
  syncEach: boolean,
): Promise<number> {
  const path = join(root, 'raw');
  const started = performance.now();
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const payload = payloads[i % payloads.length] as Uint8Array;
      await handle.write(payload, 0, payload.length, bytes);
      bytes += payload.length;
      if (syncEach) await handle.datasync();
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const seconds = (performance.now() - started) / 1000;
  await rm(path, { force: true });
  return bytes / 1e6 / seconds;
}

async function spoolWrite(
  spool: BenchSpool,
  payloads: Uint8Array[],
  count: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const payload = payloads[next++ % payloads.length] as Uint8Array;
        const result = await spool.write({
          payload,
          contentType: 'application/x-protobuf',
          recordCount: 512,
        });
        if (!result.ok) throw new Error('spool write failed in the benchmark');
        bytes += payload.length;
      }
    }),
  );
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

async function spoolReplay(spool: BenchSpool, count: number, concurrency: number): Promise<number> {
  let replayed = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let lease = await spool.lease(); lease !== undefined; lease = await spool.lease()) {
        const { payload } = lease.batch;
        bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
        replayed++;
        await lease.complete();
      }
    }),
  );
  if (replayed !== count) throw new Error(`replayed ${replayed} of ${count} batches`);
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

/** Bytes that do not compress to nothing (a file system may compress). */
function randomish(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = 0x9e3779b9 ^ seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
