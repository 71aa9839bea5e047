import { describe, expect, it } from 'vitest';
import {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
  OTLP_CONTENT_TYPES,
  type OtlpEncoderOptions,
  type OtlpFormat,
} from '../src/otlp/index.js';
import { decodeLogsRequest, decodeTraceRequest } from './helpers/otlp-wire.js';
import { makeLogRecords, makeSpans } from './helpers/sdk-records.js';

// Real SDK records of the line under test, encoded, decoded back by a minimal wire reader.

interface JsonLogsRequest {
  resourceLogs: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeLogs: { scope: { name: string }; logRecords: { body?: { stringValue?: string } }[] }[];
  }[];
}

interface JsonTraceRequest {
  resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
}

function jsonLogBodies(payload: Uint8Array | undefined): (string | undefined)[] {
  const request = JSON.parse(new TextDecoder().decode(payload)) as JsonLogsRequest;
  return request.resourceLogs.flatMap((rl) =>
    rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.body?.stringValue)),
  );
}

function jsonSpanNames(payload: Uint8Array | undefined): string[] {
  const request = JSON.parse(new TextDecoder().decode(payload)) as JsonTraceRequest;
  return request.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)),
  );
}

/** Bodies / names decoded from a payload in the given format. */
const logBodies = (format: OtlpFormat, payload: Uint8Array | undefined) =>
  format === 'json'
    ? jsonLogBodies(payload)
    : decodeLogsRequest(payload ?? new Uint8Array()).map((r) => r.body);
const spanNames = (format: OtlpFormat, payload: Uint8Array | undefined) =>
  format === 'json'
    ? jsonSpanNames(payload)
    : decodeTraceRequest(payload ?? new Uint8Array()).map((s) => s.name);

const sorted = <T>(values: readonly T[]): T[] => [...values].sort();
const labels = (prefix: string, indexes: readonly number[]) => indexes.map((i) => `${prefix} ${i}`);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('encoder shape', () => {
  it('defaults to protobuf and exposes the content type to send', () => {
    const encoder = createOtlpLogsEncoder();
    expect(encoder.format).toBe('protobuf');
    expect(encoder.contentType).toBe('application/x-protobuf');
    expect(createOtlpSpansEncoder({ format: 'json' }).contentType).toBe('application/json');
    expect(OTLP_CONTENT_TYPES).toEqual({
      protobuf: 'application/x-protobuf',
      json: 'application/json',
    });
  });

  it.each([
    [{ format: 'xml' }, "format must be one of 'protobuf', 'json', got 'xml'"],
    [{ format: 1 }, "format must be one of 'protobuf', 'json', got 1"],
  ])('rejects %o', (options, message) => {
    expect(() => createOtlpLogsEncoder(options as unknown as OtlpEncoderOptions)).toThrow(
      new TypeError(message),
    );
    expect(() => createOtlpSpansEncoder(options as unknown as OtlpEncoderOptions)).toThrow(
      new TypeError(message),
    );
  });

  it('rejects options that are not an object', () => {
    expect(() => createOtlpLogsEncoder(null as unknown as OtlpEncoderOptions)).toThrow(
      new TypeError('createOtlpLogsEncoder options must be an object, got null'),
    );
  });

  it('encodes an empty batch as nothing to send', () => {
    expect(createOtlpLogsEncoder().encode([])).toEqual({
      payload: undefined,
      recordCount: 0,
      failedCount: 0,
      consumed: 0,
    });
  });
});

describe.each(['protobuf', 'json'] as const)('OTLP %s', (format) => {
  it('log records round-trip: bodies, scopes, severity, resource', () => {
    const records = makeLogRecords(50);
    const encoded = createOtlpLogsEncoder({ format }).encode(records);
    expect(encoded).toMatchObject({ recordCount: 50, failedCount: 0 });
    expect(encoded.failedIndexes).toBeUndefined();
    // records are grouped by resource and scope, so the order may change, not the content
    expect(sorted(logBodies(format, encoded.payload))).toEqual(sorted(labels('record', range(50))));
    if (format === 'protobuf') {
      const decoded = decodeLogsRequest(encoded.payload ?? new Uint8Array());
      expect(new Set(decoded.map((r) => r.scope))).toEqual(new Set(['orders', 'payments']));
      expect(decoded.every((r) => r.resource['service.name'] === 'checkout')).toBe(true);
      const record7 = decoded.find((r) => r.body === 'record 7');
      expect(record7).toMatchObject({ severityNumber: 9, attributes: { 'record.index': '7' } });
      expect(decoded.find((r) => r.body === 'record 10')?.severityNumber).toBe(17);
    }
  });

  it('spans round-trip: names, ids', () => {
    const spans = makeSpans(30);
    const encoded = createOtlpSpansEncoder({ format }).encode(spans);
    expect(encoded).toMatchObject({ recordCount: 30, failedCount: 0 });
    expect(sorted(spanNames(format, encoded.payload))).toEqual(sorted(labels('span', range(30))));
    if (format === 'protobuf') {
      const decoded = decodeTraceRequest(encoded.payload ?? new Uint8Array());
      const first = spans[0]?.spanContext();
      expect(decoded.find((s) => s.name === 'span 0')).toMatchObject({
        traceId: first?.traceId,
        spanId: first?.spanId,
        scope: 'orders',
      });
    }
  });

  it('writes a request into the memory of one given back (release), and only then', () => {
    const encoder = createOtlpSpansEncoder({ format });
    const spans = makeSpans(40);
    const first = encoder.encode(spans).payload as Uint8Array;
    const second = encoder.encode(spans.slice(0, 20)).payload as Uint8Array;
    expect(second.buffer).not.toBe(first.buffer);
    const secondBytes = Buffer.from(second);
    encoder.release?.(first);
    const third = encoder.encode(spans.slice(20)).payload as Uint8Array;
    expect(third.buffer).toBe(first.buffer);
    expect(sorted(spanNames(format, third))).toEqual(sorted(labels('span', range(40).slice(20))));
    expect(Buffer.from(second).equals(secondBytes)).toBe(true);
    // Built in slices too, as the delivery does.
    encoder.release?.(third);
    const builder = encoder.begin();
    builder.add(spans, 0, 5);
    builder.add(spans, 5, 10);
    const fourth = builder.finish().payload as Uint8Array;
    expect(fourth.buffer).toBe(first.buffer);
    expect(sorted(spanNames(format, fourth))).toEqual(sorted(labels('span', range(10))));
  });

  it.each(['circular', 'throwing-getter', 'no-scope'] as const)(
    '3 %s log records among 1,000: exactly 997 encoded, the 3 positions reported',
    (kind) => {
      const poison = [0, 517, 999];
      const records = makeLogRecords(1000, poison, kind);
      const encoded = createOtlpLogsEncoder({ format }).encode(records);
      expect(encoded.recordCount).toBe(997);
      expect(encoded.failedCount).toBe(3);
      expect(encoded.failedIndexes).toEqual(poison);
      expect(encoded.firstError).toBeInstanceOf(Error);
      const kept = range(1000).filter((i) => !poison.includes(i));
      const decoded = logBodies(format, encoded.payload);
      expect(decoded).toHaveLength(997);
      expect(sorted(decoded)).toEqual(sorted(labels('record', kept)));
    },
  );

  it('3 poison spans among 1,000: exactly 997 encoded, the 3 positions reported', () => {
    const poison = [3, 4, 640];
    const encoded = createOtlpSpansEncoder({ format }).encode(makeSpans(1000, poison));
    expect(encoded).toMatchObject({ recordCount: 997, failedCount: 3, failedIndexes: poison });
    const kept = range(1000).filter((i) => !poison.includes(i));
    expect(sorted(spanNames(format, encoded.payload))).toEqual(sorted(labels('span', kept)));
  });

  it('mixed poison: circular bodies and a record with no scope', () => {
    const records = makeLogRecords(300, [250], 'no-scope');
    const circularAt = makeLogRecords(300, [10, 299], 'circular');
    const mixed = records.map((r, i) => (i === 10 || i === 299 ? (circularAt[i] ?? r) : r));
    const encoded = createOtlpLogsEncoder({ format }).encode(mixed);
    expect(encoded).toMatchObject({ recordCount: 297, failedIndexes: [10, 250, 299] });
    expect(logBodies(format, encoded.payload)).toHaveLength(297);
  });

  it.each(['circular', 'no-scope'] as const)(
    'a batch of nothing but %s poison has no payload and reports every record',
    (kind) => {
      const encoded = createOtlpLogsEncoder({ format }).encode(
        makeLogRecords(512, range(512), kind),
      );
      expect(encoded).toMatchObject({
        payload: undefined,
        recordCount: 0,
        failedCount: 512,
        failedIndexes: range(512),
      });
      // Bounded work: each cycle is found at its first repeat, no stack overflow; the vitest
      // timeout is the hang guard, not a wall-clock budget a loaded machine would stretch.
    },
  );
});
