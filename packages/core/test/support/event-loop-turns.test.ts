import { describe, expect, it } from 'vitest';
import { BatchEngine, createJsonEncoder, TransportDelivery } from '../../src/index.js';
import { ScriptedTransport } from '../helpers/scripted-transport.js';

// Encoding runs in slices, and all sliced work of the process shares one budget per turn of the
// event loop: a big batch, or several exports at once, never hold the loop for more than about
// one slice. These tests use real timers: turns of the event loop are what they are about.
// Each record takes at least 10 µs to encode, so a slice of 32 records always spends the budget
// (0.2 ms) alone, whatever the machine's load: the assertions are about order, not durations.

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
