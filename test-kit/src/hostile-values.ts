import { MAX_TIMER_MILLIS } from '@telemetry-reporter/core';

/** A value no option should trust, and how an error message must echo it. */
export interface HostileValue {
  readonly label: string;
  readonly value: unknown;
  /** What follows `got ` in the `TypeError` (`describeValue`). */
  readonly echo: string;
}

/**
 * Values to try on every option: out of range, not numbers at all, and numbers that look fine
 * but are not (NaN, -0, 2**53, 1e308).
 */
export const HOSTILE_VALUES: readonly HostileValue[] = [
  { label: 'negative', value: -5, echo: '-5' },
  { label: 'zero', value: 0, echo: '0' },
  { label: 'negative zero', value: -0, echo: '-0' },
  { label: 'a fraction', value: 1.5, echo: '1.5' },
  { label: 'NaN', value: Number.NaN, echo: 'NaN' },
  { label: 'Infinity', value: Number.POSITIVE_INFINITY, echo: 'Infinity' },
  { label: '-Infinity', value: Number.NEGATIVE_INFINITY, echo: '-Infinity' },
  { label: '2**53', value: 2 ** 53, echo: '9007199254740992' },
  { label: '1e308', value: 1e308, echo: '1e+308' },
  { label: 'a numeric string', value: '10', echo: "'10'" },
  { label: 'an empty string', value: '', echo: "''" },
  { label: 'true', value: true, echo: 'true' },
  { label: 'false', value: false, echo: 'false' },
  { label: 'null', value: null, echo: 'null' },
  { label: 'an object', value: { valueOf: () => 10 }, echo: 'an object' },
  { label: 'an array', value: [10], echo: 'an array' },
  { label: 'a function', value: () => 10, echo: 'a function' },
  { label: 'a symbol', value: Symbol('ten'), echo: 'Symbol(ten)' },
  { label: 'a bigint', value: 10n, echo: '10n' },
];

/** The documented bounds of an option, to tell which hostile values it must accept. */
export type OptionKind =
  /** An integer >= 1 (a safe integer). */
  | 'count'
  /** An integer number of milliseconds between 0 and MAX_TIMER_MILLIS. */
  | 'millis0'
  /** An integer number of milliseconds between 1 and MAX_TIMER_MILLIS. */
  | 'millis1'
  /** An integer >= 1, or Infinity. */
  | 'bytes'
  /** A finite number >= 1. */
  | 'factor';

/** True when `value` is within the documented bounds of `kind`. */
export function isValid(kind: OptionKind, value: unknown): boolean {
  if (typeof value !== 'number') return false;
  switch (kind) {
    case 'count':
      return Number.isSafeInteger(value) && value >= 1;
    case 'millis0':
      return Number.isInteger(value) && value >= 0 && value <= MAX_TIMER_MILLIS;
    case 'millis1':
      return Number.isInteger(value) && value >= 1 && value <= MAX_TIMER_MILLIS;
    case 'bytes':
      return value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value >= 1);
    case 'factor':
      return Number.isFinite(value) && value >= 1;
  }
}

/** Valid values at the edges of each kind: what "accepted but weird" looks like. */
export const EDGE_VALUES: Readonly<Record<OptionKind, readonly number[]>> = {
  count: [1, Number.MAX_SAFE_INTEGER],
  millis0: [0, -0, 1, MAX_TIMER_MILLIS],
  millis1: [1, MAX_TIMER_MILLIS],
  bytes: [1, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY],
  factor: [1, 1e308],
};

/** Every hostile value and edge value of `kind`, with whether it must be accepted. */
export function casesFor(kind: OptionKind): [label: string, value: unknown, echo: string][] {
  const edges = EDGE_VALUES[kind].map((v): [string, unknown, string] => [
    `edge ${Object.is(v, -0) ? '-0' : String(v)}`,
    v,
    Object.is(v, -0) ? '-0' : String(v),
  ]);
  return [
    ...HOSTILE_VALUES.map((h): [string, unknown, string] => [h.label, h.value, h.echo]),
    ...edges,
  ];
}
