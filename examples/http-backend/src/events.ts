import { createJsonEncoder } from '@telemetry-reporter/core';
import type { Encoder, ReporterLogRecord, TelemetrySeverity } from '@telemetry-reporter/otel';
import type { WireEvent, WireLevel } from './wire-format.js';

/** The service's own events. Adding a variant makes `severityOf` fail to compile until handled. */
export type AppEvent =
  | { type: 'order.placed'; orderId: string; totalCents: number; items: number }
  | { type: 'payment.declined'; orderId: string; reason: 'card_expired' | 'insufficient_funds' }
  | { type: 'stock.low'; sku: string; remaining: number };

const APP_EVENT_TYPES: ReadonlySet<string> = new Set<AppEvent['type']>([
  'order.placed',
  'payment.declined',
  'stock.low',
]);

/** How loud each event is; the switch is exhaustive, so the compiler keeps it complete. */
export function severityOf(event: AppEvent): TelemetrySeverity {
  switch (event.type) {
    case 'order.placed':
      return 'info';
    case 'payment.declined':
    case 'stock.low':
      return 'warn';
  }
}

function isAppEvent(value: unknown): value is AppEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    APP_EVENT_TYPES.has((value as { type?: unknown }).type as string)
  );
}

/** OpenTelemetry severity numbers (1-24) to the backend's levels. */
function levelOf(severityNumber: number | undefined): WireLevel {
  if (severityNumber === undefined || severityNumber < 9) return 'debug';
  if (severityNumber < 13) return 'info';
  if (severityNumber < 17) return 'warn';
  return 'error';
}

/**
 * One log record to one wire event. The reporter put the `AppEvent` in the body (`log(type,
 * severity, event)`) and `logException` an `ExceptionBody`; anything else is not something the
 * backend understands, so this throws and the encoder drops that record alone as
 * `encoding_failed`.
 */
export function toWireEvent(record: ReporterLogRecord): WireEvent {
  let type: string;
  let data: Record<string, unknown>;
  if (isAppEvent(record.body)) {
    ({ type, ...data } = record.body);
  } else if (record.eventName === 'exception' && typeof record.body === 'object' && record.body) {
    type = 'exception';
    data = { ...record.body };
  } else {
    throw new TypeError(`not an AppEvent: ${record.eventName ?? '(no name)'}`);
  }
  const [seconds, nanos] = record.hrTime;
  const event: WireEvent = {
    type,
    at: new Date(seconds * 1000 + nanos / 1e6).toISOString(),
    level: levelOf(record.severityNumber),
    data,
  };
  if (record.spanContext) event.traceId = record.spanContext.traceId;
  return event;
}

/**
 * The backend wants `{ "events": [...] }`, not a bare array: encode each record with
 * `createJsonEncoder` (which isolates a record that fails to map or serialise) and wrap the array.
 */
export function createWireEncoder(): Encoder<ReporterLogRecord, string> {
  const events = createJsonEncoder<ReporterLogRecord>({ map: toWireEvent });
  return {
    encode(records) {
      const batch = events.encode(records);
      if (batch.payload === undefined) return batch;
      return { ...batch, payload: `{"events":${batch.payload}}` };
    },
  };
}
