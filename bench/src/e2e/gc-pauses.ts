// GC pauses over a run, for the probes to take out of the stretches they time: whichever code
// allocated, a scavenge stops everything, and a pause is reported on its own.
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Watches GC pauses (`PerformanceObserver`, `gc` entries) from construction until `stop()`. */
export class GcPauses {
  readonly #observer: PerformanceObserver;
  readonly #spans: [number, number][] = [];

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const gc of list.getEntries())
        this.#spans.push([gc.startTime, gc.startTime + gc.duration]);
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /**
   * Stops watching and returns the pauses that started at `since` or later, as sorted, flat
   * `start, end` pairs (`performance.now()` milliseconds). A GC before the run (the forced one
   * between runs) may be delivered late, hence `since`.
   */
  async stop(since: number): Promise<number[]> {
    // GC entries are delivered on a later turn of the event loop.
    await nextTurn();
    await nextTurn();
    for (const gc of this.#observer.takeRecords()) {
      this.#spans.push([gc.startTime, gc.startTime + gc.duration]);
    }
    this.#observer.disconnect();
    return this.#spans
      .filter(([start]) => start >= since)
      .sort((a, b) => a[0] - b[0])
      .flat();
  }
}

/** Milliseconds of `[start, end)` that the sorted, flat `start, end` pairs in `spans` cover. */
export function overlap(spans: readonly number[], start: number, end: number): number {
  let covered = 0;
  for (let i = 0; i < spans.length; i += 2) {
    const from = Math.max(start, spans[i] as number);
    if (from >= end) break;
    const to = Math.min(end, spans[i + 1] as number);
    if (to > from) covered += to - from;
  }
  return covered;
}

/** The longest of the pauses `stop()` returned, ms (0 for none). */
export function longestPause(spans: readonly number[]): number {
  let longest = 0;
  for (let i = 0; i < spans.length; i += 2) {
    longest = Math.max(longest, (spans[i + 1] as number) - (spans[i] as number));
  }
  return longest;
}
