// The tasks of a paced run: each macrotask the event loop ran (a timer, an immediate, an I/O
// callback) together with the microtasks and next-ticks that ran after it, before the loop could
// move on. A task is what a block is: nothing else, no I/O callback and no timer, runs until it
// ends. The block probe measures the stretches between the workload's slices instead, which sum
// every task run between two slices; this probe tells them apart, so that work cut into turns
// of the event loop shows as what it is.
//
// It uses async_hooks, whose promise hooks cost CPU: the end-to-end benchmark runs it in runs of
// its own, never in the runs whose CPU time it reports. It has no `init` hook: with one, every
// promise created paid a hook call (most of the probe's cost, lengthening a task of 40 awaits by
// a third), and the ids it kept to tell promises from macrotasks piled up for the whole run.
import { type AsyncHook, createHook, executionAsyncResource } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';
import { GcPauses, overlap } from './gc-pauses.js';
import { openRunDelayClock, type RunDelayClock } from './run-delay.js';

/** The run-queue wait is read at most this often within a task, in ms (a read costs µs). */
const WAIT_READ_INTERVAL_MILLIS = 0.1;

/**
 * A task longer than this, ms, counts in {@link TaskProbeResult.longTasksPerThousand}: the
 * issue's bound at batch 512. A run's p99.9 is its third-longest task or so, set by a handful
 * of stragglers; the count says how often a pipeline passes the bound.
 */
export const LONG_TASK_MILLIS = 0.3;

/** Promise reactions per calibration loop; the loop is timed with and without the hook. */
const CALIBRATION_AWAITS = 20_000;

/** What the probe found over a run, in milliseconds. */
export interface TaskProbeResult {
  /**
   * The longest task, less the workload's own emit calls in it (but for the long ones, which
   * may hold an export), less the longer of the GC
   * pauses and the time the main thread waited for a CPU during it, less the probe's own hook
   * calls in it (at {@link TaskProbeResult.hookCallMicros} each).
   */
  readonly longestTaskMillis: number;
  /** The 99.9th percentile of the run's tasks, measured the same way. */
  readonly taskP999Millis: number;
  /** Tasks the run had. */
  readonly tasks: number;
  /** Tasks longer than {@link LONG_TASK_MILLIS}, measured the same way, per 1,000 tasks. */
  readonly longTasksPerThousand: number;
  /**
   * What one call of the probe's hooks costs, µs, measured after the run: a loop of awaits
   * timed with the hooks and without. Hot in that loop, a call costs less than in a task: what
   * is taken out never makes a task look shorter than it was.
   */
  readonly hookCallMicros: number;
}

/** Times every task from construction until {@link TaskProbe.finish}. */
export class TaskProbe {
  readonly #hook: AsyncHook;
  readonly #clock: RunDelayClock | undefined;
  readonly #gcPauses = new GcPauses();
  /** Finished tasks, flat: start, end, run-queue wait during it, hook calls during it. */
  readonly #tasks: number[] = [];
  /** Hook calls since the current task started. */
  #calls = 0;
  /** The workload's emit loops, flat: start, end. */
  readonly #emits: number[] = [];
  /** The emit calls among them long enough to hold an export (the built-in's), flat. */
  readonly #longEmits: number[] = [];
  /** Nesting of macrotask callbacks: a task starts only at depth 0. */
  #depth = 0;
  #start = Number.NaN;
  #lastAfter = 0;
  #waitAtStart = 0;
  #lastWait = 0;
  #lastWaitReadAt = 0;

  constructor() {
    this.#clock = openRunDelayClock();
    this.#hook = createHook({
      before: () => {
        this.#calls++;
        if (runsInsideTask(executionAsyncResource()) || this.#depth++ > 0) return;
        this.#endTask();
        const now = performance.now();
        this.#start = now;
        this.#lastAfter = now;
        this.#calls = 1;
        this.#waitAtStart = this.#readWait(now);
      },
      after: () => {
        this.#calls++;
        const now = performance.now();
        this.#lastAfter = now;
        if (now - this.#lastWaitReadAt >= WAIT_READ_INTERVAL_MILLIS) this.#readWait(now);
        if (!runsInsideTask(executionAsyncResource()) && this.#depth > 0) this.#depth--;
      },
    });
    this.#hook.enable();
  }

  /** The workload emitted from `start` to `end` (`performance.now()`): not the export's time. */
  emitted(start: number, end: number): void {
    this.#emits.push(start, end);
  }

  /**
   * One emit call of the loop above took from `start` to `end`, long enough to hold more than
   * emitting: the built-in processors export inside the call that fills a batch. It stays in its
   * task's time.
   */
  longEmit(start: number, end: number): void {
    this.#longEmits.push(start, end);
  }

  /** Stops timing; GC pauses come in now, and are taken out of the tasks. */
  async finish(): Promise<TaskProbeResult> {
    this.#endTask();
    const hookCallMicros = await this.#calibrate();
    this.#hook.disable();
    this.#clock?.close();
    const gcs = await this.#gcPauses.stop(Number.NEGATIVE_INFINITY);
    const tasks = this.#tasks;
    const lengths = new Float64Array(tasks.length / 4);
    for (let i = 0; i < tasks.length; i += 4) {
      const start = tasks[i] as number;
      const end = tasks[i + 1] as number;
      // The longer of the two, not their sum: a GC pause's wall time may include some of the
      // wait. What is left never undercounts the task.
      const outside = Math.max(tasks[i + 2] as number, overlap(gcs, start, end));
      const probe = ((tasks[i + 3] as number) * hookCallMicros) / 1000;
      const emitting = overlap(this.#emits, start, end) - overlap(this.#longEmits, start, end);
      const rest = end - start - outside - probe - emitting;
      lengths[i / 4] = Math.max(0, rest);
    }
    let long = 0;
    for (const length of lengths) if (length > LONG_TASK_MILLIS) long++;
    lengths.sort();
    const at = (quantile: number) =>
      lengths[Math.min(lengths.length - 1, Math.floor(lengths.length * quantile))] ?? 0;
    return {
      longestTaskMillis: lengths[lengths.length - 1] ?? 0,
      taskP999Millis: at(0.999),
      tasks: lengths.length,
      longTasksPerThousand: lengths.length === 0 ? 0 : (long * 1000) / lengths.length,
      hookCallMicros,
    };
  }

  #endTask(): void {
    if (Number.isNaN(this.#start)) return;
    const wait = this.#lastWait - this.#waitAtStart;
    this.#tasks.push(this.#start, this.#lastAfter, wait, this.#calls);
    this.#start = Number.NaN;
  }

  /**
   * µs per hook call: a loop of awaits (each a before and an after of a promise)
   * timed with the hook enabled and disabled, the fastest of three each.
   */
  async #calibrate(): Promise<number> {
    const tasks = this.#tasks.length;
    const loop = async (): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < CALIBRATION_AWAITS; i++) await Promise.resolve();
      return performance.now() - start;
    };
    let hooked = Number.POSITIVE_INFINITY;
    let bare = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const callsBefore = this.#calls;
      const took = await loop();
      const calls = this.#calls - callsBefore;
      if (calls > 0) hooked = Math.min(hooked, took / calls);
      this.#hook.disable();
      bare = Math.min(bare, (await loop()) / (calls > 0 ? calls : 1));
      this.#hook.enable();
    }
    // Tasks run while calibrating count as none of the run's.
    this.#tasks.length = tasks;
    this.#start = Number.NaN;
    return Number.isFinite(hooked) ? Math.max(0, (hooked - bare) * 1000) : 0;
  }

  /** Reads the run-queue wait so far (0 off Linux) and keeps it as the latest reading. */
  #readWait(now: number): number {
    this.#lastWaitReadAt = now;
    this.#lastWait = this.#clock?.read() ?? 0;
    return this.#lastWait;
  }
}

/**
 * Whether the resource whose callback is about to run (or just ran) belongs to the task that is
 * running: a promise reaction, a next-tick or a `queueMicrotask` callback, which run after a
 * macrotask's callback before the loop moves on. Node's resources of those are a promise (also
 * Node's internal promises, which are no `instanceof Promise`), and an object carrying the
 * `callback` to run. Node's request wraps (a socket write, a shutdown, a DNS lookup) carry a
 * `callback` too, but complete later as macrotasks of their own: they have an `oncomplete`.
 */
function runsInsideTask(resource: object): boolean {
  if (types.isPromise(resource)) return true;
  const { callback, oncomplete } = resource as { callback?: unknown; oncomplete?: unknown };
  return typeof callback === 'function' && typeof oncomplete !== 'function';
}
