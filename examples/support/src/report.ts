/** The counters of a processor's `stats()` that the examples print. */
export interface StatsLike {
  readonly received: number;
  readonly exported: number;
  readonly retries: number;
  readonly dropped: Readonly<Record<string, number>>;
}

/** `received 12, exported 12, retries 0, dropped: none`. */
export function formatStats(stats: StatsLike): string {
  const dropped = Object.entries(stats.dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return `received ${stats.received}, exported ${stats.exported}, retries ${stats.retries}, dropped: ${dropped || 'none'}`;
}

/** Prints one `ok` / `FAIL` line per check and sets the exit code; true when all passed. */
export function reportChecks(checks: Readonly<Record<string, boolean>>): boolean {
  for (const [check, ok] of Object.entries(checks)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}`);
  const passed = Object.values(checks).every(Boolean);
  process.exitCode = passed ? 0 : 1;
  return passed;
}
