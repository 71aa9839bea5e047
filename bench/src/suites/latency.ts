import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TransportLogRecordExporter } from '@telemetry-reporter/otel';
import type { BenchConfig } from '../config.js';
import { type Contender, createLoggerProvider, createLogProcessor, LOG_LINE } from '../fixtures.js';
import {
  absoluteTarget,
  compare,
  interleave,
  median,
  progress,
  yieldToEventLoop,
} from '../harness.js';
import type { Comparison } from '../types.js';

/** Sampling interval of the histogram, ms; each value includes it, so it is subtracted. */
const RESOLUTION_MILLIS = 1;
/** Records emitted per macrotask: a busy request handler's worth, so export work shows. */
const LATENCY_CHUNK = 64;

interface LatencyRun {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly dropped: number;
}

/**
 * Emits `records` at full speed, {@link LATENCY_CHUNK} per macrotask, through a processor
 * (queue 2048, batch 512) exporting with `TransportLogRecordExporter`'s default JSON encoder to a
 * transport that resolves at once, while `monitorEventLoopDelay` watches. Milliseconds of delay
 * beyond the sampling interval.
 */
async function run(who: Contender, records: number): Promise<LatencyRun> {
  let delivered = 0;
  const exporter = new TransportLogRecordExporter({
    transport: {
      send: async (_payload: string, context) => {
        delivered += context.recordCount;
      },
    },
  });
  const processor = createLogProcessor(who, exporter, { maxExportBatchSize: 512 });
  const provider = createLoggerProvider(processor);
  const logger = provider.getLogger('bench', '1.0.0');
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MILLIS });
  histogram.enable();
  for (let emitted = 0; emitted < records; emitted += LATENCY_CHUNK) {
    if (who === 'ours') for (let i = 0; i < LATENCY_CHUNK; i++) logger.emit(LOG_LINE);
    else for (let i = 0; i < LATENCY_CHUNK; i++) logger.emit(LOG_LINE);
    await yieldToEventLoop();
  }
  await processor.forceFlush();
  histogram.disable();
  const emitted = Math.ceil(records / LATENCY_CHUNK) * LATENCY_CHUNK;
  await provider.shutdown();
  const net = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MILLIS);
  return {
    p50: net(histogram.percentile(50)),
    p99: net(histogram.percentile(99)),
    max: net(histogram.max),
    dropped: emitted - delivered,
  };
}

/** Section 5 of the issue: event-loop delay while emitting and exporting JSON at full speed. */
export async function callerLatency(config: BenchConfig): Promise<Comparison[]> {
  const runs = await interleave(
    config.latencyRounds,
    (who) => run(who, config.latencyRecords),
    config.rewarmRecords > 0 ? (who) => run(who, config.rewarmRecords) : undefined,
  );
  const pick = (key: 'p50' | 'p99' | 'max') => ({
    ours: runs.ours.map((r) => r[key]),
    builtin: runs.builtin.map((r) => r[key]),
  });
  const suite = '5. caller latency';
  const base = `logs: event-loop delay emitting ${LATENCY_CHUNK}/tick, JSON export, batch 512`;
  const detail = {
    'dropped (ours)': median(runs.ours.map((r) => r.dropped)),
    'dropped (built-in)': median(runs.builtin.map((r) => r.dropped)),
    records: config.latencyRecords,
  };
  const out = [
    compare(
      { id: 'logs.eld.p50', suite, title: `${base}, p50`, unit: 'ms', better: 'lower' },
      pick('p50'),
    ),
    compare(
      {
        id: 'logs.eld.p99',
        suite,
        title: `${base}, p99`,
        unit: 'ms',
        better: 'lower',
        target: absoluteTarget('<=', 5, 'ms'),
        detail,
      },
      pick('p99'),
    ),
    compare(
      { id: 'logs.eld.max', suite, title: `${base}, max`, unit: 'ms', better: 'lower' },
      pick('max'),
    ),
  ];
  for (const r of out) {
    progress(`${r.title}: ours ${r.ours.toFixed(2)} ms, built-in ${r.builtin.toFixed(2)} ms`);
  }
  return out;
}
