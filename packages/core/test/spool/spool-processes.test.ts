import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileSpool, type FileSpool, type FileSpoolOptions } from '../../src/spool/index.js';
import { CHILD_SCRIPT, compileSpool } from './compile-spool.js';
import { filesIn, scratchDirectory } from './spool-helpers.js';

// Real processes on one directory. The children run the current sources, compiled to
// JavaScript in beforeAll (see compile-spool.ts).

interface Held {
  readonly id: string;
  readonly start: number;
  readonly end: number;
  readonly completed: boolean;
}

let compiled: Awaited<ReturnType<typeof scratchDirectory>>;
let moduleUrl: string;
let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
let directory: string;
const children: ChildProcess[] = [];
const open: FileSpool[] = [];

function spool(options: Partial<FileSpoolOptions> = {}): FileSpool {
  const created = createFileSpool({ directory, fsync: false, rescanIntervalMillis: 0, ...options });
  open.push(created);
  return created;
}

function child(...args: string[]): ChildProcess {
  const started = spawn(process.execPath, [CHILD_SCRIPT, moduleUrl, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(started);
  return started;
}

/** Everything a child prints until it exits; fails when it exits with an error. */
async function output(started: ChildProcess): Promise<string> {
  let text = '';
  started.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const [code] = await once(started, 'exit');
  expect(code).toBe(0);
  return text;
}

/** The first line a child prints. */
async function firstLine(started: ChildProcess): Promise<string> {
  let text = '';
  for await (const chunk of started.stdout?.setEncoding('utf8') ?? []) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.slice(0, text.indexOf('\n'));
}

async function writeBatches(target: FileSpool, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = await target.write({
      payload: `batch ${i}`,
      contentType: 'text/plain',
      recordCount: 1,
    });
    if (!result.ok) throw new Error(result.message);
    ids.push(result.id);
  }
  return ids;
}

beforeAll(async () => {
  compiled = await scratchDirectory();
  moduleUrl = await compileSpool(join(compiled.path, 'spool'));
});

afterAll(async () => {
  await compiled.remove();
});

beforeEach(async () => {
  scratch = await scratchDirectory();
  directory = join(scratch.path, 'spool');
});

afterEach(async () => {
  for (const started of children.splice(0)) {
    if (started.exitCode === null && started.signalCode === null) {
      started.kill('SIGKILL');
      await once(started, 'exit');
    }
  }
  await Promise.all(open.splice(0).map((s) => s.close()));
  await scratch.remove();
});

describe('processes sharing a directory', () => {
  it('never hold a lease on the same batch at the same time, and replay each batch once', async () => {
    const writer = spool();
    const ids = await writeBatches(writer, 200);
    await writer.close();

    const [a, b, c] = await Promise.all(
      [child('churn', directory), child('churn', directory), child('churn', directory)].map(output),
    );
    const runs = [a, b, c].map((text) => JSON.parse(text ?? '[]') as Held[]);

    // Every batch was completed exactly once, by one of them.
    const completed = runs
      .flat()
      .filter((held) => held.completed)
      .map((held) => held.id);
    expect(completed.sort()).toEqual([...ids].sort());
    // Leases of one batch by different processes never overlap in time.
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const byId = new Map<string, Held[]>();
        for (const held of runs[j] ?? []) byId.set(held.id, [...(byId.get(held.id) ?? []), held]);
        for (const mine of runs[i] ?? []) {
          for (const theirs of byId.get(mine.id) ?? []) {
            expect(mine.end < theirs.start || theirs.end < mine.start, mine.id).toBe(true);
          }
        }
      }
    }
    // They shared the work, and some batches went round more than once (released, leased again).
    expect(runs.filter((run) => run.some((held) => held.completed)).length).toBeGreaterThan(1);
    expect(runs.flat().length).toBeGreaterThan(200);
    expect(filesIn(directory)).toEqual([]);
  }, 30_000);

  it('recovers the leases of a process killed with SIGKILL at once, as its pid is gone', async () => {
    const parent = spool();
    const ids = await writeBatches(parent, 5);
    const holder = child('hold', directory, '3');
    const held = JSON.parse(await firstLine(holder)) as string[];
    expect(held).toEqual(ids.slice(0, 3));

    // While the holder lives, its batches are not leased again.
    const fourth = await parent.lease();
    expect(fourth?.batch.id).toBe(ids[3]);
    await fourth?.release();

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const replayed: string[] = [];
    for (let lease = await parent.lease(); lease; lease = await parent.lease()) {
      replayed.push(lease.batch.id);
      await lease.complete();
    }
    expect(replayed).toEqual(ids);
    expect(parent.stats()).toMatchObject({
      files: 0,
      replayed: { files: 5, ownRecords: 5 },
      vanished: { files: 0 },
    });
  }, 20_000);

  it('recovers a lease older than leaseTimeoutMillis even while its holder is alive', async () => {
    let offset = 0;
    const parent = spool({ leaseTimeoutMillis: 60_000, now: () => Date.now() + offset });
    const ids = await writeBatches(parent, 2);
    const holder = child('hold', directory, '2');
    expect(JSON.parse(await firstLine(holder))).toEqual(ids);
    expect(await parent.lease()).toBeUndefined();
    offset = 60_001;
    const recovered = await parent.lease();
    expect(recovered?.batch.id).toBe(ids[0]);
    expect(holder.exitCode).toBeNull();
  }, 20_000);
});
