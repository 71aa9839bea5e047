import { TransportLogRecordExporter } from '@telemetry-reporter/otel';
import type { BenchConfig } from '../config.js';
import { cpuMicros } from '../e2e/paced-run.js';
import {
  type Contender,
  createLoggerProvider,
  createLogProcessor,
  InstantExporter,
  LOG_LINE,
} from '../fixtures.js';
import { collectGarbage, compare, median, progress } from '../harness.js';
import type { Comparison } from '../types.js';

// What a service pays is not only the pipeline's own work: a pipeline can also make the rest of
// the application slower. Before Node 24, the first `run` of an AsyncLocalStorage turns on
// async_hooks for the whole process until it is disabled, and every promise of the application pays
// for hooks; our exports used to enter one. This part times the application's own async calls
// once a pipeline has exported a batch, against the same calls after the built-in processor did.

const SUITE = "11. the application's own async code, once a pipeline has exported";

/** Records exported before the application's calls are timed: one full batch. */
const BATCH = 512;

async function leaf(i: number): Promise<number> {
  return i;
}

async function caller(i: number): Promise<number> {
  return (await leaf(i)) + 1;
}

/** The application's work: `calls` calls of a two-level async function, one after the other. */
async function asyncCalls(calls: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < calls; i++) sum += await caller(i);
  return sum;
}

/** CPU µs per 1,000 of the application's async calls, the fastest of three runs. */
async function appCost(calls: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const start = cpuMicros();
    await asyncCalls(calls);
    best = Math.min(best, ((cpuMicros() - start) / calls) * 1000);
  }
  return best;
}

/**
 * A pipeline exports one batch, then the application's calls are timed. The built-in processor
 * gets an exporter that answers at once (no I/O, no storage); ours gets our transport exporter over
 * a transport that resolves at once: every step of our export path runs.
 */
async function afterExport(who: Contender, calls: number): Promise<number> {
  const exporter =
    who === 'ours'
      ? new TransportLogRecordExporter({ transport: { send: () => Promise.resolve() } })
      : new InstantExporter();
  const processor = createLogProcessor(who, exporter, { maxExportBatchSize: BATCH });
  const provider = createLoggerProvider(processor);
  const logger = provider.getLogger('bench', '1.0.0');
  for (let i = 0; i < BATCH; i++) logger.emit(LOG_LINE);
  await processor.forceFlush();
  try {
    return await appCost(calls);
  } finally {
    await provider.shutdown();
  }
}

/**
 * Not interleaved: hooks turned on stay on, and would slow every run after them. The built-in's
 * rounds go first, ours last, so that hooks of ours show in our rows alone; the process's own
 * cost before any pipeline is in the detail.
 */
export async function applicationAwaits(config: BenchConfig): Promise<Comparison[]> {
  const { calls, rounds } = config.appAwaits;
  collectGarbage();
  const untouched = await appCost(calls);
  const results: Record<Contender, number[]> = { ours: [], builtin: [] };
  for (const who of ['builtin', 'ours'] as const) {
    for (let round = 0; round < rounds; round++) {
      collectGarbage();
      results[who].push(await afterExport(who, calls));
    }
  }
  const comparison = compare(
    {
      id: 'logs.app-awaits',
      suite: SUITE,
      title: `the application's async calls after a ${BATCH}-record batch was exported (logs)`,
      unit: 'µs per 1,000 calls',
      better: 'lower',
      target: { on: 'ratio', op: '<=', value: 1.1, label: 'ratio <= 1.1' },
      note: 'not interleaved (hooks, once on, stay on): the built-in rounds first, ours last; "built-in" exports to an exporter that answers at once',
      // If the harness or the SDK had turned hooks on, both contenders would be slow alike and
      // their ratio would hide it: each one's ratio to the untouched process tells.
      detail: {
        'before any pipeline (µs per 1,000 calls)': Number(untouched.toFixed(1)),
        'ours / before any pipeline': Number((median(results.ours) / untouched).toFixed(2)),
        'built-in / before any pipeline': Number((median(results.builtin) / untouched).toFixed(2)),
      },
    },
    results,
  );
  progress(
    `${comparison.title}: ours ${comparison.ours.toFixed(1)}, built-in ${comparison.builtin.toFixed(1)}, before any pipeline ${untouched.toFixed(1)} µs per 1,000 calls`,
  );
  return [comparison];
}
