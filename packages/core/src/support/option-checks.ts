// The checks behind every option of every package: each throws a `TypeError` that names the
// option and echoes the bad value (`maxQueueSize must be an integer >= 1, got -5`).

/** The longest delay `setTimeout` honours; longer ones would fire at once. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/** Renders a bad option value for an error message without ever throwing. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Object.is(value, -0)) return '-0';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** Validates an integer option `>= min`. */
export function integerOption(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${name} must be an integer >= ${min}, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates a byte limit: an integer >= 1, or `Infinity` for no limit. */
export function byteLimitOption(name: string, value: unknown): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${name} must be an integer >= 1 or Infinity, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates a duration option: an integer between `min` and {@link MAX_TIMER_MILLIS}. */
export function millisOption(name: string, value: unknown, min: number): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > MAX_TIMER_MILLIS
  ) {
    throw new TypeError(
      `${name} must be an integer number of milliseconds between ${min} and ${MAX_TIMER_MILLIS}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * The error for a bad `timeoutMillis` argument of a flush, shutdown or stop (`undefined` is
 * fine: no timeout), or `undefined` when it is good. Returned, not thrown: those methods reject
 * with it instead of throwing.
 */
export function timeoutMillisError(timeoutMillis: unknown): TypeError | undefined {
  if (timeoutMillis === undefined) return undefined;
  try {
    millisOption('timeoutMillis', timeoutMillis, 0);
    return undefined;
  } catch (error) {
    return error as TypeError;
  }
}

/** Validates that `value` is one of `allowed`. */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TypeError(
      `${name} must be one of ${allowed.map((v) => `'${v}'`).join(', ')}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}

/** Validates an optional function option. */
export function functionOption<F extends (...args: never[]) => unknown>(
  name: string,
  value: F | undefined,
): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates an optional string option. */
export function stringOption(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates an optional boolean option; `undefined` gives `fallback`. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${describeValue(value)}`);
  }
  return value;
}

/** `options` without its `undefined` entries: only a missing option takes its default. */
export function withoutUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(options) as (keyof T)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}
