import type { OtlpFormat } from '@telemetry-reporter/transport-http/otlp';

/** Sizes and repetitions of one run; `FULL` for the published numbers, `SMOKE` so CI sees it work. */
export interface BenchConfig {
  readonly smoke: boolean;
  /** Interleaved rounds (ours, built-in, built-in, ours, ...) of each micro-benchmark. */
  readonly hotPathRounds: number;
  /** mitata options of one micro-benchmark measurement. */
  readonly mitata: {
    readonly min_cpu_time: number;
    readonly min_samples: number;
    readonly batch_samples: number;
    readonly warmup_samples: number;
  };
  /** Records delivered per throughput run, and runs per processor. */
  readonly throughputRecords: number;
  readonly throughputRounds: number;
  /** Records delivered per run of the processor-only throughput (each run lasts ~0.3 s). */
  readonly processorThroughputRecords: number;
  /** Records emitted between two yields to the event loop. */
  readonly chunk: number;
  /** Queue sizes filled then drained by `forceFlush()`, each with its rounds. */
  readonly largeQueues: readonly { readonly size: number; readonly rounds: number }[];
  /** Emits into a stalled exporter, and how many heap samples to take along the way. */
  readonly memoryRecords: number;
  readonly memorySamples: number;
  /** Records emitted while the event-loop delay is monitored, and runs per processor. */
  readonly latencyRecords: number;
  readonly latencyRounds: number;
  /**
   * Records delivered, unmeasured, through a pipeline like the measured one, after the full GC
   * that precedes each throughput and latency run (see `defaultJson.warmupBatches` for why).
   * Without it, on Node 20, the latency part's event-loop delay p99 read 1.22-1.49 ms for ours
   * and 1.06-1.20 ms for the built-in, 0.35-0.44 and 0.53-0.62 ms with no forced GC at all: a
   * run of 300,000 records spent about a sixth of itself, and nearly all of its 99th
   * percentile, in unoptimized code. With 50,000 records here: 0.43-0.67 and 0.42-0.69 ms
   * (150,000 read the same).
   */
  readonly rewarmRecords: number;
  /** Queue size drained by `shutdown()`, and runs per processor. */
  readonly shutdownQueue: number;
  readonly shutdownRounds: number;
  /** The overflow-policy benchmark: our policies against our own `drop_newest`. */
  readonly policies: {
    /** Interleaved rounds (the first contender rotates) of each policy's measurement. */
    readonly rounds: number;
    /** Queue sizes (`maxQueueSize`), each measured with every policy and severity mix. */
    readonly queueSizes: readonly number[];
    /**
     * mitata options of one measurement. `batch_samples` is also the export batch of the "room
     * in the queue" processors, and must be at most a quarter of the smallest queue size.
     */
    readonly mitata: BenchConfig['mitata'];
  };
  /** The default JSON payload against the encoder it replaced. */
  readonly defaultJson: {
    /** Batches of 512 records exported, one after the other, per measured run. */
    readonly batches: number;
    /**
     * Batches exported, unmeasured, right before each measured run, after the full GC that
     * precedes it. A forced `gc()` throws away what V8 learnt of the code it ran (with
     * `--trace-opt`, the encoders are optimized anew after every one; after a mark-compact of
     * its own V8 keeps them), and code written in JavaScript, ours, runs unoptimized until it is
     * hot again. Measured on Node 20, 400 batches after 1 unmeasured: ours 1.24 µs per record,
     * after 100: 0.77, with no forced GC: 0.62-0.71; the encoder it replaced, mostly
     * `JSON.stringify`, moves little (2.8-3.8). A service never forces a GC.
     */
    readonly warmupBatches: number;
    /** Interleaved rounds (ours, replaced, replaced, ours, ...). */
    readonly rounds: number;
  };
  /** The application's own async calls once a pipeline exported (suites/app-awaits.ts). */
  readonly appAwaits: {
    /** Async calls timed per run (three runs, the fastest kept). */
    readonly calls: number;
    /** Rounds per contender, one pipeline each. */
    readonly rounds: number;
  };
  /** The end-to-end benchmark: whole pipelines to an OTLP/HTTP sink in another process. */
  readonly e2e: {
    /** Records emitted per run. */
    readonly records: number;
    /** Records emitted through every pipeline once, unrecorded, before the first round. */
    readonly warmupRecords: number;
    /**
     * Records emitted, unrecorded, right before each measured run, after the GC that precedes
     * it: a forced full GC throws away what V8 learnt of the code (see
     * `defaultJson.warmupBatches`), so the export path runs unoptimized, and its first batch
     * blocks for milliseconds, where a service that exports all the time never does. About 100
     * batches of 512 make it hot again; before, two batches were emitted here, and a measured
     * run of 200,000 records spent about its first quarter warming up, a task-timing run of
     * 100,000 about half (every pipeline alike).
     */
    readonly rewarmRecords: number;
    /** Interleaved rounds (the first pipeline rotating) of every pipeline. */
    readonly rounds: number;
    /** Records per second emitted, in slices of `slice` records per turn of the event loop. */
    readonly ratePerSecond: number;
    readonly slice: number;
    /** `scheduledDelayMillis` of every processor: below the time a batch takes to fill. */
    readonly scheduledDelayMillis: number;
    /**
     * Interleaved rounds, after the measured ones, of runs that time every task of the event
     * loop (e2e/task-probe.ts): its hooks cost CPU, so these runs report tasks only.
     */
    readonly taskRounds: number;
    /** Records emitted per task-timing run. */
    readonly taskRecords: number;
    /** The OTLP formats measured, per signal. */
    readonly formats: {
      readonly logs: readonly OtlpFormat[];
      readonly spans: readonly OtlpFormat[];
    };
  };
}

/** The published run: about two minutes per SDK line on a 2-core machine. */
export const FULL: BenchConfig = Object.freeze<BenchConfig>({
  smoke: false,
  hotPathRounds: 7,
  mitata: { min_cpu_time: 150e6, min_samples: 12, batch_samples: 4096, warmup_samples: 2 },
  throughputRecords: 1_000_000,
  throughputRounds: 7,
  processorThroughputRecords: 5_000_000,
  chunk: 1024,
  largeQueues: [
    { size: 100_000, rounds: 5 },
    { size: 1_000_000, rounds: 5 },
  ],
  memoryRecords: 5_000_000,
  memorySamples: 10,
  latencyRecords: 300_000,
  latencyRounds: 5,
  rewarmRecords: 50_000,
  shutdownQueue: 100_000,
  shutdownRounds: 5,
  policies: {
    rounds: 5,
    queueSizes: [2_048, 1_000_000],
    mitata: { min_cpu_time: 100e6, min_samples: 12, batch_samples: 512, warmup_samples: 2 },
  },
  defaultJson: { batches: 400, warmupBatches: 100, rounds: 7 },
  appAwaits: { calls: 200_000, rounds: 5 },
  e2e: {
    records: 200_000,
    warmupRecords: 20_000,
    rewarmRecords: 50_000,
    rounds: 3,
    ratePerSecond: 50_000,
    slice: 64,
    scheduledDelayMillis: 100,
    taskRounds: 2,
    taskRecords: 100_000,
    formats: { logs: ['protobuf', 'json'], spans: ['protobuf', 'json'] },
  },
});

/** A few thousand iterations of everything, in seconds: proves the benchmarks still run. */
export const SMOKE: BenchConfig = Object.freeze<BenchConfig>({
  smoke: true,
  hotPathRounds: 1,
  mitata: { min_cpu_time: 1e6, min_samples: 2, batch_samples: 256, warmup_samples: 1 },
  throughputRecords: 5_000,
  throughputRounds: 1,
  processorThroughputRecords: 5_000,
  chunk: 1024,
  largeQueues: [
    { size: 2_000, rounds: 1 },
    { size: 10_000, rounds: 1 },
  ],
  memoryRecords: 20_000,
  memorySamples: 4,
  latencyRecords: 5_000,
  latencyRounds: 1,
  rewarmRecords: 0,
  shutdownQueue: 5_000,
  shutdownRounds: 1,
  policies: {
    rounds: 1,
    queueSizes: [2_048, 20_000],
    mitata: { min_cpu_time: 1e6, min_samples: 2, batch_samples: 256, warmup_samples: 1 },
  },
  defaultJson: { batches: 4, warmupBatches: 1, rounds: 1 },
  appAwaits: { calls: 2_000, rounds: 1 },
  // One format per signal, a different one each, so that both of the sink's decoders run.
  e2e: {
    records: 2_000,
    warmupRecords: 0,
    rewarmRecords: 0,
    rounds: 1,
    ratePerSecond: 50_000,
    slice: 64,
    scheduledDelayMillis: 100,
    taskRounds: 1,
    taskRecords: 2_000,
    formats: { logs: ['protobuf'], spans: ['json'] },
  },
});
