// Our overflow policies against our own `drop_newest` (the SDK's processors have no other policy,
// so there is no built-in to compare with): ns per `onEmit` of a prebuilt log record through
// `ReporterLogRecordProcessor`, with room in the queue and with the queue full, for two severity
// mixes and two queue sizes. See README.md, "Overflow policies".
import { estimateLogRecordBytes, type OverflowPolicy } from '@telemetry-reporter/otel';
import { SeverityNumber } from '#sdk';
import type { BenchConfig } from '../config.js';
import {
  createReporterLogProcessor,
  logLineAt,
  type ReporterLogProcessor,
  type ReporterLogTuning,
  type SdkLogRecord,
  sampleLogRecord,
  ValveExporter,
} from '../fixtures.js';
import {
  collectGarbage,
  interleaveRotating,
  median,
  nsPerCallWithParam,
  progress,
  yieldToEventLoop,
} from '../harness.js';
import { machineInfo } from '../machine.js';
import type { PolicyPath, PolicyResult } from '../types.js';

/** Longer than any measurement: no timer fires, exports start by size only, none times out. */
const NEVER = 600_000;
/** Export batch of the queue-full processors (the default). */
const SHED_BATCH = 512;
/** Records emitted between two looks at the counters while a queue fills. */
const FILL_CHUNK = 1024;

type ContenderKey =
  | 'drop_newest'
  | 'drop_oldest'
  | 'drop_lowest_severity'
  | 'drop_newest+bytes'
  | 'drop_lowest_severity.ranks_lowest';

interface Contender {
  readonly key: ContenderKey;
  readonly overflowPolicy: OverflowPolicy;
  /**
   * Bounded by bytes: `maxQueueBytes` is the queue size times the mix's mean byte estimate and
   * `maxQueueSize` twice the queue size, so the byte limit is the one that fills.
   */
  readonly byBytes: boolean;
  /**
   * What a full queue holds (shed path): the mix itself; TRACE records, below every record of
   * both mixes, so that each arrival evicts one; or the mix's highest severity only, the state a
   * `drop_lowest_severity` queue reaches in a long storm, where every arrival ranks lowest.
   */
  readonly fullOf: 'mix' | 'trace' | 'top';
  readonly title: Readonly<Record<PolicyPath, string>>;
}

const DROP_NEWEST: Contender = {
  key: 'drop_newest',
  overflowPolicy: 'drop_newest',
  byBytes: false,
  fullOf: 'mix',
  title: { accept: 'drop_newest (default)', shed: 'drop_newest (default): arrival dropped' },
};
const DROP_OLDEST: Contender = {
  key: 'drop_oldest',
  overflowPolicy: 'drop_oldest',
  byBytes: false,
  fullOf: 'mix',
  title: { accept: 'drop_oldest', shed: 'drop_oldest: evicts the oldest' },
};
const DROP_LOWEST: Contender = {
  key: 'drop_lowest_severity',
  overflowPolicy: 'drop_lowest_severity',
  byBytes: false,
  fullOf: 'trace',
  title: {
    accept: 'drop_lowest_severity',
    shed: 'drop_lowest_severity: evicts the oldest TRACE',
  },
};
const DROP_NEWEST_BYTES: Contender = {
  key: 'drop_newest+bytes',
  overflowPolicy: 'drop_newest',
  byBytes: true,
  fullOf: 'mix',
  title: {
    accept: 'drop_newest + maxQueueBytes',
    shed: 'drop_newest + maxQueueBytes: arrival dropped',
  },
};
const DROP_LOWEST_RANKS_LOWEST: Contender = {
  key: 'drop_lowest_severity.ranks_lowest',
  overflowPolicy: 'drop_lowest_severity',
  byBytes: false,
  fullOf: 'top',
  title: {
    accept: 'drop_lowest_severity',
    shed: 'drop_lowest_severity: arrival ranks lowest, dropped',
  },
};

/** The contenders of each path; `drop_newest` first: the others' ratio is to it. */
const CONTENDERS: Readonly<Record<PolicyPath, readonly Contender[]>> = {
  accept: [DROP_NEWEST, DROP_OLDEST, DROP_LOWEST, DROP_NEWEST_BYTES],
  shed: [DROP_NEWEST, DROP_OLDEST, DROP_LOWEST, DROP_LOWEST_RANKS_LOWEST, DROP_NEWEST_BYTES],
};

const PATH_TITLES: Readonly<Record<PolicyPath, string>> = {
  accept: 'onEmit, room in the queue (half full)',
  shed: 'onEmit, queue full (shed path)',
};

/** A severity mix: 100 records emitted in turn, cycling. */
interface Mix {
  readonly key: string;
  readonly title: string;
  readonly cycle: readonly SdkLogRecord[];
  /** The highest severity of the mix, alone. */
  readonly top: readonly SdkLogRecord[];
  /** Mean byte estimate of a record of the cycle, as `maxQueueBytes` counts it. */
  readonly meanBytes: number;
}

interface Records {
  readonly mixes: readonly Mix[];
  readonly trace: readonly SdkLogRecord[];
}

function records(): Records {
  const at = (n: SeverityNumber, text: string) => sampleLogRecord(logLineAt(n, text));
  const debug = at(SeverityNumber.DEBUG, 'DEBUG');
  const info = at(SeverityNumber.INFO, 'INFO');
  const error = at(SeverityNumber.ERROR, 'ERROR');
  // 90 DEBUG, 9 INFO (every tenth), 1 ERROR (the hundredth), spread over the cycle.
  const mixed = Array.from({ length: 100 }, (_, i) =>
    i === 99 ? error : i % 10 === 9 ? info : debug,
  );
  const allInfo = Array.from({ length: 100 }, () => info);
  const mix = (key: string, title: string, cycle: SdkLogRecord[], top: SdkLogRecord): Mix => ({
    key,
    title,
    cycle,
    top: [top],
    meanBytes: cycle.reduce((sum, r) => sum + estimateLogRecordBytes(r), 0) / cycle.length,
  });
  return {
    mixes: [
      mix('info', 'all INFO', allInfo, info),
      mix('mixed', 'DEBUG/INFO/ERROR 90/9/1', mixed, error),
    ],
    trace: [at(SeverityNumber.TRACE, 'TRACE')],
  };
}

/** Hands out `records` in turn, forever. */
class Cycle {
  readonly #records: readonly SdkLogRecord[];
  #i = 0;

  constructor(records: readonly SdkLogRecord[]) {
    this.#records = records;
  }

  next(): SdkLogRecord {
    const record = this.#records[this.#i] as SdkLogRecord;
    this.#i = this.#i + 1 === this.#records.length ? 0 : this.#i + 1;
    return record;
  }
}

/** One measurement's processor, in the state the path needs, and how to keep it there. */
interface Rig {
  readonly processor: ReporterLogProcessor;
  readonly exporter: ValveExporter;
  /** Called every `every` calls handed out (mitata awaits it outside the timed region). */
  readonly every: number;
  readonly between: (() => Promise<void>) | undefined;
}

/**
 * Emits `batch` records and lets the engine start its first export, which the closed valve
 * holds: from then on nothing leaves the queue until the benchmark answers that batch.
 */
async function holdOneBatch(
  processor: ReporterLogProcessor,
  exporter: ValveExporter,
  source: Cycle,
  batch: number,
): Promise<void> {
  for (let i = 0; i < batch; i++) processor.onEmit(source.next());
  await yieldToEventLoop();
  if (exporter.heldBatches !== 1 || processor.stats().queued !== 0) {
    throw new Error(`expected one held batch and an empty queue, got ${exporter.heldBatches}`);
  }
}

/**
 * Emits records until the queue is full: exactly `capacity` records when the count limit is the
 * one that fills (nothing dropped), else until the byte limit drops the first one.
 */
function fillToFull(processor: ReporterLogProcessor, source: Cycle, capacity: number): void {
  const droppedBefore = processor.stats().dropped.queue_full;
  for (;;) {
    const stats = processor.stats();
    const room = capacity - stats.queued;
    if (stats.dropped.queue_full > droppedBefore || room <= 0) return;
    for (let i = Math.min(room, FILL_CHUNK); i > 0; i--) processor.onEmit(source.next());
  }
}

async function rig(
  path: PolicyPath,
  contender: Contender,
  mix: Mix,
  size: number,
  batchSamples: number,
  trace: readonly SdkLogRecord[],
): Promise<Rig> {
  const exporter = new ValveExporter();
  const capacity = contender.byBytes ? 2 * size : size;
  const tuning: ReporterLogTuning = {
    maxQueueSize: capacity,
    maxExportBatchSize: path === 'accept' ? batchSamples : SHED_BATCH,
    scheduledDelayMillis: NEVER,
    exportTimeoutMillis: NEVER,
    overflowPolicy: contender.overflowPolicy,
    ...(contender.byBytes ? { maxQueueBytes: Math.round(size * mix.meanBytes) } : {}),
  };
  const processor = createReporterLogProcessor(exporter, tuning);

  if (path === 'accept') {
    // Half full, and kept there: every `batchSamples` calls the held batch is answered, and the
    // engine takes (and the valve holds) the next `batchSamples` records from the queue's head.
    const source = new Cycle(mix.cycle);
    await holdOneBatch(processor, exporter, source, batchSamples);
    for (let i = 0; i < size / 2; i++) processor.onEmit(source.next());
    const between = async (): Promise<void> => {
      exporter.answerOldest();
      await yieldToEventLoop();
      if (exporter.heldBatches !== 1) throw new Error('the engine did not take the next batch');
    };
    return { processor, exporter, every: batchSamples, between };
  }

  const fill =
    contender.fullOf === 'trace' ? trace : contender.fullOf === 'top' ? mix.top : mix.cycle;
  const source = new Cycle(fill);
  await holdOneBatch(processor, exporter, source, SHED_BATCH);
  fillToFull(processor, source, capacity);
  if (contender.fullOf !== 'trace') return { processor, exporter, every: 0, between: undefined };
  // Each call evicts one TRACE record; before they run out, the queue is emptied and filled with
  // TRACE again. mitata computes a sample's `batchSamples` parameters before timing its calls,
  // so a refill may come up to `batchSamples` calls early: it comes after `size - batchSamples`.
  const between = async (): Promise<void> => {
    exporter.open();
    await processor.forceFlush();
    exporter.close();
    await holdOneBatch(processor, exporter, source, SHED_BATCH);
    fillToFull(processor, source, capacity);
  };
  return { processor, exporter, every: size - batchSamples, between };
}

/** ns per `onEmit` of one contender, path, mix and size; checks the path is the one meant. */
async function measure(
  path: PolicyPath,
  contender: Contender,
  mix: Mix,
  size: number,
  config: BenchConfig,
  trace: readonly SdkLogRecord[],
): Promise<number> {
  const mitataConfig: BenchConfig = { ...config, mitata: config.policies.mitata };
  const { processor, exporter, every, between } = await rig(
    path,
    contender,
    mix,
    size,
    config.policies.mitata.batch_samples,
    trace,
  );
  const source = new Cycle(mix.cycle);
  let calls = 0;
  let sinceBetween = 0;
  const param = (): SdkLogRecord | Promise<SdkLogRecord> => {
    calls++;
    const record = source.next();
    if (between === undefined || ++sinceBetween < every) return record;
    sinceBetween = 0;
    return between().then(() => record);
  };
  const before = processor.stats();
  const ns = await nsPerCallWithParam(param, (r) => processor.onEmit(r), mitataConfig);
  const after = processor.stats();

  // Every call took the path it was meant to: none shed with room, one shed per call when full
  // (for the evicting drop_lowest_severity, always a TRACE record).
  const shed = after.dropped.queue_full - before.dropped.queue_full;
  const shedTrace = after.droppedBySeverity.trace - before.droppedBySeverity.trace;
  const expected = path === 'accept' ? 0 : calls;
  if (
    shed !== expected ||
    (contender.fullOf === 'trace' && path === 'shed' && shedTrace !== calls)
  ) {
    throw new Error(
      `${path} ${contender.key} ${mix.key} ${size}: ${calls} calls shed ${shed} records (${shedTrace} TRACE), expected ${expected}`,
    );
  }
  exporter.open();
  await processor.shutdown();
  return ns;
}

/**
 * Processors of every policy that live as long as the process, as in keepResidentProcessors()
 * (fixtures.ts): `SeverityQueue` has more than 16 `#private` fields too, and once six of them
 * died V8 may build the next ones in dictionary mode.
 */
const residents: ReporterLogProcessor[] = [];
function keepResidentPolicyProcessors(): void {
  if (residents.length > 0) return;
  for (const contender of CONTENDERS.shed) {
    residents.push(
      createReporterLogProcessor(new ValveExporter(), {
        maxQueueSize: 16,
        overflowPolicy: contender.overflowPolicy,
        ...(contender.byBytes ? { maxQueueBytes: 1 << 20 } : {}),
      }),
    );
  }
}

/** One path of the overflow-policy benchmark, every mix and queue size. */
export async function overflowPolicies(
  config: BenchConfig,
  path: PolicyPath,
): Promise<PolicyResult[]> {
  const batch = config.policies.mitata.batch_samples;
  if (4 * batch > Math.min(...config.policies.queueSizes)) {
    throw new RangeError(
      `policies: batch_samples ${batch} exceeds a quarter of the smallest queue`,
    );
  }
  const startedAt = new Date().toISOString();
  const { loadAverage } = machineInfo();
  keepResidentPolicyProcessors();
  const { mixes, trace } = records();
  const contenders = CONTENDERS[path];
  const byKey = new Map(contenders.map((c) => [c.key, c]));
  // An unrecorded round first: every contender, briefly, in every column. The engine's `offer()`
  // is shared by all policies, and V8 re-optimizes it as it sees new policies and queue states
  // (the 1,000,000-record queues grow their storage, drop_lowest_severity's refills flush it):
  // without this round the first contenders and columns measured ran code optimized for less
  // (drop_newest's shed path: ~10 ns alone, ~17-21 ns once every policy ran).
  const warmUp: BenchConfig = {
    ...config,
    policies: {
      ...config.policies,
      mitata: {
        ...config.policies.mitata,
        min_cpu_time: Math.min(20e6, config.policies.mitata.min_cpu_time),
      },
    },
  };
  for (const mix of mixes) {
    for (const size of config.policies.queueSizes) {
      for (const contender of contenders) {
        collectGarbage();
        await measure(path, contender, mix, size, warmUp, trace);
      }
    }
  }
  const out: PolicyResult[] = [];
  for (const mix of mixes) {
    for (const size of config.policies.queueSizes) {
      const runs = await interleaveRotating(
        contenders.map((c) => c.key),
        config.policies.rounds,
        (key) => measure(path, byKey.get(key) as Contender, mix, size, config, trace),
      );
      const baseline = median(runs.get('drop_newest') ?? []);
      const line: string[] = [];
      for (const contender of contenders) {
        const rounds = runs.get(contender.key) ?? [];
        const nsPerOp = median(rounds);
        out.push({
          id: `${path}.${contender.key}.${mix.key}.${size}`,
          path,
          pathTitle: PATH_TITLES[path],
          contender: contender.key,
          title: contender.title[path],
          mix: mix.key,
          mixTitle: mix.title,
          queueSize: size,
          nsPerOp,
          ratio: nsPerOp / baseline,
          rounds,
          startedAt,
          loadAverage,
        });
        line.push(`${contender.key} ${nsPerOp.toFixed(1)} ns`);
      }
      progress(`${path}, ${mix.key}, queue ${size}: ${line.join(', ')}`);
    }
  }
  return out;
}
