// Issue "Make exporting nearly free", items 1, 2 and 4: what a service pays on its own event loop
// for the whole pipeline, `logger.emit()` / `startSpan().end()` to an OTLP/HTTP sink in another
// process, for the built-in batch processor with the official OTLP exporter and for ours.
import { loadavg } from 'node:os';
import type { DropReason } from '@telemetry-reporter/otel';
import type { OtlpFormat } from '@telemetry-reporter/transport-http/otlp';
import type { BenchConfig } from '../config.js';
import type { OtlpSignal } from '../e2e/otlp-count.js';
import { CPU_CLOCK, CPU_CLOCK_LABEL, type PacedRunResult, pacedRun } from '../e2e/paced-run.js';
import {
  createLogPipeline,
  createSpanPipeline,
  PIPELINE_IDS,
  PIPELINES,
  type Pipeline,
  type PipelineId,
  pipelineTitle,
} from '../e2e/pipelines.js';
import { type Sink, startSink } from '../e2e/sink-client.js';
import type { TaskProbeResult } from '../e2e/task-probe.js';
import {
  absoluteTarget,
  compare,
  interleaveRotating,
  median,
  progress,
  ratioTarget,
} from '../harness.js';
import type { Comparison, E2eResult } from '../types.js';

/** The section of the comparison table. */
const SUITE =
  '8. end to end to an OTLP/HTTP sink: ours + our transport exporter vs built-in + official exporter';

/** One run of one pipeline, checked against the sink. */
interface E2eRun extends PacedRunResult {
  /** Records the sink received (for the floor, which sends nothing: every record emitted). */
  readonly delivered: number;
  readonly dropped: number;
  readonly requests: number;
  readonly bytes: number;
}

/** What the end-to-end part measured of one signal. */
export interface E2eOutput {
  readonly comparisons: Comparison[];
  readonly results: E2eResult[];
}

const FLOOR = 'floor';

/** `<format>:<pipeline>`, or `floor`: one floor serves every format of the signal. */
function keyOf(format: OtlpFormat, id: PipelineId): string {
  return id === 'floor' ? FLOOR : `${format}:${id}`;
}

/**
 * Runs `records` through `pipeline` and checks the sink received exactly what was delivered: for
 * our processor, `stats().exported` of the run; for the built-in one, every record emitted (it
 * keeps no counters, and nothing may drop at these settings); for the floor, nothing.
 */
async function runOnce(
  label: string,
  pipeline: Pipeline,
  sink: Sink,
  signal: OtlpSignal,
  config: BenchConfig['e2e'],
  records: number,
  probeTasks = false,
): Promise<E2eRun> {
  await sink.take();
  const before = pipeline.stats();
  const run = await pacedRun(pipeline.emitOne, () => pipeline.forceFlush(), {
    records,
    slice: config.slice,
    ratePerSecond: config.ratePerSecond,
    probeTasks,
  });
  const after = pipeline.stats();
  const counts = await sink.take();
  const received = counts[signal];
  const fail = (why: string) => {
    throw new Error(`e2e ${signal} ${label}: ${why}`);
  };
  if (counts.failures > 0) {
    fail(`the sink refused ${counts.failures} request(s): ${counts.lastFailure}`);
  }
  let delivered: number;
  switch (pipeline.spec.family) {
    case 'floor':
      if (received !== 0) fail(`the floor exports nothing, yet the sink counted ${received}`);
      delivered = run.records;
      break;
    case 'builtin':
      if (received !== run.records) {
        fail(
          `the sink counted ${received} of the ${run.records} records emitted through the built-in processor: it dropped or lost some, and nothing may drop at these settings`,
        );
      }
      delivered = received;
      break;
    case 'ours': {
      const exported = (after?.exported ?? 0) - (before?.exported ?? 0);
      if (pipeline.spec.unsent === true) {
        if (received !== 0) fail(`this pipeline sends nothing, yet the sink counted ${received}`);
      } else if (received !== exported) {
        fail(`the sink counted ${received}, the processor's stats().exported grew by ${exported}`);
      }
      if (exported !== run.records && after !== undefined && before !== undefined) {
        const reasons = Object.entries(after.dropped)
          .map(([reason, n]) => [reason, n - (before.dropped[reason as DropReason] ?? 0)] as const)
          .filter(([, n]) => n > 0)
          .map(([reason, n]) => `${reason} ${n}`);
        progress(
          `WARNING ${signal} ${label}: ${run.records - exported} records not delivered (${reasons.join(', ')}; retries ${after.retries - before.retries})`,
        );
      }
      delivered = exported;
      break;
    }
  }
  return {
    ...run,
    delivered,
    dropped: run.records - delivered,
    requests: counts.requests,
    bytes: counts.bytes,
  };
}

const perRecord = (r: E2eRun) => r.cpuMicros / r.delivered;
const blockOf = (r: E2eRun) => r.longestBlockMillis;

/** The end-to-end benchmark of one signal, every format of the run's config, every pipeline. */
export async function endToEnd(config: BenchConfig, signal: OtlpSignal): Promise<E2eOutput> {
  const settings = config.e2e;
  const startedAt = new Date().toISOString();
  const loadAverage = loadavg()[0] ?? 0;
  const formats = settings.formats[signal];
  const create = signal === 'logs' ? createLogPipeline : createSpanPipeline;
  progress(`${signal}: CPU clock: ${CPU_CLOCK_LABEL}`);
  const sink = await startSink();
  const pipelines = new Map<string, Pipeline>();
  try {
    const context = (format: OtlpFormat) => ({
      format,
      endpoint: sink.endpoint,
      scheduledDelayMillis: settings.scheduledDelayMillis,
    });
    for (const format of formats) {
      for (const id of PIPELINE_IDS) {
        const key = keyOf(format, id);
        if (!pipelines.has(key)) pipelines.set(key, create(PIPELINES[id], context(format)));
      }
    }
    const keys = [...pipelines.keys()];
    const run = (key: string, records: number, probeTasks = false) =>
      runOnce(key, pipelines.get(key) as Pipeline, sink, signal, settings, records, probeTasks);
    const rewarm = (key: string) =>
      settings.rewarmRecords === 0
        ? 0
        : Math.max(settings.rewarmRecords, (pipelines.get(key) as Pipeline).spec.batch);
    if (settings.warmupRecords > 0) {
      for (const key of keys) await run(key, settings.warmupRecords);
    }
    const runs = await interleaveRotating(keys, settings.rounds, async (key) => {
      if (rewarm(key) > 0) await run(key, rewarm(key));
      const r = await run(key, settings.records);
      progress(
        `${signal} ${key}: ${perRecord(r).toFixed(2)} µs/record, block ${blockOf(r).toFixed(2)} ms, ELU ${r.utilization.toFixed(2)}`,
      );
      return r;
    });
    // Tasks are timed in runs of their own: the probe's hooks would add to the CPU times above.
    const tasks = await interleaveRotating(keys, settings.taskRounds, async (key) => {
      if (rewarm(key) > 0) await run(key, rewarm(key));
      const t = (await run(key, settings.taskRecords, true)).tasks as TaskProbeResult;
      progress(
        `${signal} ${key}: tasks: longest ${t.longestTaskMillis.toFixed(2)} ms, p99.9 ${t.taskP999Millis.toFixed(2)} ms, over 0.3 ms ${t.longTasksPerThousand.toFixed(1)} per 1,000`,
      );
      return t;
    });
    return summarise(signal, formats, runs, tasks, settings, startedAt, loadAverage);
  } finally {
    for (const pipeline of pipelines.values()) await pipeline.shutdown();
    await sink.stop();
  }
}

function summarise(
  signal: OtlpSignal,
  formats: readonly OtlpFormat[],
  runs: ReadonlyMap<string, E2eRun[]>,
  tasks: ReadonlyMap<string, TaskProbeResult[]>,
  settings: BenchConfig['e2e'],
  startedAt: string,
  loadAverage: number,
): E2eOutput {
  const runsOf = (key: string) => runs.get(key) ?? [];
  const tasksOf = (key: string) => tasks.get(key) ?? [];
  const longestTask = (t: TaskProbeResult) => t.longestTaskMillis;
  const taskP999 = (t: TaskProbeResult) => t.taskP999Millis;
  const longTasks = (t: TaskProbeResult) => t.longTasksPerThousand;
  const floorCpu = runsOf(FLOOR).map(perRecord);
  /** Each round's CPU per record minus the floor's of the same round. */
  const exportRounds = (key: string) =>
    runsOf(key).map((r, i) => (key === FLOOR ? 0 : perRecord(r) - (floorCpu[i] ?? Number.NaN)));

  const results: E2eResult[] = [];
  const row = (format: OtlpFormat, id: PipelineId): E2eResult => {
    const key = keyOf(format, id);
    const rs = runsOf(key);
    const spec = PIPELINES[id];
    const exportSide = median(exportRounds(key));
    const baseline =
      spec.baseline === undefined ? undefined : median(exportRounds(keyOf(format, spec.baseline)));
    const delivered = rs.reduce((sum, r) => sum + r.delivered, 0);
    const requests = rs.reduce((sum, r) => sum + r.requests, 0);
    const bytes = rs.reduce((sum, r) => sum + r.bytes, 0);
    return {
      id: id === 'floor' ? `${signal}.floor` : `${signal}.${format}.${id}`,
      signal,
      format: id === 'floor' ? 'none' : format,
      pipeline: id,
      title: pipelineTitle(id, signal),
      family: spec.family,
      batch: spec.batch,
      cpuMicrosPerRecord: median(rs.map(perRecord)),
      exportMicrosPerRecord: exportSide,
      ...(baseline === undefined ? {} : { exportRatio: exportSide / baseline }),
      eldP99Millis: median(rs.map((r) => r.eldP99Millis)),
      eldMaxMillis: median(rs.map((r) => r.eldMaxMillis)),
      longestBlockMillis: median(rs.map(blockOf)),
      blockP99Millis: median(rs.map((r) => r.blockP99Millis)),
      longestEmitMillis: median(rs.map((r) => r.longestEmitMillis)),
      longestStallMillis: median(rs.map((r) => r.longestStallMillis)),
      longestGcMillis: median(rs.map((r) => r.longestGcMillis)),
      ...(tasksOf(key).length === 0
        ? {}
        : {
            longestTaskMillis: median(tasksOf(key).map(longestTask)),
            taskP999Millis: median(tasksOf(key).map(taskP999)),
            longTasksPerThousand: median(tasksOf(key).map(longTasks)),
          }),
      utilization: median(rs.map((r) => r.utilization)),
      ...(rs.every((r) => r.cpuWaitMillis !== undefined)
        ? { cpuWaitShare: median(rs.map((r) => (r.cpuWaitMillis ?? 0) / r.wallMillis)) }
        : {}),
      recordsPerSecond: median(rs.map((r) => r.delivered / (r.wallMillis / 1000))),
      bytesPerRecord: delivered > 0 && bytes > 0 ? bytes / delivered : 0,
      recordsPerRequest: requests > 0 ? delivered / requests : 0,
      dropped: rs.reduce((sum, r) => sum + r.dropped, 0),
      rounds: {
        cpuMicrosPerRecord: rs.map(perRecord),
        exportMicrosPerRecord: exportRounds(key),
        eldP99Millis: rs.map((r) => r.eldP99Millis),
        longestBlockMillis: rs.map(blockOf),
        blockP99Millis: rs.map((r) => r.blockP99Millis),
      },
      records: settings.records,
      ratePerSecond: settings.ratePerSecond,
      slice: settings.slice,
      roundCount: settings.rounds,
      cpuClock: CPU_CLOCK,
      startedAt,
      loadAverage,
    };
  };
  results.push(row(formats[0] ?? 'protobuf', 'floor'));
  for (const format of formats) {
    for (const id of PIPELINE_IDS) if (id !== 'floor') results.push(row(format, id));
  }

  const comparisons: Comparison[] = [];
  const floorMicros = median(floorCpu);
  for (const format of formats) {
    const ours = keyOf(format, 'ours-transport');
    const oursWorker = keyOf(format, 'ours-transport-worker');
    const builtin = keyOf(format, 'builtin');
    const ours2048 = keyOf(format, 'ours-transport-2048');
    const builtin2048 = keyOf(format, 'builtin-2048');
    const pick = (o: string, b: string, value: (r: E2eRun) => number) => ({
      ours: runsOf(o).map(value),
      builtin: runsOf(b).map(value),
    });
    const blockDetail = (o: string, b: string) => {
      const of = (key: string, value: (r: E2eRun) => number) =>
        Number(median(runsOf(key).map(value)).toFixed(2));
      return {
        'block p99 over turns, ours (ms)': of(o, (r) => r.blockP99Millis),
        'block p99 over turns, built-in (ms)': of(b, (r) => r.blockP99Millis),
        'emit-only floor, longest block (ms)': of(FLOOR, blockOf),
        'longest GC pause, ours / built-in / floor (ms)': `${of(o, (r) => r.longestGcMillis)} / ${of(b, (r) => r.longestGcMillis)} / ${of(FLOOR, (r) => r.longestGcMillis)}`,
      };
    };
    const taskDetail = (o: string, b: string) => {
      const of = (key: string, value: (t: TaskProbeResult) => number) =>
        Number(median(tasksOf(key).map(value)).toFixed(2));
      return {
        'longest task, ours / built-in / emit-only floor (ms)': `${of(o, longestTask)} / ${of(b, longestTask)} / ${of(FLOOR, longestTask)}`,
        'task p99.9, emit-only floor (ms)': of(FLOOR, taskP999),
        'tasks over 0.3 ms per 1,000, ours / built-in / emit-only floor': `${of(o, longTasks)} / ${of(b, longTasks)} / ${of(FLOOR, longTasks)}`,
      };
    };
    const pickTasks = (o: string, b: string) => ({
      ours: tasksOf(o).map(taskP999),
      builtin: tasksOf(b).map(taskP999),
    });
    const base = `${signal}, OTLP ${format === 'json' ? 'JSON' : 'protobuf'}`;
    comparisons.push(
      compare(
        {
          id: `e2e.${signal}.${format}.export`,
          suite: SUITE,
          title: `${base}: export-side CPU per record (pipeline minus emit-only floor), batch 512`,
          unit: 'µs/record',
          better: 'lower',
          target: ratioTarget('<=', 0.25),
          detail: {
            'emit-only floor (µs/record)': Number(floorMicros.toFixed(2)),
            'ours, whole pipeline (µs/record)': Number(
              median(runsOf(ours).map(perRecord)).toFixed(2),
            ),
            'built-in, whole pipeline (µs/record)': Number(
              median(runsOf(builtin).map(perRecord)).toFixed(2),
            ),
            'CPU clock': CPU_CLOCK_LABEL,
          },
        },
        { ours: exportRounds(ours), builtin: exportRounds(builtin) },
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.export.worker`,
          suite: SUITE,
          title: `${base}: export-side CPU per record, HTTP sent from a worker thread (\`thread: 'worker'\`), batch 512`,
          unit: 'µs/record',
          better: 'lower',
          target: ratioTarget('<=', 0.25),
          detail: {
            'ours, whole pipeline (µs/record)': Number(
              median(runsOf(oursWorker).map(perRecord)).toFixed(2),
            ),
            'CPU clock': CPU_CLOCK_LABEL,
          },
        },
        { ours: exportRounds(oursWorker), builtin: exportRounds(builtin) },
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.block.worker`,
          suite: SUITE,
          title: `${base}: longest block, HTTP sent from a worker thread, batch 512`,
          unit: 'ms',
          better: 'lower',
          detail: blockDetail(oursWorker, builtin),
        },
        pick(oursWorker, builtin, blockOf),
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.eld.p99`,
          suite: SUITE,
          title: `${base}: event-loop delay p99, batch 512`,
          unit: 'ms',
          better: 'lower',
        },
        pick(ours, builtin, (r) => r.eldP99Millis),
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.block`,
          suite: SUITE,
          title: `${base}: longest block, batch 512`,
          unit: 'ms',
          better: 'lower',
          detail: blockDetail(ours, builtin),
        },
        pick(ours, builtin, blockOf),
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.block.2048`,
          suite: SUITE,
          title: `${base}: longest block, batch 2,048`,
          unit: 'ms',
          better: 'lower',
          detail: blockDetail(ours2048, builtin2048),
        },
        pick(ours2048, builtin2048, blockOf),
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.task`,
          suite: SUITE,
          title: `${base}: longest tasks of the event loop (p99.9), batch 512`,
          unit: 'ms',
          better: 'lower',
          target: absoluteTarget('<=', 0.3, 'ms'),
          detail: taskDetail(ours, builtin),
        },
        pickTasks(ours, builtin),
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.task.worker`,
          suite: SUITE,
          title: `${base}: longest tasks of the event loop (p99.9), HTTP sent from a worker thread, batch 512`,
          unit: 'ms',
          better: 'lower',
          target: absoluteTarget('<=', 0.3, 'ms'),
          detail: taskDetail(oursWorker, builtin),
        },
        pickTasks(oursWorker, builtin),
      ),
      compare(
        {
          id: `e2e.${signal}.${format}.task.2048`,
          suite: SUITE,
          title: `${base}: longest tasks of the event loop (p99.9), batch 2,048`,
          unit: 'ms',
          better: 'lower',
          target: absoluteTarget('<=', 1, 'ms'),
          detail: taskDetail(ours2048, builtin2048),
        },
        pickTasks(ours2048, builtin2048),
      ),
    );
  }
  for (const c of comparisons) {
    progress(`${c.title}: ours ${c.ours.toFixed(2)}, built-in ${c.builtin.toFixed(2)} ${c.unit}`);
  }
  return { comparisons, results };
}
