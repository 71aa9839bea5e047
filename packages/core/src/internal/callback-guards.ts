import { describeValue } from '../engine-options.js';
import type { EngineObserver } from '../engine-types.js';

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

/** Validates an optional function option; the error names it and echoes the value. */
export function functionOption<F extends (...args: never[]) => unknown>(
  name: string,
  value: F | undefined,
): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates an optional string option; the error names it and echoes the value. */
export function stringOption(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, got ${describeValue(value)}`);
  }
  return value;
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
  };
}
