import fc from 'fast-check';
import type {
  OtlpAttributes,
  OtlpHrTime,
  OtlpLogRecord,
  OtlpResource,
  OtlpScope,
  OtlpSpan,
  OtlpSpanContext,
} from '../../src/otlp/index.js';

// fast-check arbitraries of OTLP records (plain objects of the encoders' structural types) over
// every kind of AnyValue and the fields OpenTelemetry's serializers read, kept to values both
// OpenTelemetry and our encoders accept, so that the two can be compared.

/** One UTF-16 unit or code point: mostly ASCII, plus lone surrogates, astral and escaped ones. */
const character: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\uD800',
      '\uDBFF',
      '\uDC00',
      '\uDFFF',
      '"',
      '\\',
      '\n',
      '\t',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u2028',
      'é',
      '€',
      '😀',
    ),
  },
);

/** Strings short and long (past every inline-versus-native threshold of the writers). */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: character, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: character, minLength: 40, maxLength: 400 }) },
);

/** Numbers at every edge of int32, uint32, 2^53, int64 and of doubles. */
export const number: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.integer({ min: 0, max: 200 }),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    -(2 ** 53),
    2 ** 53 + 2,
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    1e21,
    -1e21,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ),
);

const bytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8Array({ minLength: 2, maxLength: 40 }).map((all) => all.subarray(1)),
  fc.uint8Array({ maxLength: 20 }).map((all) => Buffer.from(all)),
  fc.constant(new Uint8Array(0)),
);

/** Attribute keys, odd ones included. */
export const key: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('service.name', 'http.method', 'app.attribute_0', '') },
  { weight: 4, arbitrary: fc.string({ unit: character, maxLength: 20 }) },
);

/** Any OTLP AnyValue, nested arrays and maps included; undefined and null become empty values. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constantFrom(null, undefined),
    bytes,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Attributes of a record, resource, scope, event or link. */
export const attributes: fc.Arbitrary<OtlpAttributes> = fc.dictionary(key, anyValue, {
  maxKeys: 6,
});

/** `[seconds, nanoseconds]`, from the epoch to past 2106 (past 2^32 seconds). */
export const hrTime: fc.Arbitrary<OtlpHrTime> = fc.tuple(
  fc.oneof(
    fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
    fc.integer({ min: 0, max: 2 ** 34 }),
  ),
  fc.integer({ min: 0, max: 999_999_999 }),
);

const hex = (length: number): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.string({
        unit: fc.constantFrom(...'0123456789abcdef'),
        minLength: length,
        maxLength: length,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.constantFrom(...'0123456789ABCDEF'),
        minLength: length,
        maxLength: length,
      }),
    },
    { weight: 1, arbitrary: fc.constant('0'.repeat(length)) },
  );

/** A trace context, remote or not, with or without a `tracestate`. */
export const spanContext: fc.Arbitrary<OtlpSpanContext> = fc
  .record({
    traceId: hex(32),
    spanId: hex(16),
    traceFlags: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 255 })),
    isRemote: fc.option(fc.boolean(), { nil: undefined }),
    traceState: fc.option(fc.oneof(fc.constant(''), fc.constant('vendor=a,other=b')), {
      nil: undefined,
    }),
  })
  .map(({ traceState, ...context }) =>
    traceState === undefined
      ? context
      : { ...context, traceState: { serialize: () => traceState } },
  );

const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined });

const resource: fc.Arbitrary<OtlpResource> = fc.record({
  attributes,
  schemaUrl: optional(fc.constantFrom('', 'https://opentelemetry.io/schemas/1.26.0')),
});

const scope: fc.Arbitrary<OtlpScope> = fc.record({
  name: fc.oneof(fc.constantFrom('orders', 'payments', ''), text),
  version: optional(fc.constantFrom('', '1.0.0', '2.3.4')),
  schemaUrl: optional(fc.constantFrom('', 'https://opentelemetry.io/schemas/1.26.0')),
  attributes: optional(attributes),
  droppedAttributesCount: optional(fc.nat(10)),
});

/** Scopes two of which share name, version and schema URL: OTLP/JSON of spans merges those. */
const scopes: fc.Arbitrary<OtlpScope[]> = fc
  .tuple(scope, scope, fc.boolean())
  .map(([a, b, twin]) => (twin ? [a, b, { ...a }] : [a, b]));

interface Envelopes {
  readonly resources: readonly OtlpResource[];
  readonly scopes: readonly OtlpScope[];
}

const envelopes: fc.Arbitrary<Envelopes> = fc.record({
  resources: fc.array(resource, { minLength: 1, maxLength: 3 }),
  scopes,
});

/** Which resource and scope a record uses (indexes, taken modulo). */
const placement = fc.tuple(fc.nat(5), fc.nat(5));

function place<T>(
  { resources, scopes: allScopes }: Envelopes,
  [r, s]: [number, number],
  build: (resource: OtlpResource, scope: OtlpScope) => T,
): T {
  return build(
    resources[r % resources.length] as OtlpResource,
    allScopes[s % allScopes.length] as OtlpScope,
  );
}

const logFields = fc.record({
  hrTime,
  hrTimeObserved: hrTime,
  spanContext: optional(spanContext),
  severityText: optional(fc.oneof(fc.constantFrom('', 'INFO', 'ERROR'), text)),
  severityNumber: optional(
    fc.oneof(fc.integer({ min: 0, max: 24 }), fc.integer({ min: -3, max: 300 })),
  ),
  body: anyValue,
  eventName: optional(fc.oneof(fc.constant(''), text)),
  attributes,
  droppedAttributesCount: optional(fc.nat(1000)),
  placement,
});

/** Batches of log records over a few shared resources and scopes. */
export const logBatch: fc.Arbitrary<OtlpLogRecord[]> = fc
  .tuple(envelopes, fc.array(logFields, { minLength: 1, maxLength: 12 }))
  .map(([shared, records]) =>
    records.map(({ placement: at, ...fields }) =>
      place(shared, at, (resource, instrumentationScope) => ({
        ...fields,
        resource,
        instrumentationScope,
      })),
    ),
  );

const event = fc.record({
  name: text,
  time: hrTime,
  attributes: optional(attributes),
  droppedAttributesCount: optional(fc.nat(5)),
});

const link = fc.record({
  context: spanContext,
  attributes: optional(attributes),
  droppedAttributesCount: optional(fc.nat(5)),
});

const spanFields = fc.record({
  name: text,
  kind: fc.integer({ min: 0, max: 4 }),
  context: spanContext,
  parentSpanContext: optional(spanContext),
  startTime: hrTime,
  endTime: hrTime,
  status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: optional(text) }),
  attributes,
  droppedAttributesCount: optional(fc.nat(1000)),
  events: fc.array(event, { maxLength: 3 }),
  droppedEventsCount: optional(fc.nat(10)),
  links: fc.array(link, { maxLength: 3 }),
  droppedLinksCount: optional(fc.nat(10)),
  placement,
});

/** Batches of spans over a few shared resources and scopes. */
export const spanBatch: fc.Arbitrary<OtlpSpan[]> = fc
  .tuple(envelopes, fc.array(spanFields, { minLength: 1, maxLength: 10 }))
  .map(([shared, spans]) =>
    spans.map(({ placement: at, context, ...fields }) =>
      place(shared, at, (resource, instrumentationScope) => ({
        ...fields,
        spanContext: () => context,
        resource,
        instrumentationScope,
      })),
    ),
  );
