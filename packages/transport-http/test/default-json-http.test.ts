import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtlpLogsEncoder } from '../src/otlp/index.js';
import { CLIENTS, createTransportOver } from './helpers/clients.js';
import { logPipeline } from './helpers/log-pipeline.js';
import { decodeLogsRequest } from './helpers/otlp-wire.js';
import { TestServer } from './helpers/test-server.js';

// The transport exporters' default JSON payload reaches the HTTP transport as bytes (it sets
// `acceptsBytes`), and goes out labelled with the encoder's content type, which the delivery
// passes with each send: no `contentType` option needed, for JSON nor for OTLP.

let server: TestServer;

beforeEach(async () => {
  server = await TestServer.start();
});

afterEach(async () => {
  await server.stop();
});

describe.each(CLIENTS)('over %s', (_name, client) => {
  it.each([['none'], ['gzip']] as const)(
    'sends the default JSON payload as application/json (compression: %s)',
    async (compression) => {
      const { provider, processor, logger } = logPipeline({
        transport: createTransportOver(client, { url: server.url(), compression }),
      });
      const bodies = ['plain', 'déjà vu €', '🚀', 'lone \ud800'];
      for (const body of bodies) logger.emit({ body });
      await provider.forceFlush();
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.headers['content-type']).toBe('application/json');
      const records = server.jsonBodies<{ body: string }[]>().flat();
      expect(records.map((r) => r.body)).toEqual(bodies);
      expect(processor.stats()).toMatchObject({ received: 4, exported: 4 });
      await provider.shutdown();
    },
  );

  it('labels an OTLP payload with its encoder content type when the option is left out', async () => {
    const { provider, emit } = logPipeline({
      encoder: createOtlpLogsEncoder(),
      transport: createTransportOver(client, { url: server.url() }),
    });
    emit(3);
    await provider.forceFlush();
    expect(server.requests[0]?.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeLogsRequest(server.requests[0]?.body ?? Buffer.alloc(0))).toHaveLength(3);
    await provider.shutdown();
  });
});
