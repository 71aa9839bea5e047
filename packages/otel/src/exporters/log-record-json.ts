import type { ReporterLogRecord } from '../sdk/sdk-types.js';
import { hrTimeToIso, hrTimeToUnixNanos } from './hr-time.js';

/**
 * The JSON object the default log encoder writes for one record. Optional fields are left out
 * when the record has no value for them.
 */
export interface LogRecordJson {
  /** When the event happened, ISO 8601 with millisecond precision. */
  timestamp: string;
  /** The same instant in nanoseconds since the Unix epoch, as a decimal string. */
  timeUnixNano: string;
  /** When the SDK observed the record, nanoseconds since the epoch. */
  observedTimeUnixNano?: string;
  /** OpenTelemetry severity number (1-24; 9 is INFO, 17 is ERROR). */
  severityNumber?: number;
  /** Severity as the emitter spelled it (`'INFO'`, `'warn'`). */
  severityText?: string;
  /** The event name, for event records. */
  eventName?: string;
  /** The body, as emitted. */
  body?: unknown;
  /** The record's attributes. */
  attributes: Readonly<Record<string, unknown>>;
  /** Trace context of the span active at emit time. */
  traceId?: string;
  spanId?: string;
  traceFlags?: number;
  /** Attributes of the resource (service.name, ...). */
  resource: Readonly<Record<string, unknown>>;
  /** The instrumentation scope (logger) that emitted the record. */
  scope: { name: string; version?: string };
}

/** Maps a log record to {@link LogRecordJson}; the default encoder's `map`. */
export function logRecordToJson(record: ReporterLogRecord): LogRecordJson {
  const json: LogRecordJson = {
    timestamp: hrTimeToIso(record.hrTime),
    timeUnixNano: hrTimeToUnixNanos(record.hrTime),
    attributes: record.attributes,
    resource: record.resource?.attributes ?? {},
    scope: scopeOf(record.instrumentationScope),
  };
  if (record.hrTimeObserved) json.observedTimeUnixNano = hrTimeToUnixNanos(record.hrTimeObserved);
  if (record.severityNumber !== undefined) json.severityNumber = record.severityNumber;
  if (record.severityText !== undefined) json.severityText = record.severityText;
  if (record.eventName !== undefined) json.eventName = record.eventName;
  if (record.body !== undefined) json.body = record.body;
  const span = record.spanContext;
  if (span) {
    json.traceId = span.traceId;
    json.spanId = span.spanId;
    json.traceFlags = span.traceFlags;
  }
  return json;
}

/** The scope fields the JSON encoders write. */
export function scopeOf(scope: { name: string; version?: string } | undefined): {
  name: string;
  version?: string;
} {
  if (!scope) return { name: '' };
  return scope.version === undefined
    ? { name: scope.name }
    : { name: scope.name, version: scope.version };
}
