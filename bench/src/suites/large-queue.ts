import type { BenchConfig } from '../config.js';
import {
  type Contender,
  createLogProcessor,
  InstantExporter,
  type LogProcessor,
  sampleLogRecord,
} from '../fixtures.js';
import { collectGarbage, compare, interleave, progress, ratioTarget } from '../harness.js';
import type { Comparison } from '../types.js';

/** How a full queue is emptied: `forceFlush()` (section 3) or `shutdown()` (section 6). */
type Drain = 'forceFlush' | 'shutdown';

/**
 * Fills a processor with `maxQueueSize: size` (batch 512) with one prebuilt record, then times
 * `drain` to an exporter that succeeds at once. Returns milliseconds.
 *
 * `aged`: a full GC runs between the fill and the drain, as it would while a real backlog builds
 * up over seconds; the queue's storage is then old-generation memory, which makes the built-in
 * processor's `splice()` about 3x slower than on a queue filled a moment ago.
 */
async function drainMillis(
  who: Contender,
  size: number,
  drain: Drain,
  aged: boolean,
): Promise<number> {
  const exporter = new InstantExporter();
  const processor: LogProcessor = createLogProcessor(who, exporter, {
    maxQueueSize: size,
    maxExportBatchSize: 512,
  });
  const record = sampleLogRecord();
  for (let i = 0; i < size; i++) processor.onEmit(record);
  if (aged) collectGarbage();
  const start = performance.now();
  if (drain === 'forceFlush') await processor.forceFlush();
  else await processor.shutdown();
  const millis = performance.now() - start;
  if (exporter.exported !== size) {
    throw new Error(`${who} delivered ${exporter.exported} of ${size} records on ${drain}()`);
  }
  if (drain === 'forceFlush') await processor.shutdown();
  return millis;
}

/** Section 3 of the issue: large queues drained by `forceFlush()`. */
export async function largeQueues(config: BenchConfig): Promise<Comparison[]> {
  const out: Comparison[] = [];
  const largest = Math.max(...config.largeQueues.map((q) => q.size));
  const cases = config.largeQueues.flatMap(({ size, rounds }) => [
    { size, rounds, aged: true },
    // The largest queue also drained right after its fill, before any GC: the kindest case for
    // the built-in processor.
    ...(size === largest ? [{ size, rounds, aged: false }] : []),
  ]);
  for (const { size, rounds, aged } of cases) {
    const runs = await interleave(rounds, (who) => drainMillis(who, size, 'forceFlush', aged));
    const result = compare(
      {
        id: `logs.drain.${size}${aged ? '' : '.fresh'}`,
        suite: '3. large queues',
        title: `logs: forceFlush() of a full ${size.toLocaleString('en-US')}-record queue, ${aged ? 'after a GC' : 'right after the fill'}`,
        unit: 'ms',
        better: 'lower',
        // The goal is on the million-record queue: at least 10x faster.
        ...(size === largest ? { target: ratioTarget('<=', 0.1) } : {}),
      },
      runs,
    );
    progress(
      `${result.title}: ours ${result.ours.toFixed(1)} ms, built-in ${result.builtin.toFixed(1)} ms`,
    );
    out.push(result);
  }
  return out;
}

/** Section 6 of the issue: a full queue drained by `shutdown()`. */
export async function shutdownDrain(config: BenchConfig): Promise<Comparison[]> {
  const size = config.shutdownQueue;
  const runs = await interleave(config.shutdownRounds, (who) =>
    drainMillis(who, size, 'shutdown', true),
  );
  const result = compare(
    {
      id: `logs.shutdown.${size}`,
      suite: '6. shutdown drain',
      title: `logs: shutdown() of a full ${size.toLocaleString('en-US')}-record queue, after a GC`,
      unit: 'ms',
      better: 'lower',
    },
    runs,
  );
  progress(
    `${result.title}: ours ${result.ours.toFixed(1)} ms, built-in ${result.builtin.toFixed(1)} ms`,
  );
  return [result];
}
