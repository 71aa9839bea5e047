import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BatchEngine,
  type OverflowPolicy,
  type SeverityRange,
  severityRangeOf,
} from '../../src/index.js';
import { ControlledExport } from '../helpers/controlled-export.js';

interface Rec {
  id: number;
  severity: number;
  bytes: number;
}

async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/** Records that only keep the export slot busy; never part of what a test checks. */
const FILLER_ID = -1;

/**
 * An engine whose only export slot is taken by a batch of filler records that the sink leaves
 * pending (unless `busy` is false): a full queue then stays full, and the overflow policy decides.
 * With a free slot, a full batch would leave the queue on the emitting call.
 */
function engineFor(
  sink: ControlledExport<Rec>,
  overflowPolicy: OverflowPolicy,
  options: {
    maxQueueSize: number;
    maxQueueBytes?: number;
    maxExportBatchSize?: number;
    busy?: boolean;
  },
): BatchEngine<Rec> {
  const { busy = true, ...batching } = options;
  const engine = new BatchEngine<Rec>({
    exportBatch: sink.exportBatch,
    overflowPolicy,
    severityOf: (r) => r.severity,
    sizeOf: (r) => r.bytes,
    maxExportBatchSize: batching.maxExportBatchSize ?? batching.maxQueueSize,
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 600_000,
    ...batching,
  });
  if (busy) {
    for (let i = 0; i < engine.options.maxExportBatchSize; i++) {
      engine.offer({ id: FILLER_ID, severity: 0, bytes: 1 });
    }
    expect(engine.stats()).toMatchObject({
      queued: 0,
      inFlight: engine.options.maxExportBatchSize,
    });
  }
  return engine;
}

/** The ids a sink received, fillers left out. */
function exportedIds(sink: ControlledExport<Rec>): number[] {
  return sink
    .exportedItems()
    .map((r) => r.id)
    .filter((id) => id !== FILLER_ID);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('drop_lowest_severity', () => {
  it('evicts the oldest of the lowest severity and keeps emission order', async () => {
    const sink = new ControlledExport<Rec>();
    const engine = engineFor(sink, 'drop_lowest_severity', { maxQueueSize: 4 });
    const recs: Rec[] = [9, 5, 9, 5, 17, 17].map((severity, id) => ({ id, severity, bytes: 1 }));
    for (const r of recs) engine.offer(r);
    expect(expectInvariant(engine.stats()).droppedBySeverity).toMatchObject({ debug: 2 });
    sink.behaviour = (call) => call.resolve();
    for (const call of sink.pending()) call.resolve(); // the fillers
    await engine.flush();
    expect(exportedIds(sink)).toEqual([0, 2, 4, 5]);
  });

  it('drops the arriving record when it ranks at or below everything queued', () => {
    const sink = new ControlledExport<Rec>();
    const engine = engineFor(sink, 'drop_lowest_severity', { maxQueueSize: 2 });
    engine.offer({ id: 0, severity: 13, bytes: 1 });
    engine.offer({ id: 1, severity: 13, bytes: 1 });
    expect(engine.offer({ id: 2, severity: 9, bytes: 1 })).toBe(false);
    expect(engine.offer({ id: 3, severity: 13, bytes: 1 })).toBe(false);
    expect(engine.offer({ id: 4, severity: 17, bytes: 1 })).toBe(true);
    expect(expectInvariant(engine.stats())).toMatchObject({
      queued: 2,
      dropped: expect.objectContaining({ queue_full: 3 }),
      droppedBySeverity: expect.objectContaining({ info: 1, warn: 2 }),
    });
  });
});

describe('maxQueueBytes', () => {
  it.each<OverflowPolicy>(['drop_newest', 'drop_oldest', 'drop_lowest_severity'])(
    'applies %s when the byte limit is hit before the size limit',
    (policy) => {
      const sink = new ControlledExport<Rec>();
      const engine = engineFor(sink, policy, { maxQueueSize: 100, maxQueueBytes: 1000 });
      for (let id = 0; id < 5; id++) engine.offer({ id, severity: 9, bytes: 300 });
      expect(expectInvariant(engine.stats())).toMatchObject({
        queued: 3,
        dropped: expect.objectContaining({ queue_full: 2 }),
      });
    },
  );

  it('drop_lowest_severity evicts nothing when evicting every lower record would not make room', () => {
    const sink = new ControlledExport<Rec>();
    const engine = engineFor(sink, 'drop_lowest_severity', {
      maxQueueSize: 100,
      maxQueueBytes: 1100,
    });
    engine.offer({ id: 0, severity: 5, bytes: 100 }); // DEBUG
    engine.offer({ id: 1, severity: 17, bytes: 900 }); // ERROR
    // WARN 500 B needs 400 B freed; only the DEBUG record's 100 B rank below it
    expect(engine.offer({ id: 2, severity: 13, bytes: 500 })).toBe(false);
    expect(expectInvariant(engine.stats())).toMatchObject({
      queued: 2,
      dropped: expect.objectContaining({ queue_full: 1 }),
      droppedBySeverity: expect.objectContaining({ debug: 0, warn: 1 }),
    });
  });

  it('drop_lowest_severity evicts as many lower records as the arriving one needs, lowest first', async () => {
    const sink = new ControlledExport<Rec>();
    const engine = engineFor(sink, 'drop_lowest_severity', {
      maxQueueSize: 100,
      maxQueueBytes: 1100,
    });
    engine.offer({ id: 0, severity: 9, bytes: 300 }); // INFO
    engine.offer({ id: 1, severity: 5, bytes: 300 }); // DEBUG
    engine.offer({ id: 2, severity: 17, bytes: 300 }); // ERROR
    engine.offer({ id: 3, severity: 1, bytes: 50 }); // TRACE
    expect(engine.offer({ id: 4, severity: 13, bytes: 500 })).toBe(true); // WARN: needs 350 B
    expect(expectInvariant(engine.stats())).toMatchObject({
      queued: 3,
      droppedBySeverity: expect.objectContaining({ trace: 1, debug: 1, info: 0 }),
    });
    sink.behaviour = (call) => call.resolve();
    for (const call of sink.pending()) call.resolve(); // the fillers
    await engine.flush();
    expect(exportedIds(sink)).toEqual([0, 2, 4]);
  });

  it('drops a record larger than the whole limit on arrival, whatever the policy', () => {
    const sink = new ControlledExport<Rec>();
    const engine = engineFor(sink, 'drop_oldest', { maxQueueSize: 100, maxQueueBytes: 1000 });
    engine.offer({ id: 0, severity: 9, bytes: 10 });
    expect(engine.offer({ id: 1, severity: 21, bytes: 1001 })).toBe(false);
    expect(expectInvariant(engine.stats())).toMatchObject({
      queued: 1,
      droppedBySeverity: expect.objectContaining({ fatal: 1 }),
    });
  });

  it('rejects a limit that is not a positive integer or Infinity', () => {
    const sink = new ControlledExport<Rec>();
    expect(() => engineFor(sink, 'drop_newest', { maxQueueSize: 1, maxQueueBytes: 0 })).toThrow(
      'maxQueueBytes must be an integer >= 1 or Infinity, got 0',
    );
  });
});

describe('droppedBySeverity', () => {
  it('sums to dropped.queue_full under the default ring-buffer queue too', () => {
    const sink = new ControlledExport<Rec>();
    const engine = engineFor(sink, 'drop_oldest', { maxQueueSize: 2 });
    for (const [id, severity] of [5, 9, 13, 17, 21, 0].entries()) {
      engine.offer({ id, severity, bytes: 1 });
    }
    const stats = expectInvariant(engine.stats());
    expect(stats.droppedBySeverity).toEqual({
      unspecified: 0,
      trace: 0,
      debug: 1,
      info: 1,
      warn: 1,
      error: 1,
      fatal: 0,
    });
    expect(Object.values(stats.droppedBySeverity).reduce((a, b) => a + b)).toBe(
      stats.dropped.queue_full,
    );
  });
});

/** Found in review: DEBUG 100 B was evicted for a WARN 500 B that was then dropped anyway. */
const evictingForNothing = [
  { kind: 'offer' as const, severity: 5, bytes: 100 },
  { kind: 'offer' as const, severity: 17, bytes: 900 },
  { kind: 'offer' as const, severity: 13, bytes: 500 },
];

// One severity number per range, so that the model below can tell every record apart by range.
const SEVERITIES = [0, 1, 5, 9, 13, 17, 21];

describe('property: shedding by severity and size', () => {
  // 200 fast-check runs: CPU-bound, seconds on a loaded machine; the timeout is a hang guard.
  it('matches a model, keeps the identity, and never evicts above a queued lower severity', {
    timeout: 30_000,
  }, async () => {
    const operation = fc.oneof(
      {
        arbitrary: fc.record({
          kind: fc.constant('offer' as const),
          severity: fc.constantFrom(...SEVERITIES),
          bytes: fc.integer({ min: 1, max: 400 }),
        }),
        weight: 8,
      },
      { arbitrary: fc.constant({ kind: 'export' as const }), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.option(fc.integer({ min: 200, max: 2000 }), { nil: undefined }),
        fc.constantFrom<OverflowPolicy>('drop_newest', 'drop_oldest', 'drop_lowest_severity'),
        fc.array(operation, { maxLength: 150 }),
        async (maxQueueSize, maxQueueBytes, policy, operations) => {
          const model: Rec[] = [];
          const batchSize = Math.min(4, maxQueueSize);
          // The one export slot: a full batch leaves the queue at once while it is free.
          let slotBusy = false;
          const expectedBatches: Rec[][] = [];
          const takeIfDue = (): void => {
            if (slotBusy || model.length < batchSize) return;
            expectedBatches.push(model.splice(0, batchSize));
            slotBusy = true;
          };
          const sink = new ControlledExport<Rec>((call) => {
            // every batch is the model's oldest records, in emission order
            expect(call.batch).toEqual(expectedBatches.shift());
          });
          const engine = engineFor(sink, policy, {
            maxQueueSize,
            maxExportBatchSize: 4,
            busy: false,
            ...(maxQueueBytes === undefined ? {} : { maxQueueBytes }),
          });
          const limit = maxQueueBytes ?? Number.POSITIVE_INFINITY;
          let id = 0;
          for (const op of operations) {
            if (op.kind === 'export') {
              await tick(); // a batch taken on the emitting call starts on a microtask
              for (const call of sink.pending()) call.resolve();
              slotBusy = false;
              takeIfDue();
              await tick();
              continue;
            }
            const rec = { id: id++, severity: op.severity, bytes: op.bytes };
            const shed = modelOffer(model, rec, policy, maxQueueSize, limit);
            const modelAccepted = model.at(-1) === rec;
            const before = engine.stats();
            const accepted = engine.offer(rec);
            takeIfDue();
            const after = expectInvariant(engine.stats());
            expect(accepted).toBe(modelAccepted);
            for (const range of Object.keys(after.droppedBySeverity) as SeverityRange[]) {
              expect(after.droppedBySeverity[range] - before.droppedBySeverity[range]).toBe(
                shed.filter((r) => r === range).length,
              );
            }
            if (!accepted) {
              // a refused record never costs a queued one: nothing is evicted for nothing
              expect(after.dropped.queue_full - before.dropped.queue_full).toBe(1);
            }
            expect(model.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThanOrEqual(limit);
            if (policy === 'drop_lowest_severity' && accepted) {
              // nothing evicted ranks above a record still queued (a refused record may: when
              // evicting every lower one would not make room, nothing is evicted at all)
              const lowestQueued = Math.min(...model.map((r) => r.severity));
              for (const range of shed) expect(severityOf(range)).toBeLessThanOrEqual(lowestQueued);
            }
          }
        },
      ),
      { numRuns: 200, examples: [[12, 1100, 'drop_lowest_severity', evictingForNothing]] },
    );
  });
});

function severityOf(range: SeverityRange): number {
  return SEVERITIES.find((s) => severityRangeOf(s) === range) ?? 0;
}

/** The reference behaviour, on a plain array; returns the ranges of what it shed. */
function modelOffer(
  queue: Rec[],
  rec: Rec,
  policy: OverflowPolicy,
  maxSize: number,
  maxBytes: number,
): SeverityRange[] {
  const shed: SeverityRange[] = [];
  const bytes = (): number => queue.reduce((sum, r) => sum + r.bytes, 0);
  const fits = maxBytes === Number.POSITIVE_INFINITY ? 0 : rec.bytes;
  const dropArriving = [severityRangeOf(rec.severity)];
  if (fits > maxBytes) return dropArriving;
  if (policy === 'drop_lowest_severity' && (queue.length >= maxSize || bytes() + fits > maxBytes)) {
    // Evict only if evicting every lower record would make room, by count and by bytes;
    // otherwise drop the arriving record and keep the queue as it is.
    const lower = queue.filter((r) => r.severity < rec.severity);
    const lowerBytes = lower.reduce((sum, r) => sum + r.bytes, 0);
    const slotFreed = queue.length < maxSize || lower.length > 0;
    if (!slotFreed || bytes() - lowerBytes + fits > maxBytes) return dropArriving;
  }
  while (queue.length > 0 && (queue.length >= maxSize || bytes() + fits > maxBytes)) {
    if (policy === 'drop_oldest') {
      shed.push(severityRangeOf((queue.shift() as Rec).severity));
      continue;
    }
    const lowest = Math.min(...queue.map((r) => r.severity));
    if (policy === 'drop_newest' || rec.severity <= lowest) {
      expect(shed, 'evicted records and then dropped the arriving one').toEqual([]);
      return dropArriving;
    }
    const [victim] = queue.splice(
      queue.findIndex((r) => r.severity === lowest),
      1,
    );
    shed.push(severityRangeOf((victim as Rec).severity));
  }
  queue.push(rec);
  return shed;
}
