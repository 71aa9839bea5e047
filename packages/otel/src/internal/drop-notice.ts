import type { DropReason } from '@telemetry-reporter/core';
import { diagLogger } from './diag-logger.js';
import { hasDiagLogger, warnUser } from './user-warning.js';

/** Reasons already shown through Node's warnings, process-wide: once each. */
const shownReasons = new Set<DropReason>();

/**
 * Where a processor's drop warnings go. With a diag logger registered: `diag.warn`, rate-limited
 * by the engine as always. Without one, diag would swallow them and drops would be silent: the
 * first drop of each reason in the process goes to Node's warnings instead (code
 * TELEMETRY_REPORTER_DROPPED; `--no-warnings` or `dropWarningIntervalMillis: 0` silence it).
 * The returned function never throws.
 */
export function dropReporter(
  name: string,
): (message: string, counts: Partial<Record<DropReason, number>>) => void {
  return (message, counts) => {
    if (hasDiagLogger()) {
      diagLogger.warn(message);
      return;
    }
    const fresh = (Object.keys(counts) as DropReason[]).filter((r) => !shownReasons.has(r));
    if (fresh.length === 0) return;
    for (const reason of fresh) shownReasons.add(reason);
    const parts = fresh.map((reason) => `${reason}: ${counts[reason]}`).join(', ');
    warnUser(
      'TELEMETRY_REPORTER_DROPPED',
      `${name}: dropped records (${parts}); totals in stats(). Shown once per reason while no diag logger is registered (diag.setLogger shows every warning); docs/troubleshooting.md explains each reason.`,
    );
  };
}
