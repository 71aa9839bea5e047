import { MAX_TIMER_MILLIS } from '@telemetry-reporter/core';
import { diagLogger } from '../internal/diag-logger.js';

/**
 * A `LoggerProvider`, a `TracerProvider`, a `NodeSDK`, or anything else that shuts down (and
 * flushes, if it can: without `forceFlush`, `beforeExit` skips it).
 */
export interface FlushableProvider {
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

// One coordinator per process, whatever the number of installations: `register` and the app's
// own installExitHandlers, configureFromEnvironment called twice, or two copies of this package
// in one node_modules tree. Were each installation to listen on its own, each would count the
// other's listener as "the app's own handler": neither would raise SIGTERM again nor report an
// uncaught exception, and the process would keep running. So the process listeners are
// installed once, and "ours" means the coordinator's. The state lives on globalThis under a
// registered symbol so that every copy of the package finds the same one: its shape is a
// protocol between versions, to extend only.

const STATE = Symbol.for('telemetry-reporter.exit-handlers');

/** A little past the processors' own deadline, so that they count and report what they give up. */
const DEADLINE_GRACE_MILLIS = 250;

/** What one `installExitHandlers` call registered, validated. */
export interface ExitInstallation {
  readonly providers: readonly FlushableProvider[];
  readonly shutdownTimeoutMillis: number;
  readonly signals: readonly NodeJS.Signals[];
  readonly beforeExit: boolean;
  readonly fatal: boolean;
  /** Records queued or in flight in the reporter processors of the installing copy. */
  readonly pendingRecords: () => number;
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
  /** Set once a signal or a fatal exception started shutting every provider down. */
  shutdown: Promise<void> | undefined;
  /** Set once a signal was raised again, so that it is raised once. */
  raised: boolean;
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
  void shutdownAll(state).then(() => {
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
  if (state.shutdown !== undefined) return;
  const installations = [...state.installations].filter((i) => i.beforeExit);
  // The first time, flush every provider; after that only while reporter processors still hold
  // records, or flushing (which itself schedules work) would wake the loop forever.
  const fresh = installations.some((i) => !state.flushed.has(i));
  if (!fresh && pendingRecords(state) === 0) return;
  for (const installation of installations) state.flushed.add(installation);
  void withDeadline(
    Promise.all(providersOf(installations).map((p) => settle(() => p.forceFlush?.()))),
    largestTimeout(installations),
    'flush',
  );
}

function onFatal(state: CoordinatorState, error: unknown, origin: string): void {
  if (foreignListeners(state, 'uncaughtException') > 0) return; // the app decides
  process.stderr.write(`${describeFatal(error, origin)}\n\nNode.js ${process.version}\n`);
  process.exitCode = 1;
  void shutdownAll(state).finally(() => process.exit(1));
}

function onExit(state: CoordinatorState): void {
  const pending = pendingRecords(state);
  if (pending > 0 && state.shutdown === undefined) {
    diagLogger.warn(
      `process exiting with ${pending} telemetry records still pending: process.exit() cannot wait for delivery; await provider.shutdown() before calling it`,
    );
  }
}

/** Shuts down every provider of every installation, once, within the largest timeout. */
function shutdownAll(state: CoordinatorState): Promise<void> {
  if (state.shutdown === undefined) {
    const installations = [...state.installations];
    state.shutdown = withDeadline(
      Promise.all(providersOf(installations).map((p) => settle(() => p.shutdown()))),
      // Never past what a timer can wait: it would fire at once.
      Math.min(largestTimeout(installations) + DEADLINE_GRACE_MILLIS, MAX_TIMER_MILLIS),
      'shutdown',
    );
  }
  return state.shutdown;
}

/** Each provider once, even when two installations name it. */
function providersOf(installations: readonly ExitInstallation[]): FlushableProvider[] {
  return [...new Set(installations.flatMap((i) => i.providers))];
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

/** Resolves when `work` settles or when `millis` pass; the timer holds the process open. */
function withDeadline(
  work: Promise<unknown>,
  millis: number,
  what: 'shutdown' | 'flush',
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      diagLogger.warn(`telemetry ${what} did not finish within ${millis} ms; exiting anyway`);
      resolve();
    }, millis);
  });
  return Promise.race([work.then(() => {}), deadline]).finally(() => clearTimeout(timer));
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
