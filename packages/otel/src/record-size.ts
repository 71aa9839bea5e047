import type { AttributesLike, ReporterLogRecord, ReporterSpan } from './types.js';

// The byte estimate behind `maxQueueBytes`. It runs once per record on the emit path, so it is
// shallow and bounded: strings count their length in UTF-16 code units (bytes for ASCII; UTF-8
// text outside ASCII can be up to 3x larger on the wire), numbers and booleans 8, and it looks
// at most two levels deep and at most MAX_ENTRIES entries per object or array. Deeper
// structures count NESTED bytes each and entries past the limit count NESTED each, so bodies
// with large nested payloads are under-estimated. Typed arrays count their byteLength.

/** Fixed cost of a record: timestamps, ids, severity, scope and resource references. */
const RECORD_OVERHEAD = 96;
/** What an object or array counts for when it is not looked into. */
const NESTED = 32;
/** Entries looked at per object or array. */
const MAX_ENTRIES = 64;

/**
 * The byte estimate `maxQueueBytes` uses for a log record: a fixed 96 bytes, plus the body,
 * attributes, event name and severity text as described at the top of this module (strings by
 * length, two levels deep, 64 entries per level).
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
 * attributes, each event's name and attributes and 32 bytes per event and per link.
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
  let seen = 0;
  for (const key in value) {
    if (seen++ === MAX_ENTRIES) return bytes + NESTED;
    bytes += key.length + 2 + valueBytes((value as Record<string, unknown>)[key], depth - 1);
  }
  return bytes;
}
