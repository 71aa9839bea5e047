import { expect } from 'vitest';
import type { ReporterStats } from '../../src/index.js';

/** Sum of every drop reason. */
export function totalDropped(stats: ReporterStats): number {
  return Object.values(stats.dropped).reduce((a, b) => a + b, 0);
}

/** Asserts the accounting identity of DESIGN.md and returns the stats for chaining. */
export function expectInvariant(stats: ReporterStats): ReporterStats {
  expect(stats.received).toBe(stats.exported + totalDropped(stats) + stats.queued + stats.inFlight);
  return stats;
}
