import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { describe, expect, it } from 'vitest';
import {
  BatchEngine,
  createJsonEncoder,
  type Encoder,
  TransportDelivery,
} from '../../src/index.js';
import { ScriptedTransport } from '../helpers/scripted-transport.js';

// maxRequestBytes: a batch too large for one request is sent as several, each within the bound;
// a record is dropped only for its own size. Before, 512 records of 1 MiB made one string too
// large for V8 and the whole batch was lost as encoding_failed.

const MiB = 1024 * 1024;

function pipeline<Payload>(
  encoder: Encoder<string, Payload>,
  maxRequestBytes?: number,
): { engine: BatchEngine<string>; transport: ScriptedTransport<Payload> } {
  const transport = new ScriptedTransport<Payload>();
  const delivery = new TransportDelivery<string, Payload>({
    transport,
    encoder,
    ...(maxRequestBytes === undefined ? {} : { maxRequestBytes }),
  });
  const engine = new BatchEngine<string>({
    exportBatch: (batch, context) => delivery.deliver(batch, context),
    maxExportBatchSize: 512,
    maxQueueSize: 512,
    scheduledDelayMillis: 0,
  });
  return { engine, transport };
}

describe('maxRequestBytes', () => {
  it('ships a batch of 1 MiB records in requests of at most 4 MiB by default, none lost', async () => {
    const record = 'x'.repeat(MiB);
    const { engine, transport } = pipeline(createJsonEncoder<string>());
    for (let i = 0; i < 64; i++) engine.offer(record);
    expect(await engine.flush()).toBe(true);
    const stats = expectInvariant(engine.stats());
    expect(stats).toMatchObject({
      exported: 64,
      dropped: expect.objectContaining({ encoding_failed: 0 }),
    });
    // three records (3 MiB plus quotes and commas) per request: a fourth would pass 4 MiB
    expect(transport.sends.map((s) => s.recordCount)).toEqual([
      ...Array.from({ length: 21 }, () => 3),
      1,
    ]);
    for (const { payload } of transport.sends) {
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(4 * MiB);
    }
  });

  it('drops a record larger than a request alone, as encoding_failed; its batch ships', async () => {
    const { engine, transport } = pipeline(createJsonEncoder<string>(), 1_000);
    for (const item of ['a', 'x'.repeat(2_000), 'b']) engine.offer(item);
    expect(await engine.flush()).toBe(true);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 2,
      dropped: expect.objectContaining({ encoding_failed: 1 }),
    });
    expect(transport.sends.map((s) => JSON.parse(s.payload))).toEqual([['a', 'b']]);
  });

  it('splits the oversize payloads of an encoder that cannot bound them, in halves', async () => {
    // An encoder of the kind users write: one payload per call, whatever its size.
    const naive: Encoder<string, string> = {
      encode: (items) => ({
        payload: items.join('\n'),
        recordCount: items.length,
        failedCount: 0,
      }),
    };
    const { engine, transport } = pipeline(naive, 250);
    for (let i = 0; i < 8; i++) engine.offer('y'.repeat(99));
    engine.offer('z'.repeat(300)); // larger than a request alone
    expect(await engine.flush()).toBe(true);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 8,
      dropped: expect.objectContaining({ encoding_failed: 1 }),
    });
    for (const { payload } of transport.sends) expect(payload.length).toBeLessThanOrEqual(250);
    expect(transport.sends.reduce((sum, s) => sum + s.recordCount, 0)).toBe(8);
  });

  it.each([0, -1, 1.5, Number.NaN, '4096', null])(
    'rejects maxRequestBytes %s, naming it',
    (value) => {
      expect(
        () =>
          new TransportDelivery({
            transport: new ScriptedTransport(),
            encoder: createJsonEncoder(),
            maxRequestBytes: value as number,
          }),
      ).toThrow(/^maxRequestBytes must be an integer >= 1 or Infinity, got /);
    },
  );
});
