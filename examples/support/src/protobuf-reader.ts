// Just enough of the protobuf wire format to walk an OTLP export request: a field's number, its
// wire type and, for length-delimited fields, its bytes. No schema, no dependency.

/** One field of a protobuf message. */
export interface ProtobufField {
  readonly number: number;
  /** Set for varint fields (wire type 0). */
  readonly varint?: number;
  /** Set for length-delimited fields (wire type 2): a nested message, a string or bytes. */
  readonly bytes?: Uint8Array;
}

/** The fields of one message, in wire order; fixed-width fields are skipped. */
export function* readFields(message: Uint8Array): Generator<ProtobufField> {
  let pos = 0;
  while (pos < message.length) {
    const [tag, afterTag] = readVarint(message, pos);
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    pos = afterTag;
    if (wireType === 0) {
      const [varint, after] = readVarint(message, pos);
      pos = after;
      yield { number, varint };
    } else if (wireType === 1) {
      pos += 8;
    } else if (wireType === 5) {
      pos += 4;
    } else if (wireType === 2) {
      const [length, start] = readVarint(message, pos);
      pos = start + length;
      if (pos > message.length) throw new RangeError('truncated message');
      yield { number, bytes: message.subarray(start, pos) };
    } else {
      throw new RangeError(`unsupported wire type ${wireType}`);
    }
  }
}

/** The length-delimited fields numbered `wanted`. */
export function* messages(message: Uint8Array, wanted: number): Generator<Uint8Array> {
  for (const field of readFields(message)) {
    if (field.number === wanted && field.bytes !== undefined) yield field.bytes;
  }
}

/** The first string field numbered `wanted`, or `undefined`. */
export function stringField(message: Uint8Array, wanted: number): string | undefined {
  for (const bytes of messages(message, wanted)) return new TextDecoder().decode(bytes);
  return undefined;
}

/** The first varint field numbered `wanted`, or 0 (protobuf's default). */
export function varintField(message: Uint8Array, wanted: number): number {
  for (const field of readFields(message)) {
    if (field.number === wanted && field.varint !== undefined) return field.varint;
  }
  return 0;
}

/** A varint and the position after it; arithmetic rather than bit operators, past 2^31. */
function readVarint(buf: Uint8Array, start: number): [number, number] {
  let value = 0;
  let factor = 1;
  for (let pos = start; pos < buf.length; pos++) {
    const byte = buf[pos] as number;
    value += (byte & 0x7f) * factor;
    if (byte < 0x80) return [value, pos + 1];
    factor *= 128;
  }
  throw new RangeError('truncated varint');
}
