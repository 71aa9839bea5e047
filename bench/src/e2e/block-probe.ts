// The longest synchronous block of a paced run, measured from the workload's own slices: the
// emit calls inside them, and the busy stretches between them. See pacedRun() and README.md.
import { performance } from 'node:perf_hooks';
import { GcPauses, longestPause, overlap } from './gc-pauses.js';
import { openRunDelayClock, type RunDelayClock } from './run-delay.js';

/** Emit calls and gaps shorter than this are not kept: an emit takes microseconds. */
const KEEP_MILLIS = 0.05;

/** What the probe found over a run, in milliseconds. */
export interface BlockProbeResult {
  /** The longer of the two below. */
  readonly longestBlockMillis: number;
  /**
   * The 99th percentile over the run's turns (a slice and the stretch before it) of each turn's
   * longest block: what the blocks of most batches come to, robust to a few stray ones.
   */
  readonly blockP99Millis: number;
  /** The longest emit call, GC pauses inside it taken out. */
  readonly longestEmitMillis: number;
  /** The longest busy stretch between two slices, GC pauses inside it taken out. */
  readonly longestStallMillis: number;
  /** The longest GC pause (`PerformanceObserver`, `gc` entries), wall clock. */
  readonly longestGcMillis: number;
  /** How long the main thread waited for a CPU while runnable; undefined off Linux. */
  readonly cpuWaitMillis: number | undefined;
}

/**
 * Finds the longest block from wall-clock stretches the workload brackets. A stretch's wall time
 * includes the loop's idle time (between slices), the main thread's wait for a CPU while the OS
 * ran another process (`/proc/thread-self/schedstat`), and GC pauses: all three are taken out,
 * and GC pauses are reported on their own.
 */
export class BlockProbe {
  readonly #clock: RunDelayClock | undefined;
  readonly #waited: () => number;
  readonly #gcPauses = new GcPauses();
  /** Kept gaps, flat: start, end, busy (wall minus idle minus CPU wait), idle, turn. */
  readonly #gaps: number[] = [];
  /** Kept emit calls, flat: start, end, their slice's time on CPU, turn. */
  readonly #emits: number[] = [];
  /** Slices begun so far: the turn a kept stretch belongs to. */
  #turns = 0;
  readonly #waitStart: number;
  readonly #start: number;
  #lastEnd: number;
  #lastWait: number;
  #lastIdle: number;
  #sliceStart = 0;
  #sliceWait = 0;
  #sliceEmits = 0;

  /** Starts watching at `now` (`performance.now()`). */
  constructor(now: number) {
    this.#clock = openRunDelayClock();
    const clock = this.#clock;
    this.#waited = clock === undefined ? () => 0 : () => clock.read();
    this.#waitStart = this.#waited();
    this.#lastWait = this.#waitStart;
    this.#start = now;
    this.#lastEnd = now;
    this.#lastIdle = performance.eventLoopUtilization().idle;
  }

  /** First thing in a slice, at `now`: measures the stretch since the previous slice ended. */
  beginSlice(now: number): void {
    const wait = this.#waited();
    const idle = performance.eventLoopUtilization().idle;
    const idleMillis = idle - this.#lastIdle;
    const busy = now - this.#lastEnd - idleMillis - (wait - this.#lastWait);
    if (busy > KEEP_MILLIS) this.#gaps.push(this.#lastEnd, now, busy, idleMillis, this.#turns);
    this.#turns++;
    this.#lastIdle = idle;
    this.#sliceStart = now;
    this.#sliceWait = wait;
    this.#sliceEmits = this.#emits.length;
  }

  /** An emit call of the current slice from `start` to `end`; the caller filters short ones. */
  emitCall(start: number, end: number): void {
    this.#emits.push(start, end, Number.NaN, this.#turns - 1);
  }

  /** Last thing in a slice, at `now`. */
  endSlice(now: number): void {
    const wait = this.#waited();
    const onCpu = now - this.#sliceStart - (wait - this.#sliceWait);
    for (let i = this.#sliceEmits; i < this.#emits.length; i += 4) this.#emits[i + 2] = onCpu;
    this.#lastEnd = now;
    this.#lastWait = wait;
  }

  /** Stops watching; GC pauses come in now, and are taken out of the kept stretches. */
  async finish(): Promise<BlockProbeResult> {
    const cpuWaitMillis = this.#clock === undefined ? undefined : this.#waited() - this.#waitStart;
    this.#clock?.close();
    const gcs = await this.#gcPauses.stop(this.#start);
    const perTurn = new Float64Array(this.#turns);
    const inTurn = (turn: number, millis: number) => {
      if (millis > (perTurn[turn] ?? 0)) perTurn[turn] = millis;
    };
    let longestStall = 0;
    const gaps = this.#gaps;
    for (let i = 0; i < gaps.length; i += 5) {
      const start = gaps[i] as number;
      const end = gaps[i + 1] as number;
      // Without the GC pauses, whose wall time may include some of the CPU wait taken out of
      // `busy`: the smaller of the two never undercounts the rest.
      const rest = Math.min(
        gaps[i + 2] as number,
        end - start - (gaps[i + 3] as number) - overlap(gcs, start, end),
      );
      if (rest > longestStall) longestStall = rest;
      inTurn(gaps[i + 4] as number, rest);
    }
    let longestEmit = 0;
    const emits = this.#emits;
    for (let i = 0; i < emits.length; i += 4) {
      const start = emits[i] as number;
      const end = emits[i + 1] as number;
      const rest = Math.min(emits[i + 2] as number, end - start - overlap(gcs, start, end));
      if (rest > longestEmit) longestEmit = rest;
      inTurn(emits[i + 3] as number, rest);
    }
    perTurn.sort();
    return {
      longestBlockMillis: Math.max(longestEmit, longestStall),
      blockP99Millis: perTurn[Math.min(perTurn.length - 1, Math.floor(perTurn.length * 0.99))] ?? 0,
      longestEmitMillis: longestEmit,
      longestStallMillis: longestStall,
      longestGcMillis: longestPause(gcs),
      cpuWaitMillis,
    };
  }
}

/** Emit calls at least this long are handed to {@link BlockProbe.emitCall}. */
export const LONG_EMIT_MILLIS = KEEP_MILLIS;
