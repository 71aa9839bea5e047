import { MAX_TIMER_MILLIS } from '@telemetry-reporter/core';
import { warnUser, writeStderr } from '../internal/user-warning.js';
import {
  describeFatal,
  type FlushableProvider,
  flushProviders,
  shutdownProviders,
  withDeadline,
} from './exit-work.js';

export type { FlushableProvider } from './exit-work.js';

// One coordinator per process, whatever the number of installations: `register` and the app's
// own installExitHandlers, configureFromEnvironment called twice, or two copies of this package
// in one node_modules tree. Were each installation to listen on its own, each would count the
// other's listener as "the app's own handler": neither would raise SIGTERM again nor report an
// uncaught exception, and the process would keep running. So the process listeners are
// installed once, and "ours" means the coordinator's. The state lives on globalThis under a
// registered symbol so that every copy of the package finds the same one: its shape is a
// protocol between versions, to extend only.
//
// The order at exit: first this package's processors are shut down (drained within the
// deadline), and only then the providers. While the processors drain, the SDK still hands them
// every record, and they count the late ones as already_shutdown; a provider shut down first
// would discard them without a trace. When the app handles the signal itself and keeps serving,
// the providers are flushed, not shut down: the app decides when it ends.

const STATE = Symbol.for('telemetry-reporter.exit-handlers');

/** A little past the processors' own deadline, so that they count and report what they give up. */
const DEADLINE_GRACE_MILLIS = 250;

/** How long the process may outlive a `beforeExit` deadline, for what this package aborted. */
export const EXIT_MARGIN_MILLIS = 1000;

/** What one `installExitHandlers` call registered, validated. */
export interface ExitInstallation {
  readonly providers: readonly FlushableProvider[];
  readonly shutdownTimeoutMillis: number;
  readonly signals: readonly NodeJS.Signals[];
  readonly beforeExit: boolean;
  readonly fatal: boolean;
  /** Records queued or in flight in the reporter processors of the installing copy. */
  readonly pendingRecords: () => number;
  /**
   * Shuts the reporter processors of the installing copy down within `timeoutMillis`. Absent
   * in copies older than this field: their processors are shut down with their providers.
   */
  readonly shutdownProcessors?: (timeoutMillis: number) => Promise<void>;
}

type Listener = (...args: unknown[]) => void;

// Node's typings list the process events one by one; as an emitter it takes any of them.
const events: NodeJS.EventEmitter = process;

interface CoordinatorState {
  readonly installations: Set<ExitInstallation>;
  /** The process listeners the coordinator installed, by event name: "ours". */
  readonly listeners: Map<string, Listener>;
  /** Installations flushed once on `beforeExit` already. */
  readonly flushed: WeakSet<ExitInstallation>;
  /** Set once a signal or a fatal exception started shutting everything down. */
  shutdown: Promise<void> | undefined;
  /** Set once a signal was raised again, so that it is raised once. */
  raised: boolean;
  /** Set once a fatal exception is being handled: a second one is not reported again. */
  fatal?: boolean;
  /** When the `beforeExit` flushes must be done by, set at the first `beforeExit`. */
  beforeExitDeadlineAt?: number;
  /** Set once the `beforeExit` deadline passed and the pending work was given up. */
  gaveUp?: boolean;
}

function coordinator(): CoordinatorState {
  const holder = globalThis as { [STATE]?: CoordinatorState };
  holder[STATE] ??= {
    installations: new Set(),
    listeners: new Map(),
    flushed: new WeakSet(),
    shutdown: undefined,
    raised: false,
  };
  return holder[STATE];
}

/** Registers an installation; returns the function that removes it (idempotent). */
export function addInstallation(installation: ExitInstallation): () => void {
  const state = coordinator();
  state.installations.add(installation);
  syncListeners(state);
  return () => {
    if (!state.installations.delete(installation)) return;
    // With the last installation gone, a later one starts afresh: a shutdown that ran while the
    // app kept the process alive (its own handler) must not pass for one already under way.
    if (state.installations.size === 0) state.shutdown = undefined;
    syncListeners(state);
  };
}

/** Installs the listeners the installations need and removes those no longer needed. */
function syncListeners(state: CoordinatorState): void {
  // Once a signal was raised again the process is ending: a listener added back now would
  // catch that signal and keep the process alive.
  if (state.raised) return;
  const wanted = new Set<string>();
  for (const installation of state.installations) {
    wanted.add('exit');
    for (const signal of installation.signals) wanted.add(signal);
    if (installation.beforeExit) wanted.add('beforeExit');
    if (installation.fatal) wanted.add('uncaughtException');
  }
  for (const [event, listener] of state.listeners) {
    if (wanted.has(event)) continue;
    events.off(event, listener);
    state.listeners.delete(event);
  }
  for (const event of wanted) {
    if (state.listeners.has(event)) continue;
    const listener = listenerFor(state, event);
    state.listeners.set(event, listener);
    // First in line for signals: an app handler added with `process.once` is still counted
    // when ours runs, so the app keeps the decision.
    if (event.startsWith('SIG')) events.prependListener(event, listener);
    else events.on(event, listener);
  }
}

function listenerFor(state: CoordinatorState, event: string): Listener {
  switch (event) {
    case 'exit':
      return () => onExit(state);
    case 'beforeExit':
      return () => onBeforeExit(state);
    case 'uncaughtException':
      return (error, origin) => onFatal(state, error, String(origin));
    default:
      return () => onSignal(state, event as NodeJS.Signals);
  }
}

/** Listeners of `event` that are not the coordinator's: the app's own. */
function foreignListeners(state: CoordinatorState, event: string): number {
  const ours = state.listeners.get(event);
  return events.listeners(event).filter((l) => l !== ours).length;
}

function onSignal(state: CoordinatorState, signal: NodeJS.Signals): void {
  // Decided now: by the time the shutdown ends, a `once` handler of the app is gone.
  const appHandlesIt = foreignListeners(state, signal) > 0;
  if (state.shutdown !== undefined) {
    // A second signal while shutting down: stop waiting, end now (unless the app decides).
    if (!appHandlesIt) raise(state, signal);
    return;
  }
  void stopAll(state, appHandlesIt).then(() => {
    if (!appHandlesIt) raise(state, signal);
  });
}

/** Removes every listener of ours, then raises `signal` again: Node's default action, once. */
function raise(state: CoordinatorState, signal: NodeJS.Signals): void {
  if (state.raised) return;
  state.raised = true;
  for (const [event, listener] of state.listeners) events.off(event, listener);
  state.listeners.clear();
  process.kill(process.pid, signal);
}

function onBeforeExit(state: CoordinatorState): void {
  if (state.shutdown !== undefined || state.gaveUp === true) return;
  const installations = [...state.installations].filter((i) => i.beforeExit);
  // The first time, flush every provider; after that only while reporter processors still hold
  // records, or flushing (which itself schedules work) would wake the loop forever.
  const fresh = installations.some((i) => !state.flushed.has(i));
  if (!fresh && pendingRecords(state) === 0) return;
  for (const installation of installations) state.flushed.add(installation);
  // One deadline for every round of flushing, from the first beforeExit: a script that ends
  // with its backend down still ends, by the deadline plus EXIT_MARGIN_MILLIS.
  const timeout = largestTimeout(installations);
  state.beforeExitDeadlineAt ??= Date.now() + timeout;
  const left = state.beforeExitDeadlineAt - Date.now();
  const flush = left > 0 ? withDeadline(flushProviders(providersOf(installations)), left) : false;
  void Promise.resolve(flush).then((inTime) => {
    if (!inTime) giveUp(state, timeout);
  });
}

/**
 * The beforeExit flushes passed their deadline: the processors are shut down at once (what is
 * left counts as shutdown_timeout, sends are aborted, nothing of ours holds the loop), and should
 * anything else still keep the process up, it exits EXIT_MARGIN_MILLIS later, with its code.
 */
function giveUp(state: CoordinatorState, timeout: number): void {
  if (state.gaveUp === true) return;
  state.gaveUp = true;
  warnUser(
    'TELEMETRY_REPORTER_EXIT_DEADLINE',
    `telemetry flush at exit did not finish within ${timeout} ms; ${pendingRecords(state)} records still queued or in flight are dropped (shutdown_timeout) and the process exits`,
  );
  void shutdownProcessors(state, 0);
  // Unref'd: it fires only if something else keeps the loop alive, and then ends the wait.
  setTimeout(() => process.exit(), EXIT_MARGIN_MILLIS).unref();
}

function onFatal(state: CoordinatorState, error: unknown, origin: string): void {
  if (foreignListeners(state, 'uncaughtException') > 0) return; // the app decides
  // Handled once. A second fatal error while exiting is not reported again: with stdout or
  // stderr closed (`node app.js | head -1`) each report would fail and be reported in turn,
  // an endless loop on the CPU that starves the timers the exit waits for.
  if (state.fatal === true) return;
  state.fatal = true;
  writeStderr(`${describeFatal(error, origin)}\n\nNode.js ${process.version}\n`);
  process.exitCode = 1;
  void stopAll(state, false).finally(() => process.exit(1));
}

function onExit(state: CoordinatorState): void {
  const pending = pendingRecords(state);
  if (pending === 0) return;
  // Synchronously: nothing scheduled from an exit listener runs any more.
  warnUser(
    'TELEMETRY_REPORTER_EXIT_PENDING',
    `process exiting with ${pending} telemetry records still queued or in flight: they are lost. process.exit() cannot wait for delivery: await provider.shutdown(), or let the exit handlers finish, before calling it`,
    true,
  );
}

/**
 * Shuts the reporter processors of every installation down, then the providers (or, when the
 * app keeps running, flushes them), once, within the largest timeout. Never rejects.
 */
function stopAll(state: CoordinatorState, appKeepsRunning: boolean): Promise<void> {
  if (state.shutdown === undefined) {
    const installations = [...state.installations];
    const timeout = largestTimeout(installations);
    const providers = providersOf(installations);
    const work = shutdownProcessors(state, timeout).then(() =>
      appKeepsRunning ? flushProviders(providers) : shutdownProviders(providers),
    );
    // A little past the processors' own deadline, so that they count what they give up; never
    // past what a timer can wait, or it would fire at once.
    const millis = Math.min(timeout + DEADLINE_GRACE_MILLIS, MAX_TIMER_MILLIS);
    state.shutdown = withDeadline(work, millis).then((inTime) => {
      if (inTime) return;
      warnUser(
        'TELEMETRY_REPORTER_EXIT_DEADLINE',
        `telemetry shutdown did not finish within ${millis} ms; exiting anyway`,
      );
    });
  }
  return state.shutdown;
}

/** The reporter processors of every installation (each copy once), shut down in time. */
async function shutdownProcessors(state: CoordinatorState, timeoutMillis: number): Promise<void> {
  const shutdowns = new Set([...state.installations].map((i) => i.shutdownProcessors));
  await Promise.all([...shutdowns].map((shutdown) => shutdown?.(timeoutMillis)));
}

function providersOf(installations: readonly ExitInstallation[]): FlushableProvider[] {
  return installations.flatMap((i) => i.providers);
}

function largestTimeout(installations: readonly ExitInstallation[]): number {
  return Math.max(0, ...installations.map((i) => i.shutdownTimeoutMillis));
}

/** Records pending in every copy of the package that installed handlers. */
function pendingRecords(state: CoordinatorState): number {
  const counters = new Set([...state.installations].map((i) => i.pendingRecords));
  let pending = 0;
  for (const count of counters) pending += count();
  return pending;
}
