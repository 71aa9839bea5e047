import type { BenchConfig } from '../config.js';
import {
  type Contender,
  createLoggerProvider,
  createLogProcessor,
  InstantExporter,
  LOG_LINE,
  sampleLogRecord,
} from '../fixtures.js';
import {
  compare,
  interleave,
  median,
  progress,
  ratioTarget,
  yieldToEventLoop,
} from '../harness.js';
import type { Comparison } from '../types.js';

interface ThroughputRun {
  readonly recordsPerSecond: number;
  readonly dropped: number;
}

/**
 * Emits through a `LoggerProvider` (default batching: queue 2048, batch 512) to an exporter that
 * succeeds at once, `chunk` records at a time with a yield to the event loop between chunks,
 * until `target` records are delivered. Our processor starts an export on a microtask, the
 * built-in one inside the `emit()` that fills a batch; the yields give both the same chances.
 */
async function run(who: Contender, target: number, chunk: number): Promise<ThroughputRun> {
  const exporter = new InstantExporter();
  const processor = createLogProcessor(who, exporter);
  const provider = createLoggerProvider(processor);
  const logger = provider.getLogger('bench', '1.0.0');
  let emitted = 0;
  const start = performance.now();
  while (exporter.exported < target) {
    // Whatever a full queue dropped is emitted again: the goal is `target` delivered.
    const missing = target - exporter.exported;
    for (let sent = 0; sent < missing; ) {
      const n = Math.min(chunk, missing - sent);
      if (who === 'ours') for (let i = 0; i < n; i++) logger.emit(LOG_LINE);
      else for (let i = 0; i < n; i++) logger.emit(LOG_LINE);
      sent += n;
      emitted += n;
      await yieldToEventLoop();
    }
    await processor.forceFlush();
  }
  const seconds = (performance.now() - start) / 1000;
  await provider.shutdown();
  return { recordsPerSecond: exporter.exported / seconds, dropped: emitted - exporter.exported };
}

/**
 * The same, with `processor.onEmit()` of one prebuilt record instead of `logger.emit()`: what is
 * left is the processors' own work, accepting and batching and exporting.
 */
async function runProcessorOnly(
  who: Contender,
  target: number,
  chunk: number,
): Promise<ThroughputRun> {
  const exporter = new InstantExporter();
  const processor = createLogProcessor(who, exporter);
  const record = sampleLogRecord();
  let emitted = 0;
  const start = performance.now();
  while (exporter.exported < target) {
    const missing = target - exporter.exported;
    for (let sent = 0; sent < missing; ) {
      const n = Math.min(chunk, missing - sent);
      if (who === 'ours') for (let i = 0; i < n; i++) processor.onEmit(record);
      else for (let i = 0; i < n; i++) processor.onEmit(record);
      sent += n;
      emitted += n;
      await yieldToEventLoop();
    }
    await processor.forceFlush();
  }
  const seconds = (performance.now() - start) / 1000;
  await processor.shutdown();
  return { recordsPerSecond: exporter.exported / seconds, dropped: emitted - exporter.exported };
}

/** Section 2 of the issue: records per second delivered to an instant exporter. */
export async function throughput(config: BenchConfig): Promise<Comparison[]> {
  const rewarm = config.rewarmRecords > 0;
  const runs = await interleave(
    config.throughputRounds,
    (who) => run(who, config.throughputRecords, config.chunk),
    rewarm ? (who) => run(who, config.rewarmRecords, config.chunk) : undefined,
  );
  const result = compare(
    {
      id: 'logs.throughput',
      suite: '2. throughput',
      title: `logs: logger.emit() to delivered, ${config.throughputRecords.toLocaleString('en-US')} records, batch 512`,
      unit: 'records/s',
      better: 'higher',
      target: ratioTarget('>=', 1.5),
      detail: {
        'dropped (ours)': median(runs.ours.map((r) => r.dropped)),
        'dropped (built-in)': median(runs.builtin.map((r) => r.dropped)),
        'chunk between yields': config.chunk,
      },
    },
    {
      ours: runs.ours.map((r) => r.recordsPerSecond),
      builtin: runs.builtin.map((r) => r.recordsPerSecond),
    },
  );
  const direct = await interleave(
    config.throughputRounds,
    (who) => runProcessorOnly(who, config.processorThroughputRecords, config.chunk),
    rewarm ? (who) => runProcessorOnly(who, config.rewarmRecords, config.chunk) : undefined,
  );
  const processorOnly = compare(
    {
      id: 'logs.throughput.processor',
      suite: '2. throughput',
      title: `logs: processor.onEmit() of a prebuilt record to delivered, ${config.processorThroughputRecords.toLocaleString('en-US')} records, batch 512`,
      unit: 'records/s',
      better: 'higher',
      note: 'the processors alone: no SDK record is built',
      detail: {
        'dropped (ours)': median(direct.ours.map((r) => r.dropped)),
        'dropped (built-in)': median(direct.builtin.map((r) => r.dropped)),
      },
    },
    {
      ours: direct.ours.map((r) => r.recordsPerSecond),
      builtin: direct.builtin.map((r) => r.recordsPerSecond),
    },
  );
  for (const r of [result, processorOnly]) {
    progress(`${r.title}: ours ${Math.round(r.ours)}/s, built-in ${Math.round(r.builtin)}/s`);
  }
  return [result, processorOnly];
}
