import { type ReporterStats, totalDropped, unaccountedRecords } from '@telemetry-reporter/core';
import { expect } from 'vitest';

export { totalDropped };

/** Asserts the accounting identity of DESIGN.md and returns the stats for chaining. */
export function expectInvariant(stats: ReporterStats): ReporterStats {
  expect(unaccountedRecords(stats), JSON.stringify(stats)).toBe(0);
  return stats;
}
