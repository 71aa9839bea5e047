import { diag } from '@opentelemetry/api';
import type { DiagnosticLogger } from '@telemetry-reporter/core';

/** Routes the engine's diagnostics to OpenTelemetry's `diag`, looked up at each call. */
export const diagLogger: DiagnosticLogger = Object.freeze({
  warn: (message: string, ...args: unknown[]): void => diag.warn(message, ...args),
  debug: (message: string, ...args: unknown[]): void => diag.debug(message, ...args),
});
