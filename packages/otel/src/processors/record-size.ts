import type { AttributesLike, ReporterLogRecord, ReporterSpan } from '../sdk/sdk-types.js';

// The byte estimate behind `maxQueueBytes`. It runs once per record on the emit path, so it is
// shallow: strings count their length in UTF-16 code units (bytes for ASCII; UTF-8 text outside
// ASCII can be up to 3x larger on the wire), numbers and booleans 8, and it looks at most two
// levels deep and at the first MAX_ENTRIES entries of each object or array. Deeper structures
// count NESTED bytes each, and so does every entry past the limit, so that a body with 100,000
// entries weighs at least 100,000 x NESTED bytes. Typed arrays count their byteLength.
//
// Cost: an array's length is known at once, but JavaScript cannot count an object's keys without
// listing them all (`Object.keys`, like `for...in`, is O(keys)). So the estimate costs
// O(number of top-level keys) of each object it looks into (the body and the attributes, and
// the objects among their first MAX_ENTRIES values), plus at most MAX_ENTRIES reads per object.
// A body with a million keys costs one listing of its keys (a few hundred milliseconds on the
// emit path), never a walk of its values.

/** Fixed cost of a record: timestamps, ids, severity, scope and resource references. */
const RECORD_OVERHEAD = 96;
/** What an object or array counts for when it is not looked into. */
const NESTED = 32;
/** Entries looked at per object or array. */
const MAX_ENTRIES = 64;

/**
 * The byte estimate `maxQueueBytes` uses for a log record: a fixed 96 bytes, plus the body,
 * attributes, event name and severity text (strings by length, two levels deep, 64 entries per
 * level, 32 bytes for each entry past them). Costs O(number of top-level keys) of the body and
 * attributes: JavaScript lists an object's keys to count them.
 */
export function estimateLogRecordBytes(record: ReporterLogRecord): number {
  return (
    RECORD_OVERHEAD +
    valueBytes(record.body, 2) +
    attributesBytes(record.attributes) +
    (record.eventName?.length ?? 0) +
    (record.severityText?.length ?? 0)
  );
}

/**
 * The byte estimate `maxQueueBytes` uses for a span: a fixed 96 bytes, plus the name, the
 * attributes, each event's name and attributes and 32 bytes per event and per link. Costs
 * O(number of attribute keys), as for log records.
 */
export function estimateSpanBytes(span: ReporterSpan): number {
  let bytes = RECORD_OVERHEAD + span.name.length + attributesBytes(span.attributes);
  const events = span.events;
  for (let i = 0; i < events.length && i < MAX_ENTRIES; i++) {
    const event = events[i];
    bytes += NESTED + (event?.name.length ?? 0) + attributesBytes(event?.attributes);
  }
  if (events.length > MAX_ENTRIES) bytes += (events.length - MAX_ENTRIES) * NESTED;
  return bytes + span.links.length * NESTED;
}

function attributesBytes(attributes: AttributesLike | undefined): number {
  return attributes === undefined ? 0 : valueBytes(attributes, 2);
}

function valueBytes(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
    case 'boolean':
    case 'bigint':
      return 8;
    case 'object':
      return value === null ? 4 : objectBytes(value, depth);
    default:
      return 0;
  }
}

function objectBytes(value: object, depth: number): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (depth === 0) return NESTED;
  let bytes = 2;
  if (Array.isArray(value)) {
    const n = Math.min(value.length, MAX_ENTRIES);
    for (let i = 0; i < n; i++) bytes += 1 + valueBytes(value[i], depth - 1);
    return bytes + (value.length - n) * NESTED;
  }
  // Own enumerable keys, as JSON encodes them. Listing them is the O(keys) step noted above;
  // only the first MAX_ENTRIES are read, the rest count NESTED each.
  const keys = Object.keys(value);
  const n = Math.min(keys.length, MAX_ENTRIES);
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string;
    bytes += key.length + 2 + valueBytes((value as Record<string, unknown>)[key], depth - 1);
  }
  return bytes + (keys.length - n) * NESTED;
}
