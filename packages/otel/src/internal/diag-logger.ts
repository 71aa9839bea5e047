import { diag } from '@opentelemetry/api';
import type { DiagnosticLogger } from '@telemetry-reporter/core';

/**
 * Routes the engine's diagnostics to OpenTelemetry's `diag`, looked up at each call. A diag
 * logger that throws (`diag.setLogger` is the app's to configure) is ignored: a drop warning runs
 * on a microtask or a timer, where a throw would crash the process.
 */
export const diagLogger: DiagnosticLogger = Object.freeze({
  warn: (message: string, ...args: unknown[]): void => {
    try {
      diag.warn(message, ...args);
    } catch {
      // diagnostics are best effort; stats() stays exact
    }
  },
  debug: (message: string, ...args: unknown[]): void => {
    try {
      diag.debug(message, ...args);
    } catch {
      // as above
    }
  },
});
