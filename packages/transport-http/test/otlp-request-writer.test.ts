import { describe, expect, it } from 'vitest';
import {
  createOtlpLogsEncoder,
  type OtlpFormat,
  type OtlpLogRecord,
  type OtlpResource,
} from '../src/otlp/index.js';
import { decoded, transformerLogs } from './helpers/otlp-oracle.js';
import { circular, makeLogRecords } from './helpers/sdk-records.js';

// The incremental writer (encoder.createWriter()) and what encode() builds on it: slices,
// positions, starting over, independence of writers, and buffers and caches reused safely.

const FORMATS: readonly OtlpFormat[] = ['protobuf', 'json'];

const body = (record: OtlpLogRecord, value: unknown): OtlpLogRecord =>
  Object.create(record, { body: { value, enumerable: true } }) as OtlpLogRecord;

describe.each(FORMATS)('OTLP %s request writer', (format) => {
  const encoder = createOtlpLogsEncoder({ format });
  const sameAs = (payload: Uint8Array | undefined, records: readonly OtlpLogRecord[]) =>
    expect(decoded('logs', format, payload)).toEqual(
      decoded('logs', format, transformerLogs(format, records)),
    );

  it('writes a batch given in slices as one request, counting positions across slices', () => {
    const records = makeLogRecords(10);
    const poisoned = records.map((record, i) =>
      i === 2 || i === 7 ? body(record, circular()) : record,
    );
    const writer = encoder.createWriter();
    writer.write(poisoned, 0, 3);
    writer.write(poisoned, 3, 3); // an empty slice
    writer.write(poisoned.slice(3, 6)); // another array: positions go on from 3
    writer.write(poisoned, 6);
    expect(writer.writtenCount).toBe(10);
    const encoded = writer.finish();
    expect(encoded).toMatchObject({ recordCount: 8, failedCount: 2, failedIndexes: [2, 7] });
    sameAs(
      encoded.payload,
      records.filter((_, i) => i !== 2 && i !== 7),
    );
  });

  it('starts over after finish() and after reset()', () => {
    const records = makeLogRecords(4);
    const writer = encoder.createWriter();
    writer.write(records, 0, 2);
    writer.reset();
    expect(writer.writtenCount).toBe(0);
    writer.write(records, 2, 4);
    sameAs(writer.finish().payload, records.slice(2));
    expect(writer.finish()).toEqual({
      payload: undefined,
      recordCount: 0,
      failedCount: 0,
      consumed: 0,
    });
    writer.write([body(records[0] as OtlpLogRecord, circular())]);
    expect(writer.finish()).toMatchObject({
      payload: undefined,
      recordCount: 0,
      failedCount: 1,
      failedIndexes: [0],
    });
  });

  it.each([
    [-1, 2],
    [2, 1],
    [0, 5],
    [0.5, 2],
    [0, Number.NaN],
  ])('rejects the range [%s, %s) of 4 items', (from, to) => {
    const writer = encoder.createWriter();
    expect(() => writer.write(makeLogRecords(4), from, to)).toThrow(RangeError);
    expect(writer.writtenCount).toBe(0);
  });

  it('keeps writers of one encoder apart, and payloads apart from the buffer reused', () => {
    const records = makeLogRecords(6);
    const a = encoder.createWriter();
    const b = encoder.createWriter();
    a.write(records, 0, 2);
    b.write(records, 3, 6);
    a.write(records, 2, 3);
    const first = a.finish().payload;
    const copy = Buffer.from(first ?? []);
    sameAs(b.finish().payload, records.slice(3));
    // the next batch reuses the writer's buffer: the payload handed out must not change
    a.write(records, 3, 6);
    a.finish();
    expect(Buffer.compare(Buffer.from(first ?? []), copy)).toBe(0);
    sameAs(first, records.slice(0, 3));
  });

  it('encode() called while encoding (from a getter) gets a buffer of its own', () => {
    const records = makeLogRecords(3);
    let inner: ReturnType<typeof encoder.encode> | undefined;
    const reentrant = Object.create(records[1] as OtlpLogRecord, {
      body: {
        enumerable: true,
        get: () => {
          inner = encoder.encode(records);
          return 'outer body';
        },
      },
    }) as OtlpLogRecord;
    const outer = encoder.encode([
      records[0] as OtlpLogRecord,
      reentrant,
      records[2] as OtlpLogRecord,
    ]);
    sameAs(inner?.payload, records);
    sameAs(outer.payload, [
      records[0] as OtlpLogRecord,
      body(records[1] as OtlpLogRecord, 'outer body'),
      records[2] as OtlpLogRecord,
    ]);
  });

  it('a 10 MiB body grows the buffer for that batch; the next batches are still right', () => {
    const records = makeLogRecords(3);
    const huge = body(records[1] as OtlpLogRecord, 'é'.repeat(5 * 1024 * 1024));
    const big = encoder.encode([records[0] as OtlpLogRecord, huge]);
    expect(big.recordCount).toBe(2);
    sameAs(big.payload, [records[0] as OtlpLogRecord, huge]);
    sameAs(encoder.encode(records).payload, records);
  });

  it('encodes a resource again when its attributes or schema URL change', () => {
    const [record] = makeLogRecords(1) as [OtlpLogRecord];
    let attributes: Record<string, unknown> = { 'service.name': 'before' };
    let schemaUrl: string | undefined;
    const resource: OtlpResource = {
      get attributes() {
        return attributes;
      },
      get schemaUrl() {
        return schemaUrl;
      },
    };
    const withResource = Object.create(record, { resource: { value: resource } }) as OtlpLogRecord;
    sameAs(encoder.encode([withResource]).payload, [withResource]);
    attributes = { 'service.name': 'after', 'service.version': '2' };
    sameAs(encoder.encode([withResource]).payload, [withResource]);
    schemaUrl = 'https://opentelemetry.io/schemas/1.26.0';
    const payload = encoder.encode([withResource]).payload;
    sameAs(payload, [withResource]);
    expect(new TextDecoder().decode(payload)).toContain('after');
  });
});

describe.each(FORMATS)('OTLP %s requests bounded by maxBytes', (format) => {
  const encoder = createOtlpLogsEncoder({ format });
  const sameAs = (payload: Uint8Array | undefined, records: readonly OtlpLogRecord[]) =>
    expect(decoded('logs', format, payload)).toEqual(
      decoded('logs', format, transformerLogs(format, records)),
    );

  it('fills requests up to maxBytes and leaves the rest for the next, in order', () => {
    const records = makeLogRecords(200);
    const whole = encoder.encode(records).payload?.byteLength ?? 0;
    const maxBytes = Math.ceil(whole / 3);
    const payloads: Uint8Array[] = [];
    let from = 0;
    while (from < records.length) {
      const encoded = encoder.encode(records.slice(from), { maxBytes });
      expect(encoded.failedCount).toBe(0);
      expect(encoded.payload?.byteLength).toBeLessThanOrEqual(maxBytes);
      sameAs(encoded.payload, records.slice(from, from + (encoded.consumed ?? 0)));
      payloads.push(encoded.payload as Uint8Array);
      from += encoded.consumed ?? records.length;
    }
    expect(payloads.length).toBeGreaterThanOrEqual(3);
    expect(payloads.length).toBeLessThanOrEqual(4);
  });

  it('drops a record too large for a request alone, as its own fault; the others ship', () => {
    const records = makeLogRecords(5);
    const big = body(records[2] as OtlpLogRecord, 'x'.repeat(50_000));
    const encoded = encoder.encode([...records.slice(0, 2), big, ...records.slice(3)], {
      maxBytes: 10_000,
    });
    expect(encoded).toMatchObject({
      recordCount: 4,
      failedCount: 1,
      failedIndexes: [2],
      consumed: 5,
    });
    expect((encoded.firstError as Error).name).toBe('RecordTooLargeError');
    sameAs(encoded.payload, [...records.slice(0, 2), ...records.slice(3)]);
  });

  it('built in slices through begin(), gives what encode() gives', () => {
    const records = makeLogRecords(100);
    const builder = encoder.begin({ maxBytes: 4096 });
    let position = 0;
    while (position < records.length) {
      const end = Math.min(position + 7, records.length);
      const next = builder.add(records, position, end);
      if (next < end) {
        position = next;
        break;
      }
      position = next;
    }
    const sliced = builder.finish();
    const whole = encoder.encode(records, { maxBytes: 4096 });
    expect(sliced.consumed).toBe(position);
    expect(sliced.consumed).toBe(whole.consumed);
    expect(sliced.payload).toEqual(whole.payload);
  });

  it('builds concurrent payloads apart, and a builder used after finish() touches no other', () => {
    const first = makeLogRecords(40);
    const second = makeLogRecords(25).map((record) => body(record, 'second batch'));
    // Two builders at once (two exports in flight) interleave their slices.
    const a = encoder.begin();
    const b = encoder.begin();
    for (let at = 0; at < 40; at += 5) {
      a.add(first, at, at + 5);
      if (at < 25) b.add(second, at, at + 5);
    }
    const fromA = a.finish();
    // `a` gave its writer back; the next builder reuses it while `a` is called again by mistake.
    const c = encoder.begin();
    expect(a.add(first, 0, 10)).toBe(0);
    expect(a.finish()).toMatchObject({ payload: undefined, recordCount: 0, failedCount: 0 });
    c.add(first, 0, 10);
    const fromB = b.finish();
    const fromC = c.finish();
    sameAs(fromA.payload, first);
    sameAs(fromB.payload, second);
    sameAs(fromC.payload, first.slice(0, 10));
  });
});
