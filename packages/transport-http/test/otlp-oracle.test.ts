import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
  type OtlpFormat,
  type OtlpLogRecord,
  type OtlpSpan,
} from '../src/otlp/index.js';
import { logBatch, spanBatch } from './helpers/otlp-arbitraries.js';
import { decoded, type Signal, transformerLogs, transformerSpans } from './helpers/otlp-oracle.js';

// Our encoders against OpenTelemetry's serializers of the SDK line under test, on generated
// records: the payloads must decode (protobuf, with protobufjs) or parse (JSON) to the same
// request. They are also expected to be byte for byte the same, which is stricter than OTLP
// asks, and catches a difference a decoder would forgive (an explicit zero where OpenTelemetry
// writes none, a non-minimal length).

const FORMATS: readonly OtlpFormat[] = ['protobuf', 'json'];

function expectSameRequest(
  signal: Signal,
  format: OtlpFormat,
  ours: Uint8Array | undefined,
  theirs: Uint8Array,
): void {
  expect(decoded(signal, format, ours)).toEqual(decoded(signal, format, theirs));
  // (not toEqual on the buffers: it compares byte by byte, slowly)
  expect(Buffer.compare(Buffer.from(ours ?? []), Buffer.from(theirs))).toBe(0);
}

describe.each(FORMATS)('OTLP %s, generated records', (format) => {
  const logs = createOtlpLogsEncoder({ format });
  const spans = createOtlpSpansEncoder({ format });

  it('log records encode to what OpenTelemetry sends', () => {
    fc.assert(
      fc.property(logBatch, (records: OtlpLogRecord[]) => {
        const encoded = logs.encode(records);
        expect(encoded).toMatchObject({ recordCount: records.length, failedCount: 0 });
        expectSameRequest('logs', format, encoded.payload, transformerLogs(format, records));
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('spans encode to what OpenTelemetry sends', () => {
    fc.assert(
      fc.property(spanBatch, (batch: OtlpSpan[]) => {
        const encoded = spans.encode(batch);
        expect(encoded).toMatchObject({ recordCount: batch.length, failedCount: 0 });
        expectSameRequest('spans', format, encoded.payload, transformerSpans(format, batch));
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('the same in slices of any size through a writer', () => {
    fc.assert(
      fc.property(
        logBatch,
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1 }),
        (records, sizes) => {
          const writer = logs.createWriter();
          let from = 0;
          for (let i = 0; from < records.length; i++) {
            const to = Math.min(records.length, from + (sizes[i % sizes.length] as number));
            writer.write(records, from, to);
            from = to;
          }
          expect(writer.writtenCount).toBe(records.length);
          const encoded = writer.finish();
          expect(writer.writtenCount).toBe(0);
          expectSameRequest('logs', format, encoded.payload, transformerLogs(format, records));
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});

describe.each(FORMATS)('OTLP %s, lengths at every varint and inline/native boundary', (format) => {
  const logs = createOtlpLogsEncoder({ format });
  const units = ['a', 'é', '€', '😀', '\uD800', '"'];
  const lengths = [
    0, 1, 24, 25, 41, 42, 63, 64, 127, 128, 129, 255, 256, 5_000, 16_383, 16_384, 70_000,
  ];
  const base = {
    hrTime: [1_700_000_000, 1] as const,
    hrTimeObserved: [1_700_000_000, 2] as const,
    resource: { attributes: { 'service.name': 'edges' } },
    instrumentationScope: { name: 'edges' },
  };

  it.each(units)('strings of %j repeated as body, attribute value and key', (unit) => {
    const records: OtlpLogRecord[] = lengths.map((length) => {
      const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
      return { ...base, body: text, attributes: { [text]: text, nested: { list: [text] } } };
    });
    // and a record of a few bytes, whose length prefix shrinks to one byte
    records.push({ ...base, attributes: {} });
    const encoded = logs.encode(records);
    expect(encoded.failedCount).toBe(0);
    expectSameRequest('logs', format, encoded.payload, transformerLogs(format, records));
  });
});
