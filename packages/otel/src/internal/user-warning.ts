import { diag } from '@opentelemetry/api';

// Warnings a user must see without configuring anything: with a diag logger registered they go
// to it (diag.warn), as every OpenTelemetry component reports; without one, diag would swallow
// them, so they go through Node's own warnings (process.emitWarning: printed once to stderr,
// silenced by --no-warnings or NODE_NO_WARNINGS=1, observable with process.on('warning')).

/** The stable `code` of every warning this package emits through `process.emitWarning`. */
export type UserWarningCode =
  | 'TELEMETRY_REPORTER_DROPPED'
  | 'TELEMETRY_REPORTER_EXIT_PENDING'
  | 'TELEMETRY_REPORTER_EXIT_DEADLINE';

/** The `type` (the name) of every warning this package emits through `process.emitWarning`. */
export const USER_WARNING_TYPE = 'TelemetryReporterWarning';

// Where @opentelemetry/api 1.x keeps its globals, diag's logger among them; an API of another
// major version would use another key, and then no logger is seen as registered.
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/** True when the app registered a diag logger (`diag.setLogger`), which then gets warnings. */
export function hasDiagLogger(): boolean {
  const globals = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[API_GLOBALS];
  return globals?.diag !== undefined;
}

/** True when Node's warnings are silenced for this process. */
export function warningsSilenced(): boolean {
  return (
    (process as { noProcessWarnings?: boolean }).noProcessWarnings === true ||
    process.execArgv.includes('--no-warnings') ||
    process.env.NODE_NO_WARNINGS === '1'
  );
}

/**
 * Warns the user: through diag when a logger is registered, otherwise through Node's warnings.
 * `sync` writes Node's warning format to stderr at once, for the `exit` event, where a warning
 * emitted on the next tick would never print. Never throws.
 */
export function warnUser(code: UserWarningCode, message: string, sync = false): void {
  try {
    if (hasDiagLogger()) {
      diag.warn(message);
      return;
    }
    if (warningsSilenced()) return;
    if (sync) writeStderr(`(node:${process.pid}) [${code}] ${USER_WARNING_TYPE}: ${message}\n`);
    else process.emitWarning(message, { type: USER_WARNING_TYPE, code });
  } catch {
    // a warning must never break what it reports on
  }
}

/**
 * Writes to stderr unless it is gone (a closed pipe, `node app | head -1`): a write there would
 * fail asynchronously, and a process reporting that failure would write again, for ever.
 */
export function writeStderr(text: string): void {
  const stderr = process.stderr;
  if (stderr.destroyed || !stderr.writable) return;
  try {
    stderr.write(text);
  } catch {
    // closed between the check and the write
  }
}
