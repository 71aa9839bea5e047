import { diagLogger } from '../internal/diag-logger.js';

// What the exit coordinator does to providers, each call bounded and never throwing: a provider
// that throws, rejects or returns no promise is reported, never thrown into a signal handler.

/**
 * A `LoggerProvider`, a `TracerProvider`, a `NodeSDK`, or anything else that shuts down (and
 * flushes, if it can: without `forceFlush`, `beforeExit` skips it).
 */
export interface FlushableProvider {
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Calls `shutdown()` of every provider, each once, and resolves when all settled. */
export function shutdownProviders(providers: readonly FlushableProvider[]): Promise<void> {
  return settleAll(unique(providers).map((p) => () => p.shutdown()));
}

/** Calls `forceFlush()` of every provider that has one, each once. */
export function flushProviders(providers: readonly FlushableProvider[]): Promise<void> {
  return settleAll(unique(providers).map((p) => () => p.forceFlush?.()));
}

/** Each provider once, even when two installations name it. */
function unique(providers: readonly FlushableProvider[]): FlushableProvider[] {
  return [...new Set(providers)];
}

async function settleAll(calls: readonly (() => Promise<void> | undefined)[]): Promise<void> {
  await Promise.all(calls.map(settle));
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

function reportFailure(error: unknown): void {
  diagLogger.warn('provider shutdown or flush failed during exit', error);
}

/**
 * Resolves `true` when `work` settles, or `false` when `millis` pass first. The timer is ref'd:
 * the process stays up for the exit work, and not a moment past its deadline.
 */
export function withDeadline(work: Promise<unknown>, millis: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), millis);
  });
  return Promise.race([work.then(() => true as const), deadline]).finally(() =>
    clearTimeout(timer),
  );
}

/** An uncaught error as Node prints it; never throws, whatever the error does. */
export function describeFatal(error: unknown, origin: string): string {
  let text: string;
  try {
    text =
      error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  } catch {
    text = 'an error that cannot be printed';
  }
  return origin === 'unhandledRejection' ? `Uncaught (in promise) ${text}` : text;
}
