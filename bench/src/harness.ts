import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { measure } from 'mitata';
import type { BenchConfig } from './config.js';
import type { Contender } from './fixtures.js';
import type { Better, Comparison, Target } from './types.js';

/** Median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Yields to the event loop: timers, I/O and `setImmediate` callbacks run before it resolves. */
export function yieldToEventLoop(): Promise<void> {
  return nextMacrotask();
}

/** Runs `globalThis.gc` twice (weak references need a second pass); a no-op without it. */
export function collectGarbage(): void {
  globalThis.gc?.();
  globalThis.gc?.();
}

/**
 * Runs `once` for both contenders, `rounds` times, alternating who goes first (ours, built-in,
 * built-in, ours, ...) so that drift of the machine (thermal, neighbours, GC) hits both alike.
 * A full GC precedes each run, then `rewarm`, unmeasured, when given: the forced GC throws away
 * what V8 learnt of the code (see `BenchConfig.rewarmRecords`).
 */
export async function interleave<R>(
  rounds: number,
  once: (who: Contender, round: number) => Promise<R>,
  rewarm?: (who: Contender) => Promise<unknown>,
): Promise<Record<Contender, R[]>> {
  const results: Record<Contender, R[]> = { ours: [], builtin: [] };
  for (let round = 0; round < rounds; round++) {
    const order: Contender[] = round % 2 === 0 ? ['ours', 'builtin'] : ['builtin', 'ours'];
    for (const who of order) {
      collectGarbage();
      await rewarm?.(who);
      results[who].push(await once(who, round));
    }
  }
  return results;
}

/**
 * {@link interleave} for any number of contenders: `rounds` rounds of every contender in turn,
 * with a full GC before each; the order rotates by one each round (a, b, c; b, c, a; ...) so that
 * each goes first, and follows each other contender, as often as the rounds allow.
 */
export async function interleaveRotating<K extends string, R>(
  keys: readonly K[],
  rounds: number,
  once: (key: K, round: number) => Promise<R>,
): Promise<Map<K, R[]>> {
  const results = new Map<K, R[]>(keys.map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[(round + i) % keys.length] as K;
      collectGarbage();
      results.get(key)?.push(await once(key, round));
    }
  }
  return results;
}

/** Median nanoseconds per call of `fn`, measured by mitata with the run's options. */
export async function nsPerCall(fn: () => void, config: BenchConfig): Promise<number> {
  const stats = await measure(fn, { ...config.mitata });
  return stats.p50;
}

/**
 * Median nanoseconds per call of `bench(param)`, where `param()` runs before each call, outside
 * the timed region, and may return a promise (mitata awaits it untimed).
 */
export async function nsPerCallWithParam<P>(
  param: () => P | Promise<P>,
  bench: (value: P) => void,
  config: BenchConfig,
): Promise<number> {
  // mitata's computed parameters: `0` is the parameter factory of `bench`'s first argument.
  const computed = { 0: param, bench };
  const stats = await measure(
    function* () {
      yield computed as unknown as () => void;
    },
    { ...config.mitata },
  );
  return stats.p50;
}

/** What a comparison needs besides the measured rounds. */
export interface ComparisonSpec {
  readonly id: string;
  readonly suite: string;
  readonly title: string;
  readonly unit: string;
  readonly better: Better;
  readonly target?: Target;
  readonly note?: string;
  readonly detail?: Readonly<Record<string, number | string>>;
  readonly noRatio?: boolean;
}

/** Builds a {@link Comparison} from per-round values: medians, ratio, speedup, target check. */
export function compare(
  spec: ComparisonSpec,
  rounds: Readonly<Record<Contender, number[]>>,
): Comparison {
  const ours = median(rounds.ours);
  const builtin = median(rounds.builtin);
  const ratio = ours / builtin;
  const speedup = spec.better === 'lower' ? builtin / ours : ours / builtin;
  const met = spec.target === undefined ? undefined : meets(spec.target, ours, ratio);
  return {
    ...spec,
    ours,
    builtin,
    ratio,
    speedup,
    ...(met === undefined ? {} : { met }),
    rounds: { ours: [...rounds.ours], builtin: [...rounds.builtin] },
  };
}

function meets(target: Target, ours: number, ratio: number): boolean {
  const value = target.on === 'ratio' ? ratio : ours;
  return target.op === '<=' ? value <= target.value : value >= target.value;
}

/** A target on ours / built-in. */
export function ratioTarget(op: Target['op'], value: number): Target {
  return { on: 'ratio', op, value, label: `ratio ${op} ${value}` };
}

/** A target on our absolute value, in the comparison's unit. */
export function absoluteTarget(op: Target['op'], value: number, unit: string): Target {
  return { on: 'ours', op, value, label: `ours ${op} ${value} ${unit}` };
}

/** Prints one progress line to stderr, so stdout stays for the final table. */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
