import { writeJsonString } from '@telemetry-reporter/core/internal';
import { LastIdCache } from './last-id-cache.js';

// The trace and span ids of OTLP/JSON, each cache remembering the last id it wrote.

/** A 32-digit trace id as a JSON string: the digits and two quotes. */
const MAX_ID_BYTES = 34;

/** Trace ids of log records and spans. */
export const JSON_TRACE_IDS: LastIdCache<string> = new LastIdCache(writeJsonString, MAX_ID_BYTES);
/** Span ids of log records. */
export const JSON_LOG_SPAN_IDS: LastIdCache<string> = new LastIdCache(
  writeJsonString,
  MAX_ID_BYTES,
);
/** Parent span ids of spans. */
export const JSON_PARENT_SPAN_IDS: LastIdCache<string> = new LastIdCache(
  writeJsonString,
  MAX_ID_BYTES,
);
