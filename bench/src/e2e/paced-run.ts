// One run of the end-to-end workload: records emitted at a steady rate in short slices, as a
// service's requests would emit them, while the main thread's CPU time, the event-loop delay,
// the event-loop utilization and the longest synchronous block are measured, until everything
// emitted is flushed.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { BlockProbe, type BlockProbeResult, LONG_EMIT_MILLIS } from './block-probe.js';
import { TaskProbe, type TaskProbeResult } from './task-probe.js';

/** The finest sampling interval `monitorEventLoopDelay` takes, ms; each sample includes it. */
export const ELD_RESOLUTION_MILLIS = 1;

/** The most lag the emitter catches up on; beyond it, the schedule moves. */
export const MAX_CATCH_UP_MILLIS = 10;

type CpuUsageFunction = () => NodeJS.CpuUsage;
/** `process.threadCpuUsage` (Node >= 22.19 and 23.9): the calling thread's CPU time only. */
const threadCpuUsage = (process as { threadCpuUsage?: CpuUsageFunction }).threadCpuUsage;

/**
 * Which CPU clock the runs read: `thread`, the main thread alone; `process`, every thread of the
 * process (V8's GC and compiler threads, libuv's pool), where `process.threadCpuUsage` is missing.
 */
export const CPU_CLOCK: 'thread' | 'process' =
  typeof threadCpuUsage === 'function' ? 'thread' : 'process';

/** How the output names {@link CPU_CLOCK}. */
export const CPU_CLOCK_LABEL =
  CPU_CLOCK === 'thread'
    ? 'main thread (process.threadCpuUsage)'
    : `whole process (process.cpuUsage: Node ${process.version} has no process.threadCpuUsage, so V8's GC and compiler threads count too)`;

/** CPU time of {@link CPU_CLOCK} so far, in microseconds. */
export function cpuMicros(): number {
  const usage = threadCpuUsage === undefined ? process.cpuUsage() : threadCpuUsage.call(process);
  return usage.user + usage.system;
}

/** How a run emits. */
export interface PacedRunOptions {
  /** Records to emit. */
  readonly records: number;
  /** Records emitted back to back in one turn of the event loop. */
  readonly slice: number;
  /**
   * Records per second: a slice is due every `slice / rate` seconds; late slices run at once, a
   * turn of the event loop apart, for at most {@link MAX_CATCH_UP_MILLIS} of lag. The rate is a
   * ceiling: a pipeline that cannot keep up runs a slice per turn of the event loop.
   */
  readonly ratePerSecond: number;
  /**
   * Times every task with a {@link TaskProbe}. Its hooks cost CPU: the CPU time of such a run is
   * not comparable with the others'.
   */
  readonly probeTasks?: boolean;
}

/** What one run measured. */
export interface PacedRunResult extends BlockProbeResult {
  readonly records: number;
  /** CPU time of {@link CPU_CLOCK} from the first emit until the flush resolved, µs. */
  readonly cpuMicros: number;
  readonly wallMillis: number;
  /** Event-loop delay beyond the sampling interval, ms. */
  readonly eldP99Millis: number;
  readonly eldMaxMillis: number;
  /** `performance.eventLoopUtilization()` over the run. */
  readonly utilization: number;
  /** What the task probe found, when the run had one. */
  readonly tasks?: TaskProbeResult;
}

/**
 * Emits `options.records` with `emitOne`, `options.slice` at a time at `options.ratePerSecond`,
 * then waits for `flush`. A {@link BlockProbe} finds the longest block: each emit call is timed
 * (one clock read per call, in every pipeline alike, the floor included), and each stretch
 * between two slices is measured: microtasks, I/O callbacks, timers run there. The slices go on,
 * empty, while the flush runs.
 */
export async function pacedRun(
  emitOne: () => void,
  flush: () => Promise<void>,
  options: PacedRunOptions,
): Promise<PacedRunResult> {
  const { records, slice, ratePerSecond } = options;
  const periodMillis = (slice / ratePerSecond) * 1000;
  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MILLIS });
  const eluStart = performance.eventLoopUtilization();
  const cpuStart = cpuMicros();
  const start = performance.now();
  const probe = new BlockProbe(start);
  const taskProbe = options.probeTasks === true ? new TaskProbe() : undefined;
  histogram.enable();

  let emitted = 0;
  let due = start;
  while (emitted < records) {
    let t = performance.now();
    const sliceStart = t;
    probe.beginSlice(t);
    const n = Math.min(slice, records - emitted);
    for (let i = 0; i < n; i++) {
      emitOne();
      const after = performance.now();
      if (after - t >= LONG_EMIT_MILLIS) {
        probe.emitCall(t, after);
        taskProbe?.longEmit(t, after);
      }
      t = after;
    }
    probe.endSlice(t);
    taskProbe?.emitted(sliceStart, t);
    emitted += n;
    // Timers fire late by up to a millisecond: the schedule catches up on that. A longer stall
    // (the OS ran another process) moves the schedule instead of bursting to catch up on it.
    const now = performance.now();
    due = Math.max(due + periodMillis, now - MAX_CATCH_UP_MILLIS);
    await (due > now ? sleep(due - now) : nextTurn());
  }

  const finish: { end?: { cpu: number; wall: number; utilization: number } } = {};
  const flushing = flush().then(() => {
    finish.end = {
      cpu: cpuMicros(),
      wall: performance.now(),
      utilization: performance.eventLoopUtilization(eluStart).utilization,
    };
    histogram.disable();
  });
  while (finish.end === undefined) {
    const now = performance.now();
    probe.beginSlice(now);
    probe.endSlice(now);
    await Promise.race([flushing, sleep(periodMillis)]);
  }
  const done = finish.end;
  const tasks = await taskProbe?.finish();
  const blocks = await probe.finish();
  const net = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MILLIS);
  return {
    ...blocks,
    records,
    cpuMicros: done.cpu - cpuStart,
    wallMillis: done.wall - start,
    eldP99Millis: net(histogram.percentile(99)),
    eldMaxMillis: net(histogram.max),
    utilization: done.utilization,
    ...(tasks === undefined ? {} : { tasks }),
  };
}
