import {
  type ByteSink,
  type Fragment,
  writeStringBetween,
} from '@telemetry-reporter/core/internal';

// OTLP/JSON fields with rules of their own: strings that must be strings, bytes as base64.

/**
 * Writes a string property, or nothing for undefined and null. Throws on anything else, which
 * OpenTelemetry's serializer would write as is, and a collector reject with the whole request.
 */
export function writeStringMember(sink: ByteSink, name: Fragment, value: unknown): void {
  if (typeof value === 'string') {
    writeStringBetween(sink, name, value, 0);
  } else if (value !== undefined && value !== null) {
    const field = Buffer.from(name.bytes).toString('utf8', 2, name.bytes.length - 2);
    throw new TypeError(`${field} must be a string`);
  }
}

/** Standard base64 of `bytes`, as OTLP/JSON writes `bytes` fields, in quotes. */
export function writeBase64(sink: ByteSink, bytes: Uint8Array): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  sink.ensure(text.length + 2);
  const buf = sink.buf;
  buf[sink.pos++] = 0x22;
  sink.pos += buf.write(text, sink.pos, 'latin1');
  buf[sink.pos++] = 0x22;
}
