import { SEVERITY_RANGES, type SeverityRange, severityRangeOf } from '../stats/severity-range.js';

/**
 * Folds counts by severity class (index 0: none, 1-24: OpenTelemetry severity numbers) into the
 * ranges `stats()` reports. The engine counts by class so that its drop path is one typed-array
 * increment; the fold runs only when stats are read.
 */
export function foldBySeverityRange(bySeverity: Float64Array): Record<SeverityRange, number> {
  const ranges = Object.fromEntries(SEVERITY_RANGES.map((r) => [r, 0])) as Record<
    SeverityRange,
    number
  >;
  bySeverity.forEach((count, severity) => {
    ranges[severityRangeOf(severity)] += count;
  });
  return ranges;
}
