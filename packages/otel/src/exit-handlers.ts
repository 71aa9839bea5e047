import { constants } from 'node:os';
import { describeValue, MAX_TIMER_MILLIS, millisOption } from '@telemetry-reporter/core';
import { positiveInteger } from './env-config.js';
import { diagLogger } from './internal/diag-logger.js';
import { pendingRecords } from './internal/live-processors.js';

const DEADLINE_GRACE_MILLIS = 250;

/**
 * A `LoggerProvider`, a `TracerProvider`, a `NodeSDK`, or anything else that shuts down (and
 * flushes, if it can: without `forceFlush`, `beforeExit` skips it).
 */
export interface FlushableProvider {
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Options of {@link installExitHandlers}. */
export interface ExitHandlerOptions {
  /**
   * How long the shutdown on a signal or a fatal exception may take, in milliseconds; the
   * process then goes on exiting whatever is left. An integer between 0 and 2147483647.
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
 * pending. Returns a function that removes every handler.
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
      ? (positiveInteger(process.env, 'TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT', MAX_TIMER_MILLIS) ??
          30_000)
      : options.shutdownTimeoutMillis,
    0,
  );
  const signals = signalsOption(options.signals);
  const flushBeforeExit = booleanOption('beforeExit', options.beforeExit);
  const handleFatal = booleanOption('fatal', options.fatal);
  let shutdown: Promise<void> | undefined;
  let beforeExitFlushes = 0;

  const shutdownAll = (): Promise<void> => {
    shutdown ??= withDeadline(
      Promise.all(providers.map((p) => settle(() => p.shutdown()))).then(() => {}),
      // A little past the processors' own deadline, so that they count and report what they
      // give up before the process goes; never past what a timer can wait (it would fire at once).
      Math.min(timeout + DEADLINE_GRACE_MILLIS, MAX_TIMER_MILLIS),
    );
    return shutdown;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shutdown !== undefined) {
      // A second signal while shutting down: stop waiting, end now.
      uninstall();
      process.kill(process.pid, signal);
      return;
    }
    const appHandlesIt = process.listenerCount(signal) > 1;
    void shutdownAll().then(() => {
      if (appHandlesIt) return;
      uninstall();
      process.kill(process.pid, signal); // no handler left: Node's default action
    });
  };

  const onBeforeExit = (): void => {
    if (shutdown !== undefined) return;
    // The first time, flush every provider; after that only while reporter processors still
    // hold records, or flushing (which itself schedules work) would wake the loop forever.
    if (beforeExitFlushes++ > 0 && pendingRecords() === 0) return;
    void withDeadline(
      Promise.all(providers.map((p) => settle(() => p.forceFlush?.()))).then(() => {}),
      timeout,
    );
  };

  const onFatal = (error: unknown, origin: string): void => {
    if (process.listenerCount('uncaughtException') > 1) return; // the app decides
    process.stderr.write(`${describeFatal(error, origin)}\n\nNode.js ${process.version}\n`);
    process.exitCode = 1;
    void shutdownAll().finally(() => process.exit(1));
  };

  const onExit = (): void => {
    const pending = pendingRecords();
    if (pending > 0 && shutdown === undefined) {
      diagLogger.warn(
        `process exiting with ${pending} telemetry records still pending: process.exit() cannot wait for delivery; await provider.shutdown() before calling it`,
      );
    }
  };

  const signalHandlers = signals.map((signal) => {
    const handler = (): void => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  if (flushBeforeExit) process.on('beforeExit', onBeforeExit);
  if (handleFatal) process.on('uncaughtException', onFatal);
  process.on('exit', onExit);

  function uninstall(): void {
    for (const [signal, handler] of signalHandlers) process.off(signal, handler);
    process.off('beforeExit', onBeforeExit);
    process.off('uncaughtException', onFatal);
    process.off('exit', onExit);
  }
  return uninstall;
}

function reportFailure(error: unknown): void {
  diagLogger.warn('provider shutdown or flush failed during exit', error);
}

/** Calls a provider's method; a throw, a rejection or a result that is no promise never escapes. */
function settle(call: () => Promise<void> | undefined): Promise<void> {
  try {
    return Promise.resolve(call()).then(() => {}, reportFailure);
  } catch (error) {
    reportFailure(error);
    return Promise.resolve();
  }
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
  return value as NodeJS.Signals[];
}

function booleanOption(name: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${describeValue(value)}`);
  }
  return value;
}

/** Resolves when `work` settles or when `millis` pass; the timer holds the process open. */
function withDeadline(work: Promise<void>, millis: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      diagLogger.warn(`telemetry shutdown did not finish within ${millis} ms; exiting anyway`);
      resolve();
    }, millis);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function describeFatal(error: unknown, origin: string): string {
  let text: string;
  try {
    text =
      error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  } catch {
    text = 'an error that cannot be printed';
  }
  return origin === 'unhandledRejection' ? `Uncaught (in promise) ${text}` : text;
}
