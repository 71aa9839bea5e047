import type { ReporterSpan } from '../sdk/sdk-types.js';
import { hrTimeToIso, hrTimeToUnixNanos } from './hr-time.js';
import { scopeOf } from './log-record-json.js';

/** The JSON object the default span encoder writes for one span. */
export interface SpanJson {
  name: string;
  /** `SpanKind`: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceFlags: number;
  /** Start, ISO 8601 with millisecond precision. */
  timestamp: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** `SpanStatusCode`: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  attributes: Readonly<Record<string, unknown>>;
  events: { name: string; timeUnixNano: string; attributes?: Readonly<Record<string, unknown>> }[];
  links: { traceId: string; spanId: string; attributes?: Readonly<Record<string, unknown>> }[];
  resource: Readonly<Record<string, unknown>>;
  scope: { name: string; version?: string };
}

/** Maps a span to {@link SpanJson}; the default span encoder's `map`. */
export function spanToJson(span: ReporterSpan): SpanJson {
  const context = span.spanContext();
  const json: SpanJson = {
    name: span.name,
    kind: span.kind,
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    timestamp: hrTimeToIso(span.startTime),
    startTimeUnixNano: hrTimeToUnixNanos(span.startTime),
    endTimeUnixNano: hrTimeToUnixNanos(span.endTime),
    status:
      span.status.message === undefined
        ? { code: span.status.code }
        : { code: span.status.code, message: span.status.message },
    attributes: span.attributes,
    events: eventsToJson(span.events),
    links: linksToJson(span.links),
    resource: span.resource?.attributes ?? {},
    scope: scopeOf(span.instrumentationScope),
  };
  if (span.parentSpanContext) json.parentSpanId = span.parentSpanContext.spanId;
  return json;
}

/** The `events` field of {@link SpanJson}. */
export function eventsToJson(events: ReporterSpan['events']): SpanJson['events'] {
  return events.map((e) => ({
    name: e.name,
    timeUnixNano: hrTimeToUnixNanos(e.time),
    attributes: e.attributes,
  }));
}

/** The `links` field of {@link SpanJson}. */
export function linksToJson(links: ReporterSpan['links']): SpanJson['links'] {
  return links.map((l) => ({
    traceId: l.context.traceId,
    spanId: l.context.spanId,
    attributes: l.attributes,
  }));
}
