import { MAX_TIMER_MILLIS } from './option-checks.js';
import { unrefTimeout } from './timers.js';

/**
 * Waits `millis`, or less if `signal` aborts first. Resolves `true` when the full time passed,
 * `false` when aborted; never rejects, and leaves no listener or timer behind.
 */
export function abortableSleep(millis: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = unrefTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.min(millis, MAX_TIMER_MILLIS),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
