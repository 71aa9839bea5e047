import type { ReporterStats } from '@telemetry-reporter/core';

/** What the exit handlers need to know about a processor. */
export interface PendingSource {
  stats(): ReporterStats;
}

// Every reporter processor of this process, held weakly: the exit handlers ask them whether
// anything is still pending, without keeping a discarded processor alive.
const live = new Set<WeakRef<PendingSource>>();

/** Registers a processor; called from the processors' constructors. */
export function trackProcessor(processor: PendingSource): void {
  live.add(new WeakRef(processor));
}

/** Records queued or in flight in every live reporter processor of this process. */
export function pendingRecords(): number {
  let pending = 0;
  for (const ref of live) {
    const processor = ref.deref();
    if (processor === undefined) {
      live.delete(ref);
      continue;
    }
    const { queued, inFlight } = processor.stats();
    pending += queued + inFlight;
  }
  return pending;
}
