import { describe, expect, it } from 'vitest';
import {
  BatchEngine,
  createJsonEncoder,
  type Encoder,
  type ExportBatchContext,
  type Transport,
  TransportDelivery,
} from '../../src/index.js';
import { ScriptedTransport } from '../helpers/scripted-transport.js';

// Encoding runs in slices, and all sliced work of the process shares one budget per turn of the
// event loop: a big batch, or several exports at once, never hold the loop for more than about
// one slice. These tests use real timers: turns of the event loop are what they are about.
// Each record takes at least 10 µs to encode, so a slice of 32 records always spends the budget
// (0.15 ms) alone, whatever the machine's load: the assertions are about order, not durations.

interface Rec {
  readonly exportId: number;
  readonly n: number;
}

function busy(micros: number): void {
  const until = performance.now() + micros / 1000;
  while (performance.now() < until) {
    // spin
  }
}

/** A turn counter that moves on every iteration of the event loop, until stopped. */
function turnCounter(): { readonly current: () => number; stop(): void } {
  let turn = 0;
  let running = true;
  const next = (): void => {
    turn++;
    if (running) setImmediate(next);
  };
  setImmediate(next);
  return { current: () => turn, stop: () => (running = false) };
}

describe('sliced encoding', () => {
  it('gives each turn of the event loop to one slice of one export, however many run, after their first', async () => {
    const turns = turnCounter();
    const seen: { turn: number; exportId: number }[] = [];
    const encoder = createJsonEncoder<Rec>({
      write: (rec, out) => {
        busy(10);
        seen.push({ turn: turns.current(), exportId: rec.exportId });
        out.push(JSON.stringify(rec.n));
      },
    });
    const transport = new ScriptedTransport<string>();
    const delivery = new TransportDelivery<Rec, string>({ transport, encoder });
    const engine = new BatchEngine<Rec>({
      exportBatch: (batch, context) => delivery.deliver(batch, context),
      maxExportBatchSize: 128,
      maxQueueSize: 1024,
      maxConcurrentExports: 3,
    });
    for (let exportId = 0; exportId < 3; exportId++) {
      for (let n = 0; n < 128; n++) engine.offer({ exportId, n });
    }
    expect(await engine.flush()).toBe(true);
    turns.stop();
    expect(engine.stats().exported).toBe(384);
    expect(transport.sends).toHaveLength(3);

    const byTurn = new Map<number, { exports: Set<number>; records: number }>();
    for (const { turn, exportId } of seen) {
      const entry = byTurn.get(turn) ?? { exports: new Set(), records: 0 };
      entry.exports.add(exportId);
      entry.records++;
      byTurn.set(turn, entry);
    }
    // The exports start together, each with one slice at once (a small batch never waits for a
    // turn); from then on every turn holds one slice of one export.
    const [first, ...rest] = [...byTurn.values()];
    expect(first?.records).toBeLessThanOrEqual(3 * 32);
    for (const { exports, records } of rest) {
      expect(exports.size).toBe(1);
      expect(records).toBeLessThanOrEqual(32);
    }
    // 384 records in slices of 32, three of them in the first turn: ten turns at least
    expect(byTurn.size).toBeGreaterThanOrEqual(10);
  });

  it('lets timers and I/O run between the slices of one large batch', async () => {
    let ticks = 0;
    const encoder = createJsonEncoder<number>({
      write: (n, out) => {
        busy(10);
        out.push(String(n));
      },
    });
    const delivery = new TransportDelivery<number, string>({
      transport: new ScriptedTransport<string>(),
      encoder,
    });
    const engine = new BatchEngine<number>({
      exportBatch: (batch, context) => delivery.deliver(batch, context),
      maxExportBatchSize: 256,
      maxQueueSize: 256,
    });
    let stop = false;
    const tickLoop = (): void => {
      ticks++;
      if (!stop) setTimeout(tickLoop, 0);
    };
    setTimeout(tickLoop, 0);
    for (let n = 0; n < 256; n++) engine.offer(n);
    expect(await engine.flush()).toBe(true);
    stop = true;
    expect(engine.stats().exported).toBe(256);
    expect(ticks).toBeGreaterThan(1);
  });
});

/** A transport that notes the turn of each send. */
function turnNotingTransport(turns: {
  current(): number;
}): Transport<string> & { readonly sentAt: number[] } {
  const sentAt: number[] = [];
  return {
    sentAt,
    send: () => {
      sentAt.push(turns.current());
      return Promise.resolve();
    },
  };
}

/** A JSON encoder that notes the turn of each record it writes and of each payload it finishes. */
function turnNotingEncoder(turns: {
  current(): number;
}): Encoder<number, string> & { readonly wroteAt: number[]; readonly finishedAt: number[] } {
  const wroteAt: number[] = [];
  const finishedAt: number[] = [];
  const json = createJsonEncoder<number>({
    write: (n, out) => {
      wroteAt.push(turns.current());
      out.push(String(n));
    },
  });
  const begin = json.begin;
  if (begin === undefined) throw new Error('createJsonEncoder builds in slices');
  return {
    wroteAt,
    finishedAt,
    contentType: json.contentType,
    encode: (items, options) => json.encode(items, options),
    begin: (options) => {
      const builder = begin(options);
      return {
        add: (items, from, to) => builder.add(items, from, to),
        finish: () => {
          finishedAt.push(turns.current());
          return builder.finish();
        },
      };
    },
  };
}

/**
 * Offers `batches` (their sizes) to a fresh engine exporting them at once through `encoder` and
 * `transport`, calls `afterOffers` in the same task, and waits until all are exported.
 */
async function exportThrough(
  encoder: Encoder<number, string>,
  transport: Transport<string>,
  batches: number[],
  afterOffers: () => void = () => {},
): Promise<BatchEngine<number>> {
  const delivery = new TransportDelivery<number, string>({ transport, encoder });
  const largest = Math.max(...batches);
  const engine = new BatchEngine<number>({
    exportBatch: (batch, context) => delivery.deliver(batch, context),
    maxExportBatchSize: largest,
    maxQueueSize: largest * batches.length,
    maxConcurrentExports: batches.length,
  });
  let n = 0;
  for (const size of batches) for (let i = 0; i < size; i++) engine.offer(n++);
  afterOffers();
  expect(await engine.flush()).toBe(true);
  expect(engine.stats().exported).toBe(n);
  return engine;
}

/** Batch sizes around one slice (32 records), and whether each takes a turn of its own. */
const SIZES_AND_TURNS = [
  [33, true],
  [512, true],
  [32, false],
  [5, false],
] as const;

describe('turns of an export', () => {
  it('encodes a batch of more than one slice from a turn of its own, a small one at once', async () => {
    for (const [size, later] of SIZES_AND_TURNS) {
      const turns = turnCounter();
      const encoder = turnNotingEncoder(turns);
      let offered = -1;
      await exportThrough(encoder, turnNotingTransport(turns), [size], () => {
        offered = turns.current();
      });
      turns.stop();
      // The batch fills inside the offering task; a large one is not encoded there.
      expect(encoder.wroteAt[0] !== offered, `batch of ${size}`).toBe(later);
    }
  });

  it('sends a payload of more than one slice from a turn of its own, a small one at once', async () => {
    for (const [size, later] of SIZES_AND_TURNS) {
      const turns = turnCounter();
      const encoder = turnNotingEncoder(turns);
      const transport = turnNotingTransport(turns);
      await exportThrough(encoder, transport, [size]);
      turns.stop();
      expect(transport.sentAt).toHaveLength(1);
      expect(encoder.finishedAt).toHaveLength(1);
      expect(transport.sentAt[0] !== encoder.finishedAt[0], `payload of ${size}`).toBe(later);
    }
  });

  it('encodes nothing of a batch whose deadline passed while it waited for its turn', async () => {
    const turns = turnCounter();
    const encoder = turnNotingEncoder(turns);
    const transport = turnNotingTransport(turns);
    const delivery = new TransportDelivery<number, string>({ transport, encoder });
    const abort = new AbortController();
    const settled: string[] = [];
    const context: ExportBatchContext = {
      signal: abort.signal,
      deadline: Number.POSITIVE_INFINITY,
      settle: (count, outcome) => settled.push(`${count} ${outcome}`),
      countRetry: () => {},
      handOff: () => 0,
      settleSpooled: () => {},
      onDeadline: () => {},
    };
    const delivering = delivery.deliver(
      Array.from({ length: 64 }, (_, n) => n),
      context,
    );
    abort.abort();
    await delivering;
    turns.stop();
    expect(encoder.wroteAt).toEqual([]);
    expect(transport.sentAt).toEqual([]);
    expect(settled).toEqual([]);
  });
});
