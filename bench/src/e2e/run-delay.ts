// How long the calling thread has waited for a CPU while runnable, from Linux's scheduler
// statistics. A wall-clock block measured on a busy machine includes the time the OS ran another
// process instead; this is that time, to take out. Neither process.cpuUsage() (every thread of
// the process: V8's GC and compiler threads run during a block too) nor
// process.threadCpuUsage() (counted in scheduler ticks, milliseconds apart) can stand in for it.
import { closeSync, openSync, readSync } from 'node:fs';

/** `/proc/thread-self/schedstat`: time on CPU, time waiting on a run queue (ns), timeslices. */
const SCHEDSTAT = '/proc/thread-self/schedstat';

/** Reads the calling thread's run-queue wait; undefined where the OS does not report it. */
export interface RunDelayClock {
  /** Milliseconds the thread has waited for a CPU while runnable, since it started. */
  read(): number;
  close(): void;
}

/** Opens the main thread's clock (sync reads run on the calling thread); undefined off Linux. */
export function openRunDelayClock(): RunDelayClock | undefined {
  let fd: number;
  try {
    fd = openSync(SCHEDSTAT, 'r');
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(128);
  const read = (): number => {
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString('latin1', 0, n);
    const start = text.indexOf(' ') + 1;
    const end = text.indexOf(' ', start);
    return Number(text.slice(start, end)) / 1e6;
  };
  if (!Number.isFinite(read())) {
    closeSync(fd);
    return undefined;
  }
  return { read, close: () => closeSync(fd) };
}
