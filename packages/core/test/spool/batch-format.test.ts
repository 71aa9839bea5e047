import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BatchHeaderFields,
  decodeBatch,
  decodeHeader,
  encodeHeader,
  FORMAT_VERSION,
} from '../../src/spool/batch-format.js';
import { crc32, crc32Js } from '../../src/spool/index.js';

const FIELDS: BatchHeaderFields = {
  kind: 'bytes',
  recordCount: 512,
  createdAt: 1_750_000_000_123,
  id: '0123456789abcdef0123456789abcdef',
  owner: 'fedcba9876543210',
  ownerPid: 4242,
  contentType: 'application/x-protobuf',
};

function file(payload: Uint8Array, fields: BatchHeaderFields = FIELDS): Buffer {
  return Buffer.concat([encodeHeader(fields, payload), payload]);
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Js(check)).toBe(0xcbf43926);
    expect(crc32Js(new Uint8Array(0))).toBe(0);
  });

  it('the JS fallback agrees with zlib.crc32, continuation included', () => {
    const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
    const reference = native ?? crc32;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(crc32Js(a)).toBe(reference(a));
        expect(crc32Js(b, crc32Js(a))).toBe(reference(Buffer.concat([a, b])));
      }),
    );
  });
});

describe('batch file format', () => {
  it('reads back every header field and the payload', () => {
    const payload = new Uint8Array([1, 2, 3, 250]);
    const decoded = decodeBatch(file(payload));
    expect(decoded).toEqual({
      header: {
        ...FIELDS,
        headerLength: 64 + FIELDS.contentType.length,
        payloadLength: 4,
        payloadCrc: crc32(payload),
      },
      payload,
    });
  });

  it('gives a string batch back as a string, multi-byte characters included', () => {
    const text = 'ünïcödé ✓ 🚀';
    const decoded = decodeBatch(file(Buffer.from(text), { ...FIELDS, kind: 'string' }));
    expect(decoded).toMatchObject({ payload: text });
  });

  it('starts with the magic "TRSP" and the version, little-endian', () => {
    const bytes = file(new Uint8Array(0));
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('TRSP');
    expect(bytes.readUInt16LE(4)).toBe(FORMAT_VERSION);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'truncated'],
    ['the magic alone', Buffer.from('TRS'), 'truncated'],
    ['something else entirely', Buffer.from('{"json": true}'), 'not_a_batch'],
  ])('names the problem with %s', (_, bytes, problem) => {
    expect(decodeBatch(bytes)).toEqual({ problem });
  });

  it('reads nothing past the version of a later format', () => {
    const bytes = file(new Uint8Array(10));
    bytes.writeUInt16LE(FORMAT_VERSION + 1, 4);
    bytes.fill(0xff, 6); // whatever a later version puts there
    expect(decodeHeader(bytes)).toEqual({ problem: 'unsupported_version' });
  });

  it('keeps the header of a file whose payload is damaged or cut, for its record count', () => {
    const bytes = file(new Uint8Array(100).fill(7));
    const cut = decodeBatch(bytes.subarray(0, bytes.length - 1));
    expect(cut).toMatchObject({ problem: 'truncated', header: { recordCount: 512 } });
    bytes[bytes.length - 1] = 8;
    expect(decodeBatch(bytes)).toMatchObject({
      problem: 'payload_checksum',
      header: { recordCount: 512 },
    });
    expect(decodeBatch(Buffer.concat([file(new Uint8Array(3)), Buffer.from('x')]))).toMatchObject({
      problem: 'trailing_bytes',
    });
  });

  it('detects any damage to any file (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.string({ maxLength: 30 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (payload, contentType, position, mask) => {
          const bytes = file(payload, { ...FIELDS, contentType });
          expect(decodeBatch(bytes)).not.toHaveProperty('problem');
          const at = position % bytes.length;
          bytes[at] = (bytes[at] as number) ^ mask;
          expect(decodeBatch(bytes)).toHaveProperty('problem');
        },
      ),
    );
  });
});
