import { crc32 } from './crc32.js';

// One batch per file, little-endian:
//
//   offset  size  field
//        0     4  magic "TRSP"
//        4     2  format version (1)
//        6     2  header length in bytes, header CRC included (64 + n)
//        8     1  payload kind: 0 bytes, 1 UTF-8 string
//        9     1  flags, 0 (a reader rejects flags it does not know)
//       10     2  content type length n, at most 1024
//       12     4  record count
//       16     8  creation time, milliseconds since the epoch (float64)
//       24    16  batch id (the de-duplication key)
//       40     8  writer's instance id
//       48     4  writer's pid
//       52     4  payload length
//       56     4  CRC-32 of the payload
//       60     n  content type, UTF-8
//     60+n     4  CRC-32 of bytes [0, 60+n): the header, the payload CRC included
//     64+n        payload
//
// The header CRC covers the payload CRC, so both together cover every byte of the file, and a
// scan can trust a header (its record count, age and length) without reading the payload.

/** The format version this code writes; files of a later version are set aside, never guessed at. */
export const FORMAT_VERSION = 1;
/** The longest content type a batch may carry, in UTF-8 bytes. */
export const MAX_CONTENT_TYPE_BYTES = 1024;
/** Header bytes before the content type. */
const FIXED_BYTES = 60;
/** The longest header: what a scan reads of each file. */
export const MAX_HEADER_BYTES: number = FIXED_BYTES + MAX_CONTENT_TYPE_BYTES + 4;
/** The longest payload the length field holds. */
export const MAX_PAYLOAD_BYTES = 0xffff_ffff;
const MAGIC = [0x54, 0x52, 0x53, 0x50] as const; // "TRSP"
const KIND_BYTES = 0;
const KIND_STRING = 1;

/** What a batch file's header says. */
export interface BatchHeader {
  readonly headerLength: number;
  readonly kind: 'bytes' | 'string';
  readonly recordCount: number;
  readonly createdAt: number;
  /** 32 lowercase hex digits. */
  readonly id: string;
  /** 16 lowercase hex digits. */
  readonly owner: string;
  readonly ownerPid: number;
  readonly payloadLength: number;
  readonly payloadCrc: number;
  readonly contentType: string;
}

/** Why a file is not a readable batch. */
export type BatchProblem =
  | 'not_a_batch'
  | 'unsupported_version'
  | 'truncated'
  | 'header_checksum'
  | 'payload_checksum'
  | 'trailing_bytes';

/** A header or a whole file that could not be read, with the header when it was sound. */
export interface BatchDefect {
  readonly problem: BatchProblem;
  readonly header?: BatchHeader;
}

/** The fields a writer supplies. */
export type BatchHeaderFields = Omit<BatchHeader, 'headerLength' | 'payloadLength' | 'payloadCrc'>;

/** The size of the header of a batch of `contentType`. */
export function headerLengthFor(contentType: string): number {
  return FIXED_BYTES + Buffer.byteLength(contentType, 'utf8') + 4;
}

/** Builds the header of a batch holding `payload`; the content type must fit the limit. */
export function encodeHeader(fields: BatchHeaderFields, payload: Uint8Array): Uint8Array {
  const contentType = Buffer.from(fields.contentType, 'utf8');
  const headerLength = FIXED_BYTES + contentType.length + 4;
  const header = Buffer.alloc(headerLength);
  header.set(MAGIC, 0);
  header.writeUInt16LE(FORMAT_VERSION, 4);
  header.writeUInt16LE(headerLength, 6);
  header.writeUInt8(fields.kind === 'string' ? KIND_STRING : KIND_BYTES, 8);
  header.writeUInt16LE(contentType.length, 10);
  header.writeUInt32LE(fields.recordCount, 12);
  header.writeDoubleLE(fields.createdAt, 16);
  header.write(fields.id, 24, 16, 'hex');
  header.write(fields.owner, 40, 8, 'hex');
  header.writeUInt32LE(fields.ownerPid, 48);
  header.writeUInt32LE(payload.length, 52);
  header.writeUInt32LE(crc32(payload), 56);
  contentType.copy(header, FIXED_BYTES);
  const crcAt = FIXED_BYTES + contentType.length;
  header.writeUInt32LE(crc32(header.subarray(0, crcAt)), crcAt);
  return header;
}

/**
 * Reads the header at the start of `bytes` (which may hold more of the file, or all of it) and
 * checks its CRC; the payload is not looked at.
 */
export function decodeHeader(bytes: Uint8Array): BatchHeader | BatchDefect {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 6) {
    return { problem: startsWith(view, MAGIC) ? 'truncated' : 'not_a_batch' };
  }
  if (!startsWith(view, MAGIC)) return { problem: 'not_a_batch' };
  // A later version may lay out everything after the version differently: read nothing more.
  if (view.readUInt16LE(4) !== FORMAT_VERSION) return { problem: 'unsupported_version' };
  if (view.length < FIXED_BYTES + 4) return { problem: 'truncated' };
  const headerLength = view.readUInt16LE(6);
  const contentTypeLength = view.readUInt16LE(10);
  if (headerLength !== FIXED_BYTES + contentTypeLength + 4) return { problem: 'header_checksum' };
  if (view.length < headerLength) return { problem: 'truncated' };
  const crcAt = headerLength - 4;
  if (crc32(view.subarray(0, crcAt)) !== view.readUInt32LE(crcAt)) {
    return { problem: 'header_checksum' };
  }
  const kind = view.readUInt8(8);
  const createdAt = view.readDoubleLE(16);
  if ((kind !== KIND_BYTES && kind !== KIND_STRING) || view.readUInt8(9) !== 0) {
    // A sound header with values this version never writes: a later writer's extension.
    return { problem: 'unsupported_version' };
  }
  if (!Number.isFinite(createdAt)) return { problem: 'header_checksum' };
  return {
    headerLength,
    kind: kind === KIND_STRING ? 'string' : 'bytes',
    recordCount: view.readUInt32LE(12),
    createdAt,
    id: view.toString('hex', 24, 40),
    owner: view.toString('hex', 40, 48),
    ownerPid: view.readUInt32LE(48),
    payloadLength: view.readUInt32LE(52),
    payloadCrc: view.readUInt32LE(56),
    contentType: view.toString('utf8', FIXED_BYTES, crcAt),
  };
}

/** A whole batch file, checked. */
export interface DecodedBatch {
  readonly header: BatchHeader;
  /** A string for a string batch, a view into the file's bytes otherwise. */
  readonly payload: Uint8Array | string;
}

/** Reads and checks a whole batch file: header, length and payload CRC. */
export function decodeBatch(file: Uint8Array): DecodedBatch | BatchDefect {
  const header = decodeHeader(file);
  if (isDefect(header)) return header;
  const end = header.headerLength + header.payloadLength;
  if (file.length < end) return { problem: 'truncated', header };
  if (file.length > end) return { problem: 'trailing_bytes', header };
  // A plain Uint8Array view, not a Buffer: the type the writer gave, without a copy.
  const payload = new Uint8Array(
    file.buffer,
    file.byteOffset + header.headerLength,
    header.payloadLength,
  );
  if (crc32(payload) !== header.payloadCrc) return { problem: 'payload_checksum', header };
  return {
    header,
    payload:
      header.kind === 'string'
        ? Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
        : payload,
  };
}

/** Whether a decode result is a defect. */
export function isDefect<T extends object>(result: T | BatchDefect): result is BatchDefect {
  return 'problem' in result;
}

function startsWith(view: Uint8Array, prefix: readonly number[]): boolean {
  for (let i = 0; i < prefix.length && i < view.length; i++) {
    if (view[i] !== prefix[i]) return false;
  }
  return true;
}
