import { describeValue, functionOption } from '../support/option-checks.js';
import type { EngineObserver } from './engine-types.js';

/**
 * Wraps a hot-path callback so that it can neither throw nor return garbage: anything but a
 * number >= 0 gives `fallback`. Without `fn`, every record gets `fallback`.
 */
export function guarded<T>(
  name: string,
  fn: ((record: T) => number) | undefined,
  fallback: number,
): (record: T) => number {
  const checked = functionOption(name, fn);
  if (checked === undefined) return () => fallback;
  return (record) => {
    try {
      const value = checked(record);
      return typeof value === 'number' && value >= 0 ? value : fallback;
    } catch {
      return fallback;
    }
  };
}

/** Wraps an optional callback so that a throw is ignored; `undefined` stays `undefined`. */
export function guardedCallback<A extends unknown[]>(
  fn: ((...args: A) => void) | undefined,
): ((...args: A) => void) | undefined {
  if (fn === undefined) return undefined;
  return (...args) => {
    try {
      fn(...args);
    } catch {
      // the caller's own reporting; the counters stay exact
    }
  };
}

/**
 * Validates an `observer` option and wraps it so that a throwing observer cannot break the
 * engine. `undefined` stays `undefined`: the engine then skips the calls altogether.
 */
export function safeObserver(observer: unknown): EngineObserver | undefined {
  if (observer === undefined) return undefined;
  if (typeof observer !== 'object' || observer === null) {
    throw new TypeError(`observer must be an object, got ${describeValue(observer)}`);
  }
  const target = observer as Partial<EngineObserver>;
  const call =
    <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      try {
        fn?.apply(target, args);
      } catch {
        // metrics are best effort; the engine's own counters stay exact
      }
    };
  return {
    queueDropped: call(target.queueDropped),
    exportStarted: call(target.exportStarted),
    exportSettled: call(target.exportSettled),
    exportCompleted: call(target.exportCompleted),
    recordsSpooled: call(target.recordsSpooled),
    spooledSettled: call(target.spooledSettled),
  };
}
