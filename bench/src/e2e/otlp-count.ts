// Counts the records of an OTLP/HTTP export request, for the sink. A protobuf request is walked
// with a minimal wire-format reader of our own, as the transport-http tests do: the transformer
// exports no request decoder, and one protobuf library decoding another's output would prove less
// than the wire format does. Nothing is materialised but the three levels of nesting counted.

/** What a request carries, which signal's request it is. */
export type OtlpSignal = 'logs' | 'spans';

/** OTLP/HTTP's two encodings, told apart by `content-type`. */
export type OtlpBodyFormat = 'protobuf' | 'json';

/**
 * Calls `visit(start, end)` for each length-delimited field numbered `wanted` of the message in
 * `buf[start, end)`, skipping every other field. Throws on malformed input.
 */
function forEachMessage(
  buf: Uint8Array,
  start: number,
  end: number,
  wanted: number,
  visit: (start: number, end: number) => void,
): void {
  let pos = start;
  while (pos < end) {
    // The tag: field number and wire type. Field numbers here are small; tags fit in 32 bits.
    let tag = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined || pos > end) throw new RangeError('truncated tag');
      tag += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new RangeError('tag too long');
    }
    const wire = tag % 8;
    const field = Math.floor(tag / 8);
    switch (wire) {
      case 0: // varint: skip its bytes
        for (;;) {
          const byte = buf[pos++];
          if (byte === undefined || pos > end) throw new RangeError('truncated varint');
          if ((byte & 0x80) === 0) break;
        }
        break;
      case 1: // fixed64
        pos += 8;
        break;
      case 5: // fixed32
        pos += 4;
        break;
      case 2: {
        let length = 0;
        let lengthShift = 0;
        for (;;) {
          const byte = buf[pos++];
          if (byte === undefined || pos > end) throw new RangeError('truncated length');
          length += (byte & 0x7f) * 2 ** lengthShift;
          if ((byte & 0x80) === 0) break;
          lengthShift += 7;
          if (lengthShift > 35) throw new RangeError('length too long');
        }
        const fieldEnd = pos + length;
        if (fieldEnd > end) throw new RangeError('truncated length-delimited field');
        if (field === wanted) visit(pos, fieldEnd);
        pos = fieldEnd;
        break;
      }
      default:
        throw new RangeError(`unsupported wire type ${wire}`);
    }
    if (pos > end) throw new RangeError('truncated fixed field');
  }
}

/**
 * Records in a protobuf `ExportLogsServiceRequest` or `ExportTraceServiceRequest`. Both nest the
 * same way: field 1 (`resource_logs` / `resource_spans`) holds field 2 (`scope_logs` /
 * `scope_spans`), which holds field 2 (`log_records` / `spans`).
 */
export function countProtobufRecords(buf: Uint8Array): number {
  let count = 0;
  forEachMessage(buf, 0, buf.length, 1, (rs, re) => {
    forEachMessage(buf, rs, re, 2, (ss, se) => {
      forEachMessage(buf, ss, se, 2, () => {
        count++;
      });
    });
  });
  return count;
}

const JSON_KEYS: Readonly<Record<OtlpSignal, readonly [string, string, string]>> = {
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
  spans: ['resourceSpans', 'scopeSpans', 'spans'],
};

function arrayAt(value: unknown, key: string): unknown[] {
  if (typeof value !== 'object' || value === null) throw new TypeError(`not an object at ${key}`);
  const found = (value as Record<string, unknown>)[key];
  if (found === undefined) return [];
  if (!Array.isArray(found)) throw new TypeError(`${key} is not an array`);
  return found;
}

/** Records in an OTLP/JSON request body of `signal`. */
export function countJsonRecords(text: string, signal: OtlpSignal): number {
  const [resourceKey, scopeKey, recordKey] = JSON_KEYS[signal];
  let count = 0;
  for (const resource of arrayAt(JSON.parse(text), resourceKey)) {
    for (const scope of arrayAt(resource, scopeKey)) count += arrayAt(scope, recordKey).length;
  }
  return count;
}

/** Records in one OTLP/HTTP request body, by its format. */
export function countRecords(body: Buffer, format: OtlpBodyFormat, signal: OtlpSignal): number {
  return format === 'protobuf'
    ? countProtobufRecords(body)
    : countJsonRecords(body.toString('utf8'), signal);
}
