import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LoggerProvider,
  ROOT_CONTEXT,
  resourceFromAttributes,
  SeverityNumber,
  SpanStatusCode,
  TraceFlags,
  TracerProvider,
  trace,
} from '#sdk';
import {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
  type OtlpFormat,
  type OtlpLogRecord,
  type OtlpSpan,
} from '../src/otlp/index.js';
import { anyValue, attributes, key, text } from './helpers/otlp-arbitraries.js';
import { decoded, transformerLogs, transformerSpans } from './helpers/otlp-oracle.js';
import { collectingLogProcessor, collectingSpanProcessor } from './helpers/sdk-records.js';

// Records made by the SDK of the line under test (OTEL_SDK_LINE), through its LoggerProvider
// and TracerProvider, with generated content: what our encoders send is what OpenTelemetry's
// serializers of that line send.

const FORMATS: readonly OtlpFormat[] = ['protobuf', 'json'];

const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.instance.id': 'i-1',
  'process.pid': 4242,
});

function collectLogs(): { provider: LoggerProvider; records: OtlpLogRecord[] } {
  const records: OtlpLogRecord[] = [];
  const provider = new LoggerProvider({
    resource,
    processors: [collectingLogProcessor(records)],
  });
  return { provider, records };
}

function collectSpans(): { provider: TracerProvider; spans: OtlpSpan[] } {
  const spans: OtlpSpan[] = [];
  const provider = new TracerProvider({
    resource,
    spanProcessors: [collectingSpanProcessor(spans)],
  });
  return { provider, spans };
}

/** A sampled or unsampled trace context, local or from another process. */
const parentContext = fc
  .record({
    traceId: fc.constantFrom(
      '0af7651916cd43dd8448eb211c80319c',
      '4bf92f3577b34da6a3ce929d0e0e4736',
    ),
    spanId: fc.constantFrom('b7ad6b7169203331', '00f067aa0ba902b7'),
    traceFlags: fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED),
    isRemote: fc.boolean(),
  })
  .map((spanContext) => trace.setSpanContext(ROOT_CONTEXT, spanContext));

const logEmit = fc.record({
  body: anyValue,
  attributes,
  severityNumber: fc.option(
    fc.constantFrom(...Object.values(SeverityNumber).filter((v) => typeof v === 'number')),
    { nil: undefined },
  ),
  severityText: fc.option(text, { nil: undefined }),
  eventName: fc.option(fc.constantFrom('session.start', 'checkout.paid'), { nil: undefined }),
  context: fc.option(parentContext, { nil: undefined }),
  timestamp: fc.option(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), {
    nil: undefined,
  }),
  logger: fc.nat(2),
});

/** Attribute values the span API takes: primitives and homogeneous arrays of them. */
const spanAttributes = fc.dictionary(
  key,
  fc.oneof(
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.array(text, { maxLength: 3 }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.array(fc.boolean(), { maxLength: 3 }),
  ),
  { maxKeys: 5 },
);

const spanStart = fc.record({
  name: text,
  kind: fc.integer({ min: 0, max: 4 }),
  attributes: spanAttributes,
  parent: fc.option(parentContext, { nil: undefined }),
  events: fc.array(
    fc.record({ name: text, attributes: fc.option(spanAttributes, { nil: undefined }) }),
    { maxLength: 3 },
  ),
  links: fc.array(fc.record({ attributes: fc.option(spanAttributes, { nil: undefined }) }), {
    maxLength: 2,
  }),
  status: fc.option(
    fc.record({
      code: fc.constantFrom(SpanStatusCode.OK, SpanStatusCode.ERROR),
      message: fc.option(text, { nil: undefined }),
    }),
    { nil: undefined },
  ),
  tracer: fc.nat(1),
});

describe.each(FORMATS)('OTLP %s, records of the SDK line under test', (format) => {
  const logs = createOtlpLogsEncoder({ format });
  const spans = createOtlpSpansEncoder({ format });

  it('log records emitted through a LoggerProvider', () => {
    fc.assert(
      fc.property(fc.array(logEmit, { minLength: 1, maxLength: 20 }), (emits) => {
        const { provider, records } = collectLogs();
        const loggers = [
          provider.getLogger('orders', '1.0.0'),
          provider.getLogger('payments', undefined, {
            schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          }),
          provider.getLogger('orders', '1.0.0'),
        ];
        for (const { logger, ...emit } of emits) {
          loggers[logger % loggers.length]?.emit(
            emit as Parameters<(typeof loggers)[number]['emit']>[0],
          );
        }
        const encoded = logs.encode(records);
        expect(encoded).toMatchObject({ recordCount: records.length, failedCount: 0 });
        expect(decoded('logs', format, encoded.payload)).toEqual(
          decoded('logs', format, transformerLogs(format, records)),
        );
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('spans ended through a TracerProvider', () => {
    fc.assert(
      fc.property(fc.array(spanStart, { minLength: 1, maxLength: 12 }), (starts) => {
        const { provider, spans: ended } = collectSpans();
        const tracers = [provider.getTracer('orders', '1.0.0'), provider.getTracer('payments')];
        let previous: ReturnType<(typeof tracers)[number]['startSpan']> | undefined;
        for (const start of starts) {
          const tracer = tracers[start.tracer % tracers.length];
          if (tracer === undefined) continue;
          const links = start.links.map((link) => ({
            context: previous?.spanContext() ?? {
              traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
              spanId: '00f067aa0ba902b7',
              traceFlags: TraceFlags.SAMPLED,
              isRemote: true,
            },
            attributes: link.attributes,
          }));
          const span = tracer.startSpan(
            start.name,
            { kind: start.kind, attributes: start.attributes, links },
            start.parent,
          );
          for (const event of start.events) span.addEvent(event.name, event.attributes);
          if (start.status !== undefined) span.setStatus(start.status);
          span.end();
          previous = span;
        }
        // a child of an unsampled parent is not recorded
        fc.pre(ended.length > 0);
        const encoded = spans.encode(ended);
        expect(encoded).toMatchObject({ recordCount: ended.length, failedCount: 0 });
        expect(decoded('spans', format, encoded.payload)).toEqual(
          decoded('spans', format, transformerSpans(format, ended)),
        );
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
