import type { BenchConfig } from '../config.js';
import {
  type Contender,
  createLoggerProvider,
  createLogProcessor,
  LOG_LINE,
  StalledExporter,
} from '../fixtures.js';
import {
  absoluteTarget,
  collectGarbage,
  compare,
  interleave,
  progress,
  yieldToEventLoop,
} from '../harness.js';
import type { Comparison } from '../types.js';

interface MemoryRun {
  /** Heap growth per record emitted after the queue was full, by least squares. */
  readonly bytesPerRecord: number;
  /** Heap used after GC at the first and the last sample, in MiB. */
  readonly firstMiB: number;
  readonly lastMiB: number;
}

/**
 * Emits `records` through a `LoggerProvider` (queue 2048, batch 512) whose exporter never answers,
 * in chunks with a yield between them, and samples the heap after `global.gc()` at evenly spaced
 * points. The first sample is taken long after the queue filled (at `records / samples`).
 */
async function run(who: Contender, config: BenchConfig): Promise<MemoryRun> {
  const exporter = new StalledExporter();
  const processor = createLogProcessor(who, exporter);
  const provider = createLoggerProvider(processor);
  const logger = provider.getLogger('bench', '1.0.0');
  const step = Math.floor(config.memoryRecords / config.memorySamples);
  const xs: number[] = [];
  const ys: number[] = [];
  let emitted = 0;
  while (emitted < config.memoryRecords) {
    const n = Math.min(config.chunk, step - (emitted % step));
    if (who === 'ours') for (let i = 0; i < n; i++) logger.emit(LOG_LINE);
    else for (let i = 0; i < n; i++) logger.emit(LOG_LINE);
    emitted += n;
    await yieldToEventLoop();
    if (emitted % step === 0) {
      collectGarbage();
      xs.push(emitted);
      ys.push(process.memoryUsage().heapUsed);
    }
  }
  exporter.release();
  await provider.shutdown();
  return {
    bytesPerRecord: slope(xs, ys),
    firstMiB: (ys[0] ?? 0) / 2 ** 20,
    lastMiB: (ys.at(-1) ?? 0) / 2 ** 20,
  };
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? 0 : num / den;
}

/** Section 4 of the issue: heap growth per record once a stalled exporter has filled the queue. */
export async function memory(config: BenchConfig): Promise<Comparison[]> {
  if (globalThis.gc === undefined) throw new Error('the memory benchmark needs node --expose-gc');
  const runs = await interleave(1, (who) => run(who, config));
  const ours = runs.ours[0] as MemoryRun;
  const builtin = runs.builtin[0] as MemoryRun;
  const result = compare(
    {
      id: 'logs.memory.stalled',
      suite: '4. memory, stalled exporter',
      title: `logs: heap growth per record past a full queue, ${config.memoryRecords.toLocaleString('en-US')} emits`,
      unit: 'B/record',
      better: 'lower',
      noRatio: true,
      // Flat: less than one byte per record (one leaked object per record would be >= 16).
      target: absoluteTarget('<=', 1, 'B/record'),
      detail: {
        'ours heap first/last sample (MiB)': `${ours.firstMiB.toFixed(2)} / ${ours.lastMiB.toFixed(2)}`,
        'built-in heap first/last sample (MiB)': `${builtin.firstMiB.toFixed(2)} / ${builtin.lastMiB.toFixed(2)}`,
        'heap samples': config.memorySamples,
      },
    },
    { ours: [ours.bytesPerRecord], builtin: [builtin.bytesPerRecord] },
  );
  progress(
    `${result.title}: ours ${result.ours.toFixed(3)} B/record, built-in ${result.builtin.toFixed(3)} B/record`,
  );
  return [result];
}
