import { randomUUID } from 'node:crypto';
import { MAX_CONTENT_TYPE_BYTES } from './batch-format.js';
import type { SpoolBatchInput } from './spool-types.js';

/** A batch input, checked and encoded for writing. */
export interface PreparedBatch {
  readonly payload: Uint8Array | string;
  /** The payload as written: the bytes given, or the string in UTF-8. */
  readonly bytes: Uint8Array;
  readonly kind: 'bytes' | 'string';
  readonly contentType: string;
  readonly recordCount: number;
  /** 32 lowercase hex digits. */
  readonly id: string;
}

const HEX_ID = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_RECORDS = 0xffff_ffff;

/** Checks a batch input; returns what is wrong with it as a sentence, or the batch ready to write. */
export function prepareBatch(input: unknown): PreparedBatch | string {
  if (typeof input !== 'object' || input === null) {
    return 'a batch must be an object with payload, contentType and recordCount';
  }
  const { payload, contentType, recordCount, id } = input as Partial<SpoolBatchInput>;
  let bytes: Uint8Array;
  if (typeof payload === 'string') bytes = Buffer.from(payload, 'utf8');
  else if (payload instanceof Uint8Array) bytes = payload;
  else return 'payload must be a string or a Uint8Array';
  if (typeof contentType !== 'string' || Buffer.byteLength(contentType) > MAX_CONTENT_TYPE_BYTES) {
    return `contentType must be a string of at most ${MAX_CONTENT_TYPE_BYTES} UTF-8 bytes`;
  }
  if (
    typeof recordCount !== 'number' ||
    !Number.isInteger(recordCount) ||
    recordCount < 0 ||
    recordCount > MAX_RECORDS
  ) {
    return `recordCount must be an integer between 0 and ${MAX_RECORDS}`;
  }
  let normalizedId: string;
  if (id === undefined) normalizedId = randomUUID().replaceAll('-', '');
  else if (typeof id === 'string' && (HEX_ID.test(id) || UUID.test(id))) {
    normalizedId = id.replaceAll('-', '').toLowerCase();
  } else return 'id must be 32 hex digits or a UUID';
  return {
    payload,
    bytes,
    kind: typeof payload === 'string' ? 'string' : 'bytes',
    contentType,
    recordCount,
    id: normalizedId,
  };
}

/** The record count of an input as far as it can be told, for counting a refused write. */
export function recordsOf(input: unknown): number {
  const count = (input as { recordCount?: unknown } | null | undefined)?.recordCount;
  return typeof count === 'number' && Number.isSafeInteger(count) && count > 0 ? count : 0;
}
