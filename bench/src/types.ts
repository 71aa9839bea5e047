/** Which direction of a metric is the good one. */
export type Better = 'lower' | 'higher';

/** A goal for one comparison: on the ratio ours / built-in, or on our absolute value. */
export interface Target {
  /** `ratio`: ours / built-in of the metric; `ours`: our value in the metric's unit. */
  readonly on: 'ratio' | 'ours';
  readonly op: '<=' | '>=';
  readonly value: number;
  /** How the table states it, e.g. `<= 0.7`. */
  readonly label: string;
}

/** One metric measured for our processor and the built-in one, in the same process. */
export interface Comparison {
  /** Stable key, e.g. `logs.onEmit.room`. */
  readonly id: string;
  /** The section, e.g. `1. hot path`. */
  readonly suite: string;
  /** What was measured, e.g. `onEmit, room in the queue`. */
  readonly title: string;
  /** Unit of `ours` and `builtin`. */
  readonly unit: string;
  readonly better: Better;
  /** Median over the rounds. */
  readonly ours: number;
  /** Median over the rounds. */
  readonly builtin: number;
  /** `ours / builtin`. */
  readonly ratio: number;
  /** How many times better ours is (> 1: ours wins), whatever the direction of the metric. */
  readonly speedup: number;
  readonly target?: Target;
  /** Whether the target is met; absent without a target. */
  readonly met?: boolean;
  /** Every round's value, in the order measured. */
  readonly rounds: { readonly ours: number[]; readonly builtin: number[] };
  /** Extra numbers worth printing (drops, percentiles, spread). */
  readonly detail?: Readonly<Record<string, number | string>>;
  readonly note?: string;
  /** True when ours / built-in means nothing (two values near zero): the table leaves it out. */
  readonly noRatio?: boolean;
}

/** Which path of `onEmit` an overflow-policy benchmark times. */
export type PolicyPath = 'accept' | 'shed';

/**
 * One cell of the overflow-policy benchmark: ns per `onEmit` of our log processor under one
 * overflow policy, on one path, severity mix and queue size, against our own `drop_newest` of the
 * same path, mix and size (there is no built-in equivalent to compare with).
 */
export interface PolicyResult {
  /** Stable key: `<path>.<contender>.<mix>.<queue size>`. */
  readonly id: string;
  readonly path: PolicyPath;
  /** How the table heads the path's rows. */
  readonly pathTitle: string;
  /** Stable key of the contender, e.g. `drop_lowest_severity`. */
  readonly contender: string;
  /** How the table names the contender. */
  readonly title: string;
  /** Stable key of the severity mix, e.g. `mixed`. */
  readonly mix: string;
  /** How the table names the mix. */
  readonly mixTitle: string;
  /** Records the queue holds (for the byte-bounded contender: what its byte limit comes to). */
  readonly queueSize: number;
  /** Median over the rounds of each round's p50, ns per `onEmit`. */
  readonly nsPerOp: number;
  /** `nsPerOp` / the `drop_newest` contender's of the same path, mix and size. */
  readonly ratio: number;
  /** Every round's value, in the order measured. */
  readonly rounds: number[];
  /** When the process that measured it started, and the machine's load average then. */
  readonly startedAt: string;
  readonly loadAverage: number;
}

/**
 * One pipeline of the end-to-end benchmark (signal, OTLP format, processor and exporter), its
 * medians over the rounds. See README.md, "End to end".
 */
export interface E2eResult {
  /** Stable key: `<signal>.<format>.<pipeline>`; the floor, shared by the formats, `<signal>.floor`. */
  readonly id: string;
  readonly signal: 'logs' | 'spans';
  /** `protobuf` or `json`; `none` for the floor, which exports nothing. */
  readonly format: string;
  /** Stable key of the pipeline, e.g. `ours-transport`. */
  readonly pipeline: string;
  /** How the table names it. */
  readonly title: string;
  readonly family: 'floor' | 'builtin' | 'ours';
  readonly batch: number;
  /** Main-thread CPU per delivered record, µs (median over the rounds). */
  readonly cpuMicrosPerRecord: number;
  /** Minus the floor's of the same round, µs (median over the rounds); 0 for the floor. */
  readonly exportMicrosPerRecord: number;
  /** `exportMicrosPerRecord` over the built-in pipeline's of the same batch size; absent for the floor. */
  readonly exportRatio?: number;
  /** Event-loop delay beyond the 1 ms sampling interval, ms. */
  readonly eldP99Millis: number;
  readonly eldMaxMillis: number;
  /** The longest synchronous block, GC pauses aside: the longer of the two below, ms. */
  readonly longestBlockMillis: number;
  /** 99th percentile over the turns of the event loop of each turn's longest block, ms. */
  readonly blockP99Millis: number;
  /** The longest single `emit()` / `startSpan().end()`, GC pauses taken out, ms. */
  readonly longestEmitMillis: number;
  /** The longest busy stretch between two slices of emits (idle time, CPU wait and GC pauses taken out), ms. */
  readonly longestStallMillis: number;
  /** The longest GC pause, ms. */
  readonly longestGcMillis: number;
  /**
   * The longest task of the event loop (a macrotask with the microtasks after it), less the
   * workload's emit calls, GC pauses and CPU wait, from the task-timing runs, ms; absent in
   * results measured before those runs existed.
   */
  readonly longestTaskMillis?: number;
  /** The 99.9th percentile of those tasks, ms. */
  readonly taskP999Millis?: number;
  /** Those tasks longer than 0.3 ms, per 1,000 tasks; absent in results measured before. */
  readonly longTasksPerThousand?: number;
  /** Event-loop utilization over the run, 0 to 1. */
  readonly utilization: number;
  /**
   * Share of the run's wall-clock time the main thread waited for a CPU while runnable (the
   * machine was busy with other work), 0 to 1; absent where the OS does not report it.
   */
  readonly cpuWaitShare?: number;
  /** Records per second emitted and delivered, wall clock: below the target rate, the pipeline fell behind. */
  readonly recordsPerSecond: number;
  /** Request bytes per record the sink received; 0 for the floor. */
  readonly bytesPerRecord: number;
  /** Records per request the sink received; 0 for the floor. */
  readonly recordsPerRequest: number;
  /** Records emitted but not delivered, summed over the rounds (ours only; the built-in may drop none). */
  readonly dropped: number;
  /** Every round's value, in the order measured. */
  readonly rounds: {
    readonly cpuMicrosPerRecord: number[];
    readonly exportMicrosPerRecord: number[];
    readonly eldP99Millis: number[];
    readonly longestBlockMillis: number[];
    readonly blockP99Millis: number[];
  };
  /** Records per run, target rate, slice, rounds, and which CPU clock was read. */
  readonly records: number;
  readonly ratePerSecond: number;
  readonly slice: number;
  readonly roundCount: number;
  readonly cpuClock: 'thread' | 'process';
  /** When the process that measured it started, and the machine's load average then. */
  readonly startedAt: string;
  readonly loadAverage: number;
}

/** Where and with what the numbers were measured. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly v8: string;
  /** 1-minute load average when the run started. */
  readonly loadAverage: number;
}

/** The output of one SDK line's run, written as JSON by `run-line` and read by the report. */
export interface LineReport {
  readonly schema: 1;
  readonly sdkLine: number;
  readonly smoke: boolean;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly sdkVersions: Readonly<Record<string, string>>;
  readonly reporterVersion: string;
  readonly mitataVersion: string;
  readonly comparisons: Comparison[];
  /** Our overflow policies against our own `drop_newest` (no built-in equivalent); see README.md. */
  readonly policies?: PolicyResult[];
  /** Whole pipelines to an OTLP/HTTP sink in another process; see README.md. */
  readonly e2e?: E2eResult[];
  /** Parts measured again later (`pnpm bench --parts`) and merged in, with when. */
  readonly reruns?: readonly {
    readonly parts: string;
    readonly startedAt: string;
    readonly loadAverage: number;
  }[];
}
