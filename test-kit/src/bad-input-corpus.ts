// The bad-input corpus: values that break naive serialisers, each with what every encoder family
// makes of it. Shared by the corpus tests of core (createJsonEncoder), otel (the default log and
// span encoders, logException, the diagnostics_channel snapshot) and transport-http (OTLP). The
// README's "How odd values are encoded" table is this file in prose.

/**
 * What JSON encoding (`JSON.stringify` per record: `createJsonEncoder` and the otel default
 * encoders) makes of a value:
 * - `encoded`: `JSON.parse` of the output equals `as`;
 * - `omitted`: nothing (a symbol, a function): as a body or an attribute value the field is left
 *   out; as a whole record of `createJsonEncoder`, the record is dropped as `encoding_failed`;
 * - `dropped`: serialising throws; the record is dropped alone as `encoding_failed`.
 */
export type JsonOutcome =
  | { readonly kind: 'encoded'; readonly as: unknown }
  | { readonly kind: 'omitted' }
  | { readonly kind: 'dropped' };

/** What the OTLP encoders make of a value: the `AnyValue` of OTLP/JSON, or a dropped record. */
export type OtlpOutcome =
  | { readonly kind: 'encoded'; readonly anyValue: unknown }
  | { readonly kind: 'dropped' };

/**
 * What the diagnostics_channel snapshot makes of the value as a property of a message
 * (`{ value: <input> }`): the copy of that property, or the message dropped as `encoding_failed`.
 */
export type SnapshotOutcome =
  | { readonly kind: 'copied'; readonly as: unknown }
  | { readonly kind: 'dropped' };

/** One bad input and what each encoder family does with it. */
export interface BadInput {
  readonly name: string;
  /** The value; call it for each use (most are built once and shared, proxies are fresh). */
  readonly make: () => unknown;
  readonly json: JsonOutcome;
  readonly otlp: OtlpOutcome;
  readonly snapshot: SnapshotOutcome;
  /**
   * `logException`: the entry of `body.causes` for an error whose `cause` is the value (a
   * pattern where the text depends on how the test was compiled).
   */
  readonly cause: { readonly type: string; readonly message: string | RegExp };
}

/** 10 MiB of text. */
export const TEN_MIB = 10 * 1024 * 1024;
/** How deep the nested inputs go. */
export const DEEP = 10_000;

let bigString: string | undefined;
const big = (): string => {
  bigString ??= 'x'.repeat(TEN_MIB);
  return bigString;
};

function nested(depth: number, kind: 'object' | 'array'): unknown {
  const root: Record<string, unknown> | unknown[] = kind === 'object' ? {} : [];
  let current = root;
  for (let i = 0; i < depth; i++) {
    const child: Record<string, unknown> | unknown[] = kind === 'object' ? {} : [];
    if (Array.isArray(current)) current.push(child);
    else current.x = child;
    current = child;
  }
  return root;
}
let deepObject: unknown;
let deepArray: unknown;

/** A Proxy whose every trap throws. */
export function throwingProxy(): object {
  const traps = [
    'apply',
    'construct',
    'defineProperty',
    'deleteProperty',
    'get',
    'getOwnPropertyDescriptor',
    'getPrototypeOf',
    'has',
    'isExtensible',
    'ownKeys',
    'preventExtensions',
    'set',
    'setPrototypeOf',
  ] as const;
  const handler: ProxyHandler<object> = {};
  for (const trap of traps) {
    (handler as Record<string, unknown>)[trap] = () => {
      throw new Error(`trap ${trap}`);
    };
  }
  return new Proxy({}, handler);
}

function circular(): unknown {
  const value: Record<string, unknown> = { id: 'loop' };
  value.self = value;
  return value;
}

const PROTO_KEYS =
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}';

const kv = (...values: { key: string; value: unknown }[]) => ({ kvlistValue: { values } });
const EMPTY_KVLIST = kv();

/** The corpus. */
export const BAD_INPUTS: readonly BadInput[] = [
  {
    name: 'circular object',
    make: circular,
    json: { kind: 'dropped' },
    otlp: { kind: 'dropped' },
    snapshot: {
      kind: 'copied',
      as: { id: 'loop', self: { id: 'loop', self: { id: 'loop', self: '[Object]' } } },
    },
    cause: { type: 'Object', message: '[object Object]' },
  },
  {
    name: 'BigInt',
    make: () => 10n,
    json: { kind: 'dropped' },
    otlp: { kind: 'encoded', anyValue: {} },
    snapshot: { kind: 'copied', as: '10' },
    cause: { type: 'bigint', message: '10' },
  },
  {
    name: 'throwing getters',
    make: () => ({
      get name(): string {
        throw new Error('name getter');
      },
      get message(): string {
        throw new Error('message getter');
      },
    }),
    json: { kind: 'dropped' },
    otlp: { kind: 'dropped' },
    snapshot: { kind: 'dropped' },
    cause: { type: 'Object', message: '[object Object]' },
  },
  {
    name: 'throwing toJSON',
    make: () => ({
      id: 7,
      toJSON(): never {
        throw new Error('toJSON');
      },
    }),
    json: { kind: 'dropped' },
    otlp: {
      kind: 'encoded',
      anyValue: kv({ key: 'id', value: { intValue: 7 } }, { key: 'toJSON', value: {} }),
    },
    snapshot: { kind: 'copied', as: { id: 7, toJSON: '[Function toJSON]' } },
    cause: { type: 'Object', message: '[object Object]' },
  },
  {
    name: 'Symbol value',
    make: () => Symbol('sym'),
    json: { kind: 'omitted' },
    otlp: { kind: 'encoded', anyValue: {} },
    snapshot: { kind: 'copied', as: 'Symbol(sym)' },
    cause: { type: 'symbol', message: 'Symbol(sym)' },
  },
  {
    name: 'Symbol key',
    make: () => ({ [Symbol('key')]: 'hidden', visible: 1 }),
    json: { kind: 'encoded', as: { visible: 1 } },
    otlp: { kind: 'encoded', anyValue: kv({ key: 'visible', value: { intValue: 1 } }) },
    snapshot: { kind: 'copied', as: { visible: 1 } },
    cause: { type: 'Object', message: '[object Object]' },
  },
  {
    name: 'function value',
    make: () =>
      function handler(): void {
        // never called
      },
    json: { kind: 'omitted' },
    otlp: { kind: 'encoded', anyValue: {} },
    snapshot: { kind: 'copied', as: '[Function handler]' },
    // A function is described as an object: its name is the type, its source the message.
    cause: { type: 'handler', message: /^function handler\(\)/ },
  },
  {
    name: 'function as a Map key',
    make: () =>
      new Map([
        [
          function key(): void {
            // never called
          },
          'value',
        ],
      ]),
    json: { kind: 'encoded', as: {} },
    otlp: { kind: 'encoded', anyValue: EMPTY_KVLIST },
    snapshot: { kind: 'copied', as: '[Map]' },
    cause: { type: 'Map', message: '[object Map]' },
  },
  {
    name: '10 MiB string',
    make: big,
    json: { kind: 'encoded', as: big() },
    otlp: { kind: 'encoded', anyValue: { stringValue: big() } },
    snapshot: { kind: 'copied', as: big() },
    cause: { type: 'string', message: big() },
  },
  {
    name: `object nested ${DEEP.toLocaleString('en-US')} deep`,
    make: () => {
      deepObject ??= nested(DEEP, 'object');
      return deepObject;
    },
    json: { kind: 'dropped' },
    otlp: { kind: 'dropped' },
    snapshot: { kind: 'copied', as: { x: { x: { x: '[Object]' } } } },
    cause: { type: 'Object', message: '[object Object]' },
  },
  {
    name: `array nested ${DEEP.toLocaleString('en-US')} deep`,
    make: () => {
      deepArray ??= nested(DEEP, 'array');
      return deepArray;
    },
    json: { kind: 'dropped' },
    otlp: { kind: 'dropped' },
    snapshot: { kind: 'copied', as: [[['[Array(1)]']]] },
    // String() of it overflows the stack too.
    cause: { type: 'Array', message: '[a value that cannot be printed]' },
  },
  {
    name: 'lone UTF-16 surrogates',
    make: () => 'a\uD800b\uDFFFc',
    json: { kind: 'encoded', as: 'a\uD800b\uDFFFc' },
    // OTLP/JSON escapes them as JSON does; protobuf writes U+FFFD (valid UTF-8) for each.
    otlp: { kind: 'encoded', anyValue: { stringValue: 'a\uD800b\uDFFFc' } },
    snapshot: { kind: 'copied', as: 'a\uD800b\uDFFFc' },
    cause: { type: 'string', message: 'a\uD800b\uDFFFc' },
  },
  {
    name: '`__proto__`, `constructor`, `prototype` keys (JSON.parse)',
    make: () => JSON.parse(PROTO_KEYS),
    json: { kind: 'encoded', as: JSON.parse(PROTO_KEYS) },
    otlp: {
      kind: 'encoded',
      anyValue: kv(
        { key: '__proto__', value: kv({ key: 'polluted', value: { boolValue: true } }) },
        {
          key: 'constructor',
          value: kv({
            key: 'prototype',
            value: kv({ key: 'polluted', value: { boolValue: true } }),
          }),
        },
        { key: 'prototype', value: kv({ key: 'polluted', value: { boolValue: true } }) },
      ),
    },
    snapshot: { kind: 'copied', as: JSON.parse(PROTO_KEYS) },
    cause: { type: 'Object', message: '[object Object]' },
  },
  {
    name: 'Buffer',
    make: () => Buffer.from('bytes'),
    json: { kind: 'encoded', as: { type: 'Buffer', data: [98, 121, 116, 101, 115] } },
    otlp: { kind: 'encoded', anyValue: { bytesValue: 'Ynl0ZXM=' } },
    snapshot: { kind: 'copied', as: '[Buffer(5)]' },
    cause: { type: 'Buffer', message: 'bytes' },
  },
  {
    name: 'Uint8Array',
    make: () => new Uint8Array([1, 2, 3]),
    json: { kind: 'encoded', as: { 0: 1, 1: 2, 2: 3 } },
    otlp: { kind: 'encoded', anyValue: { bytesValue: 'AQID' } },
    snapshot: { kind: 'copied', as: '[Uint8Array(3)]' },
    cause: { type: 'Uint8Array', message: '1,2,3' },
  },
  {
    name: 'Float64Array',
    make: () => new Float64Array([1.5, Number.NaN]),
    json: { kind: 'encoded', as: { 0: 1.5, 1: null } },
    otlp: {
      kind: 'encoded',
      anyValue: kv(
        { key: '0', value: { doubleValue: 1.5 } },
        { key: '1', value: { doubleValue: null } },
      ),
    },
    snapshot: { kind: 'copied', as: '[Float64Array(16)]' },
    cause: { type: 'Float64Array', message: '1.5,NaN' },
  },
  {
    name: 'invalid Date',
    make: () => new Date(Number.NaN),
    json: { kind: 'encoded', as: null },
    otlp: { kind: 'encoded', anyValue: EMPTY_KVLIST },
    snapshot: { kind: 'copied', as: 'Invalid Date' },
    cause: { type: 'Date', message: 'Invalid Date' },
  },
  {
    name: 'NaN',
    make: () => Number.NaN,
    json: { kind: 'encoded', as: null },
    // protobuf keeps the double; OTLP/JSON writes null, which a collector reads as 0
    otlp: { kind: 'encoded', anyValue: { doubleValue: null } },
    snapshot: { kind: 'copied', as: 'NaN' },
    cause: { type: 'number', message: 'NaN' },
  },
  {
    name: 'Infinity',
    make: () => Number.POSITIVE_INFINITY,
    json: { kind: 'encoded', as: null },
    otlp: { kind: 'encoded', anyValue: { doubleValue: null } },
    snapshot: { kind: 'copied', as: 'Infinity' },
    cause: { type: 'number', message: 'Infinity' },
  },
  {
    name: '-Infinity',
    make: () => Number.NEGATIVE_INFINITY,
    json: { kind: 'encoded', as: null },
    otlp: { kind: 'encoded', anyValue: { doubleValue: null } },
    snapshot: { kind: 'copied', as: '-Infinity' },
    cause: { type: 'number', message: '-Infinity' },
  },
  {
    name: 'Map',
    make: () => new Map([['key', 'value']]),
    json: { kind: 'encoded', as: {} },
    otlp: { kind: 'encoded', anyValue: EMPTY_KVLIST },
    snapshot: { kind: 'copied', as: '[Map]' },
    cause: { type: 'Map', message: '[object Map]' },
  },
  {
    name: 'Set',
    make: () => new Set(['value']),
    json: { kind: 'encoded', as: {} },
    otlp: { kind: 'encoded', anyValue: EMPTY_KVLIST },
    snapshot: { kind: 'copied', as: '[Set]' },
    cause: { type: 'Set', message: '[object Set]' },
  },
  {
    name: 'Proxy that throws on every trap',
    make: throwingProxy,
    json: { kind: 'dropped' },
    otlp: { kind: 'dropped' },
    snapshot: { kind: 'dropped' },
    cause: { type: 'Object', message: '[a value that cannot be printed]' },
  },
];

/** Own property names of the built-in prototypes a polluting write would touch. */
export interface PrototypeSnapshot {
  readonly object: readonly (string | symbol)[];
  readonly array: readonly (string | symbol)[];
  readonly function: readonly (string | symbol)[];
}

/** Takes a {@link PrototypeSnapshot}; compare one taken after the test with one taken before. */
export function prototypeSnapshot(): PrototypeSnapshot {
  return {
    object: Reflect.ownKeys(Object.prototype),
    array: Reflect.ownKeys(Array.prototype),
    function: Reflect.ownKeys(Function.prototype),
  };
}

/** True when `{}` or `[]` inherit a property the corpus tried to plant. */
export function isPolluted(): boolean {
  return (
    'polluted' in {} ||
    'polluted' in [] ||
    Object.hasOwn(Object.prototype, 'polluted') ||
    Object.hasOwn(Array.prototype, 'polluted')
  );
}
