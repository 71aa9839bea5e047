import { describeValue } from './option-checks.js';

/**
 * A sink for the engine's own diagnostics. `@telemetry-reporter/otel` passes OpenTelemetry's
 * `diag`; the default discards everything.
 */
export interface DiagnosticLogger {
  /** Something lost or degraded (drops, failed exports). */
  warn(message: string, ...args: unknown[]): void;
  /** Something worth knowing when debugging (a retry, an abort). */
  debug(message: string, ...args: unknown[]): void;
}

const ignore = (): void => {};

/** The default diagnostic sink: discards everything. */
export const silentLogger: DiagnosticLogger = Object.freeze({ warn: ignore, debug: ignore });

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

/** `logger` with every message prefixed by `${prefix}: `, so each line names its component. */
export function prefixedLogger(logger: DiagnosticLogger, prefix: string): DiagnosticLogger {
  return Object.freeze({
    warn: (message: string, ...args: unknown[]): void =>
      logger.warn(`${prefix}: ${message}`, ...args),
    debug: (message: string, ...args: unknown[]): void =>
      logger.debug(`${prefix}: ${message}`, ...args),
  });
}
