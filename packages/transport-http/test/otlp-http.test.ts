import {
  ReporterSpanProcessor,
  TransportSpanExporter,
  unaccountedRecords,
} from '@telemetry-reporter/otel';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resourceFromAttributes, TracerProvider } from '#sdk';
import { createHttpTransport } from '../src/index.js';
import { createOtlpLogsEncoder, createOtlpSpansEncoder } from '../src/otlp/index.js';
import { logPipeline } from './helpers/log-pipeline.js';
import { decodeLogsRequest } from './helpers/otlp-wire.js';
import { circular } from './helpers/sdk-records.js';
import { TestServer } from './helpers/test-server.js';

// OTLP/HTTP end to end: SDK records -> our processor -> OTLP encoder -> HTTP transport -> a
// server that decodes what arrived.

let server: TestServer;

beforeEach(async () => {
  server = await TestServer.start();
});

afterEach(async () => {
  await server.stop();
});

function receivedBodies(): (string | undefined)[] {
  return server.requests.flatMap((r) => decodeLogsRequest(r.body).map((l) => l.body));
}

it('protobuf logs, gzipped: a circular body is dropped alone as encoding_failed', async () => {
  const encoder = createOtlpLogsEncoder();
  const { processor, provider, emit, logger } = logPipeline({
    encoder,
    transport: createHttpTransport({
      url: server.url(),
      contentType: encoder.contentType,
      compression: 'gzip',
    }),
  });
  emit(60);
  logger.emit({ body: circular() });
  emit(39, 60);
  await provider.forceFlush();
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]?.headers['content-type']).toBe('application/x-protobuf');
  expect(server.requests[0]?.headers['content-encoding']).toBe('gzip');
  const bodies = receivedBodies();
  expect(bodies).toHaveLength(99);
  expect(new Set(bodies)).toEqual(new Set(Array.from({ length: 99 }, (_, i) => `record ${i}`)));
  const stats = processor.stats();
  expect(stats).toMatchObject({ received: 100, exported: 99 });
  expect(stats.dropped.encoding_failed).toBe(1);
  expect(unaccountedRecords(stats)).toBe(0);
  await provider.shutdown();
});

it('413 on an OTLP batch with a bad record: split without it, nothing counted twice', async () => {
  server.responder = (request) => ({
    status: decodeLogsRequest(request.body).length > 30 ? 413 : 200,
  });
  const encoder = createOtlpLogsEncoder();
  const { processor, provider, emit, logger } = logPipeline({
    encoder,
    transport: createHttpTransport({ url: server.url(), contentType: encoder.contentType }),
  });
  emit(10);
  logger.emit({ body: circular() });
  emit(89, 10);
  await provider.forceFlush();
  const accepted = server.requests
    .map((r) => decodeLogsRequest(r.body))
    .filter((records) => records.length <= 30)
    .flat()
    .map((r) => r.body);
  expect(accepted).toHaveLength(99);
  expect(new Set(accepted).size).toBe(99);
  const stats = processor.stats();
  expect(stats).toMatchObject({ exported: 99, retries: 0 });
  expect(stats.dropped).toMatchObject({ encoding_failed: 1, rejected: 0 });
  expect(unaccountedRecords(stats)).toBe(0);
  await provider.shutdown();
});

it('OTLP JSON spans through ReporterSpanProcessor', async () => {
  const encoder = createOtlpSpansEncoder({ format: 'json' });
  const processor = new ReporterSpanProcessor({
    exporter: new TransportSpanExporter({
      encoder,
      transport: createHttpTransport({
        url: server.url('/v1/traces'),
        contentType: encoder.contentType,
      }),
    }),
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('orders');
  for (let i = 0; i < 25; i++) tracer.startSpan(`GET /orders/${i}`).end();
  await provider.forceFlush();
  expect(server.requests[0]?.url).toBe('/v1/traces');
  expect(server.requests[0]?.headers['content-type']).toBe('application/json');
  const names = server
    .jsonBodies<{ resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] }>()
    .flatMap((b) => b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)))
    .map((s) => s.name);
  expect(names.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `GET /orders/${i}`).sort());
  expect(processor.stats()).toMatchObject({ received: 25, exported: 25 });
  await provider.shutdown();
});
