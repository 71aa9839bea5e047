import { describeValue } from '../engine-options.js';
import type { DiagnosticLogger } from '../types.js';
import { silentLogger } from './silent-logger.js';

/**
 * Checks a `logger` option and wraps it so that a logger that throws is ignored: a diagnostic
 * must never break what it reports on (a drop warning runs on a microtask, where a throw would
 * crash the process). `undefined` gives the silent logger.
 */
export function safeLogger(logger: unknown): DiagnosticLogger {
  if (logger === undefined) return silentLogger;
  const candidate = logger as Partial<DiagnosticLogger> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.warn !== 'function' ||
    typeof candidate.debug !== 'function'
  ) {
    throw new TypeError(
      `logger must be an object with warn() and debug(), got ${describeValue(logger)}`,
    );
  }
  const checked = candidate as DiagnosticLogger;
  return Object.freeze({
    warn(message: string, ...args: unknown[]): void {
      try {
        checked.warn(message, ...args);
      } catch {
        // the counters in stats() stay exact whatever the logger does
      }
    },
    debug(message: string, ...args: unknown[]): void {
      try {
        checked.debug(message, ...args);
      } catch {
        // as above
      }
    },
  });
}
