// A minimal protobuf wire-format reader, enough to count and inspect what an OTLP export
// request holds. The transformer exports no request decoder, and a second protobuf library
// would test the encoder against itself less than against the wire format.

/** One field of a message: varints and fixed values as bigint, length-delimited as bytes. */
interface Field {
  readonly no: number;
  readonly value: bigint | Uint8Array;
}

function readVarint(buf: Uint8Array, start: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let pos = start;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined) throw new RangeError('truncated varint');
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function readFixed(buf: Uint8Array, pos: number, bytes: number): bigint {
  let result = 0n;
  for (let i = bytes - 1; i >= 0; i--) result = (result << 8n) | BigInt(buf[pos + i] ?? 0);
  return result;
}

/** Every field of one message, in wire order. Throws on malformed input. */
export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    pos = afterTag;
    if (wire === 0) {
      const [value, next] = readVarint(buf, pos);
      fields.push({ no, value });
      pos = next;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (pos + size > buf.length) throw new RangeError('truncated fixed field');
      fields.push({ no, value: readFixed(buf, pos, size) });
      pos += size;
    } else if (wire === 2) {
      const [length, start] = readVarint(buf, pos);
      const end = start + Number(length);
      if (end > buf.length) throw new RangeError('truncated length-delimited field');
      fields.push({ no, value: buf.subarray(start, end) });
      pos = end;
    } else {
      throw new RangeError(`unsupported wire type ${wire}`);
    }
  }
  return fields;
}

function messages(fields: readonly Field[], no: number): Uint8Array[] {
  return fields
    .filter((f) => f.no === no && f.value instanceof Uint8Array)
    .map((f) => f.value as Uint8Array);
}

function first(fields: readonly Field[], no: number): Field['value'] | undefined {
  return fields.find((f) => f.no === no)?.value;
}

function text(value: Field['value'] | undefined): string | undefined {
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;
}

function hex(value: Field['value'] | undefined): string | undefined {
  return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : undefined;
}

/** The string value of an `AnyValue` (field 1), if it is one. */
function anyValueString(value: Field['value'] | undefined): string | undefined {
  return value instanceof Uint8Array ? text(first(readFields(value), 1)) : undefined;
}

/** `KeyValue` list (repeated field `no`) to a map of string values. */
function stringAttributes(
  fields: readonly Field[],
  no: number,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const kv of messages(fields, no)) {
    const f = readFields(kv);
    out[text(first(f, 1)) ?? ''] = anyValueString(first(f, 2));
  }
  return out;
}

/** A log record of an `ExportLogsServiceRequest`, as far as the tests look. */
export interface WireLogRecord {
  readonly body: string | undefined;
  readonly severityNumber: number | undefined;
  readonly attributes: Record<string, string | undefined>;
  readonly traceId: string | undefined;
  readonly scope: string | undefined;
  readonly resource: Record<string, string | undefined>;
}

/** Decodes an OTLP `ExportLogsServiceRequest`. */
export function decodeLogsRequest(buf: Uint8Array): WireLogRecord[] {
  const records: WireLogRecord[] = [];
  for (const resourceLogs of messages(readFields(buf), 1)) {
    const rl = readFields(resourceLogs);
    const resourceBytes = first(rl, 1);
    const resource =
      resourceBytes instanceof Uint8Array ? stringAttributes(readFields(resourceBytes), 1) : {};
    for (const scopeLogs of messages(rl, 2)) {
      const sl = readFields(scopeLogs);
      const scopeBytes = first(sl, 1);
      const scope =
        scopeBytes instanceof Uint8Array ? text(first(readFields(scopeBytes), 1)) : undefined;
      for (const logRecord of messages(sl, 2)) {
        const lr = readFields(logRecord);
        const severity = first(lr, 2);
        records.push({
          body: anyValueString(first(lr, 5)),
          severityNumber: typeof severity === 'bigint' ? Number(severity) : undefined,
          attributes: stringAttributes(lr, 6),
          traceId: hex(first(lr, 9)),
          scope,
          resource,
        });
      }
    }
  }
  return records;
}

/** A span of an `ExportTraceServiceRequest`, as far as the tests look. */
export interface WireSpan {
  readonly name: string | undefined;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly scope: string | undefined;
}

/** Decodes an OTLP `ExportTraceServiceRequest`. */
export function decodeTraceRequest(buf: Uint8Array): WireSpan[] {
  const spans: WireSpan[] = [];
  for (const resourceSpans of messages(readFields(buf), 1)) {
    for (const scopeSpans of messages(readFields(resourceSpans), 2)) {
      const ss = readFields(scopeSpans);
      const scopeBytes = first(ss, 1);
      const scope =
        scopeBytes instanceof Uint8Array ? text(first(readFields(scopeBytes), 1)) : undefined;
      for (const span of messages(ss, 2)) {
        const s = readFields(span);
        spans.push({
          name: text(first(s, 5)),
          traceId: hex(first(s, 1)),
          spanId: hex(first(s, 2)),
          scope,
        });
      }
    }
  }
  return spans;
}
