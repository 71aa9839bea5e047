import { constants } from 'node:os';
import { BATCH_DEFAULTS } from '@telemetry-reporter/core';
import { booleanOption, describeValue, millisOption } from '@telemetry-reporter/core/internal';
import { shutdownTimeoutFromEnv } from '../environment/env-config.js';
import { pendingRecords, shutdownProcessors } from '../processors/processor-registry.js';
import { addInstallation, type FlushableProvider } from './exit-coordinator.js';

export type { FlushableProvider } from './exit-coordinator.js';

/** Options of {@link installExitHandlers}. */
export interface ExitHandlerOptions {
  /**
   * How long the handlers wait for the providers' shutdown on a signal or a fatal exception (and
   * for their flush on `beforeExit`), in milliseconds; the process then goes on exiting whatever
   * is left. It bounds the wait only: the processors keep their own deadlines (their
   * `shutdownTimeoutMillis`, which `TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT` also sets). When
   * several installations are active, the largest of their timeouts applies. An integer between
   * 0 and 2147483647.
   * @default `TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT`, else 30000
   */
  shutdownTimeoutMillis?: number;
  /**
   * Signals on which to shut the providers down. When the app has no handler of its own for the
   * signal, the signal is raised again afterwards, so the process ends exactly as Node would
   * have ended it (killed by the signal; a shell reports 128 + its number). Names this platform
   * knows (`os.constants.signals`), except `SIGKILL` and `SIGSTOP`, which no process can handle.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[];
  /**
   * Flush when the event loop empties (`beforeExit`): a script that simply ends still delivers.
   * A boolean.
   * @default true
   */
  beforeExit?: boolean;
  /**
   * On an uncaught exception (or unhandled rejection) that the app does not handle itself:
   * print it as Node does, shut the providers down within the timeout, then exit with code 1.
   * A boolean.
   * @default true
   */
  fatal?: boolean;
}

/** Removes the handlers {@link installExitHandlers} installed. */
export type UninstallExitHandlers = () => void;

/**
 * Flushes and shuts the providers down when the process is asked to end, so that nothing queued
 * is lost at deploy time: on SIGTERM / SIGINT, on `beforeExit`, and on a fatal exception.
 * `process.exit()` cannot wait for I/O: on `exit` the handlers only report what was still
 * pending. Installing more than once (`register` and this call, or two copies of the package) is
 * safe: one process-wide coordinator listens, and a signal or a fatal exception shuts down the
 * providers of every installation. Returns a function that removes this installation (and the
 * process listeners, with the last one).
 */
export function installExitHandlers(
  providers: readonly FlushableProvider[],
  options: ExitHandlerOptions = {},
): UninstallExitHandlers {
  if (!Array.isArray(providers)) {
    throw new TypeError(`providers must be an array, got ${describeValue(providers)}`);
  }
  // Checked now: a provider that cannot shut down would otherwise throw inside a signal handler.
  providers.forEach((provider: Partial<FlushableProvider> | null | undefined, index) => {
    const flush = provider?.forceFlush;
    if (
      typeof provider?.shutdown !== 'function' ||
      (flush !== undefined && typeof flush !== 'function')
    ) {
      throw new TypeError(
        `providers[${index}] must have shutdown() (and forceFlush(), if any), got ${describeValue(provider)}`,
      );
    }
  });
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `installExitHandlers options must be an object, got ${describeValue(options)}`,
    );
  }
  // Only a missing value takes the default: `null` is a mistake, reported as one.
  const timeout = millisOption(
    'shutdownTimeoutMillis',
    options.shutdownTimeoutMillis === undefined
      ? (shutdownTimeoutFromEnv() ?? BATCH_DEFAULTS.shutdownTimeoutMillis)
      : options.shutdownTimeoutMillis,
    0,
  );
  return addInstallation({
    providers: [...providers],
    shutdownTimeoutMillis: timeout,
    signals: signalsOption(options.signals),
    beforeExit: booleanOption('beforeExit', options.beforeExit, true),
    fatal: booleanOption('fatal', options.fatal, true),
    pendingRecords,
    shutdownProcessors,
  });
}

// No process can handle these: `process.on()` throws for them.
const UNCATCHABLE: ReadonlySet<string> = new Set(['SIGKILL', 'SIGSTOP']);

function signalsOption(value: unknown): readonly NodeJS.Signals[] {
  if (value === undefined) return ['SIGTERM', 'SIGINT'];
  if (!Array.isArray(value)) {
    throw new TypeError(`signals must be an array of signal names, got ${describeValue(value)}`);
  }
  value.forEach((signal: unknown, index) => {
    if (
      typeof signal !== 'string' ||
      !Object.hasOwn(constants.signals, signal) ||
      UNCATCHABLE.has(signal)
    ) {
      throw new TypeError(
        `signals[${index}] must name a signal a process can handle, such as 'SIGTERM', got ${describeValue(signal)}`,
      );
    }
  });
  return [...value] as NodeJS.Signals[];
}
