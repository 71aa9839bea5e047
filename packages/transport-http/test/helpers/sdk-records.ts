import { LoggerProvider, resourceFromAttributes, SeverityNumber, TracerProvider } from '#sdk';
import type { OtlpLogRecord, OtlpSpan } from '../../src/otlp/index.js';

/**
 * A value no OTLP encoder can encode: it contains itself. Typed as a plain map of strings,
 * since no log body type can express a cycle, which is how such bodies reach a logger.
 */
export function circular(): Record<string, string> {
  const value: Record<string, unknown> = { name: 'poison' };
  value.self = value;
  return value as Record<string, string>;
}

/**
 * How a record is made unencodable:
 * - `circular`: a body that contains itself;
 * - `throwing-getter`: reading the body throws;
 * - `no-scope`: no instrumentation scope, so no `ScopeLogs` to put the record in.
 */
export type Poison = 'circular' | 'throwing-getter' | 'no-scope';

function poisoned<T extends object>(record: T, poison: Poison): T {
  if (poison === 'circular') return Object.create(record, { body: { value: circular() } }) as T;
  if (poison === 'no-scope') {
    return Object.create(record, { instrumentationScope: { value: undefined } }) as T;
  }
  return Object.create(record, {
    body: {
      enumerable: true,
      get: () => {
        throw new Error('getter failed');
      },
    },
  }) as T;
}

/**
 * Real SDK log records of the line under test: `count` records with bodies `record <i>`, from
 * two loggers; those at `poisonAt` are made unencodable by `poison`.
 */
export function makeLogRecords(
  count: number,
  poisonAt: readonly number[] = [],
  poison: Poison = 'circular',
): OtlpLogRecord[] {
  const records: OtlpLogRecord[] = [];
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [collectingLogProcessor(records)],
  });
  const loggers = [provider.getLogger('orders', '1.0.0'), provider.getLogger('payments')];
  for (let i = 0; i < count; i++) {
    loggers[i % 2]?.emit({
      body: `record ${i}`,
      severityNumber: i % 10 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO,
      attributes: { 'record.index': String(i) },
    });
  }
  // Poison is put on a derived object: the SDK would keep a circular body as is, but not a
  // getter, and it always sets a scope.
  const bad = new Set(poisonAt);
  return records.map((record, i) => (bad.has(i) ? poisoned(record, poison) : record));
}

/** Real SDK spans of the line under test, named `span <i>`; those at `poisonAt` get circular attributes. */
export function makeSpans(count: number, poisonAt: readonly number[] = []): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [collectingSpanProcessor(spans)],
  });
  const tracer = provider.getTracer('orders', '1.0.0');
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
  const poison = new Set(poisonAt);
  // The SDK sanitises attributes set through the API, so the poison is put on a derived object,
  // as a buggy span processor mutating `attributes` would.
  return spans.map((span, i) =>
    poison.has(i) ? (Object.create(span, { attributes: { value: circular() } }) as OtlpSpan) : span,
  );
}

/** A log record processor that keeps every record emitted in `into`. */
export function collectingLogProcessor(into: OtlpLogRecord[]) {
  return {
    onEmit: (record: OtlpLogRecord) => {
      into.push(record);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/** A span processor that keeps every span ended in `into`. */
export function collectingSpanProcessor(into: OtlpSpan[]) {
  return {
    onStart: () => {},
    onEnd: (span: OtlpSpan) => {
      into.push(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}
