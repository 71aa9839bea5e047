import type { ReporterLogRecord, ReporterSpan } from '../sdk/sdk-types.js';
import { hrTimeToIso, hrTimeToUnixNanos } from './hr-time.js';
import { stringText, valueText } from './json-text.js';
import { scopeOf } from './log-record-json.js';
import { eventsToJson, linksToJson } from './span-json.js';

// The default JSON payload, written as pieces of text with no object built per record: the
// pieces `writeLogRecordJson(r, out)` appends join into `JSON.stringify(logRecordToJson(r))`,
// and likewise for spans (the tests hold them to it). The resource and the scope, the same
// objects for every record of a provider, are serialised once and reused; every other value is
// written as JSON.stringify writes it (json-text.ts), so odd values (NaN, lone surrogates,
// toJSON, a throwing getter) are written, or fail, exactly as before. One difference: a
// `toJSON(key)` method of an attributes object or a body receives '' as its key rather than
// the property's name.

/** Resource attributes serialised, by resource object, while the resource lives. */
const resourceTexts = new WeakMap<object, { attributes: unknown; text: string | undefined }>();
/** Scopes serialised, by scope object. */
const scopeTexts = new WeakMap<object, string>();

function resourceText(resource: ReporterLogRecord['resource'] | undefined): string | undefined {
  if (typeof resource !== 'object' || resource === null) return '{}';
  const attributes = resource.attributes ?? {};
  const cached = resourceTexts.get(resource);
  // A resource's attributes never change; a new attributes object (an async detection that
  // finished) is serialised anew.
  if (cached !== undefined && cached.attributes === attributes) return cached.text;
  const text = JSON.stringify(attributes);
  resourceTexts.set(resource, { attributes, text });
  return text;
}

function scopeText(scope: ReporterLogRecord['instrumentationScope'] | undefined): string {
  if (typeof scope !== 'object' || scope === null) return JSON.stringify(scopeOf(scope));
  let text = scopeTexts.get(scope);
  if (text === undefined) {
    text = JSON.stringify(scopeOf(scope));
    scopeTexts.set(scope, text);
  }
  return text;
}

// The ISO 8601 text of the last whole second seen: records of one batch share their seconds,
// and formatting a Date is otherwise the dearest part of a record.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `"<ISO 8601>"` of an hrTime, as `hrTimeToIso`, with the whole second cached. */
function isoText(time: ReporterLogRecord['hrTime']): string {
  const seconds = time[0];
  const nanos = time[1];
  if (Number.isInteger(seconds) && typeof nanos === 'number' && nanos >= 0 && nanos < 1e9) {
    if (seconds !== cachedSecond) {
      const iso = hrTimeToIso([seconds, 0]); // throws where it would throw with the nanos
      cachedSecond = seconds;
      cachedPrefix = iso.slice(0, iso.length - 4); // 'YYYY-MM-DDTHH:MM:SS.'
    }
    const millis = Math.floor(nanos / 1e6);
    return `"${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z"`;
  }
  return stringText(hrTimeToIso(time));
}

/**
 * Appends `key` (a literal such as `',"body":'`, separator and colon included) and `text`,
 * unless JSON would leave the value out.
 */
function member(out: string[], key: string, text: string | undefined): void {
  if (text !== undefined) out.push(key, text);
}

/** Appends the pieces of `JSON.stringify(logRecordToJson(record))`. */
export function writeLogRecordJson(record: ReporterLogRecord, out: string[]): void {
  out.push('{"timestamp":', isoText(record.hrTime), ',"timeUnixNano":');
  out.push(stringText(hrTimeToUnixNanos(record.hrTime)));
  member(out, ',"attributes":', valueText(record.attributes));
  member(out, ',"resource":', resourceText(record.resource));
  out.push(',"scope":', scopeText(record.instrumentationScope));
  const observed = record.hrTimeObserved;
  if (observed) out.push(',"observedTimeUnixNano":', stringText(hrTimeToUnixNanos(observed)));
  const { severityNumber, severityText, eventName, body } = record;
  if (severityNumber !== undefined) member(out, ',"severityNumber":', valueText(severityNumber));
  if (severityText !== undefined) member(out, ',"severityText":', valueText(severityText));
  if (eventName !== undefined) member(out, ',"eventName":', valueText(eventName));
  if (body !== undefined) member(out, ',"body":', valueText(body));
  const span = record.spanContext;
  if (span) {
    member(out, ',"traceId":', valueText(span.traceId));
    member(out, ',"spanId":', valueText(span.spanId));
    member(out, ',"traceFlags":', valueText(span.traceFlags));
  }
  out.push('}');
}

/** Appends the pieces of `JSON.stringify(spanToJson(span))`. */
export function writeSpanJson(span: ReporterSpan, out: string[]): void {
  const context = span.spanContext();
  const name = valueText(span.name);
  // The name opens the object; JSON leaves it out only for a name no SDK gives.
  if (name === undefined) out.push('{"kind":', String(valueText(span.kind)));
  else {
    out.push('{"name":', name);
    member(out, ',"kind":', valueText(span.kind));
  }
  member(out, ',"traceId":', valueText(context.traceId));
  member(out, ',"spanId":', valueText(context.spanId));
  member(out, ',"traceFlags":', valueText(context.traceFlags));
  out.push(',"timestamp":', isoText(span.startTime));
  out.push(',"startTimeUnixNano":', stringText(hrTimeToUnixNanos(span.startTime)));
  out.push(',"endTimeUnixNano":', stringText(hrTimeToUnixNanos(span.endTime)));
  const { status } = span;
  out.push(
    ',"status":',
    JSON.stringify(
      status.message === undefined
        ? { code: status.code }
        : { code: status.code, message: status.message },
    ),
  );
  member(out, ',"attributes":', valueText(span.attributes));
  out.push(',"events":', JSON.stringify(eventsToJson(span.events)));
  out.push(',"links":', JSON.stringify(linksToJson(span.links)));
  member(out, ',"resource":', resourceText(span.resource));
  out.push(',"scope":', scopeText(span.instrumentationScope));
  if (span.parentSpanContext) {
    member(out, ',"parentSpanId":', valueText(span.parentSpanContext.spanId));
  }
  out.push('}');
}
