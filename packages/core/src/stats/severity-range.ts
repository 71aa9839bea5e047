/** OpenTelemetry's severity ranges (severity numbers 1-4, 5-8, ..., 21-24), and no severity. */
export type SeverityRange = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unspecified';

/** Every {@link SeverityRange}, lowest first (the order of `stats().droppedBySeverity`). */
export const SEVERITY_RANGES: readonly SeverityRange[] = Object.freeze([
  'unspecified',
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
] as const);

/** The range of an OpenTelemetry severity number; anything outside 1-24 is `unspecified`. */
export function severityRangeOf(severityNumber: number): SeverityRange {
  if (!(severityNumber >= 1 && severityNumber <= 24)) return 'unspecified';
  return SEVERITY_RANGES[Math.ceil(severityNumber / 4)] as SeverityRange;
}
