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
  /** Parts measured again later (`pnpm bench --parts`) and merged in, with when. */
  readonly reruns?: readonly {
    readonly parts: string;
    readonly startedAt: string;
    readonly loadAverage: number;
  }[];
}
