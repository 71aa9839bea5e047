import { type SendContext, unaccountedRecords } from '@telemetry-reporter/otel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpTransport, type HttpTransportOptions } from '../src/index.js';
import { logPipeline } from './helpers/log-pipeline.js';
import { refusedUrl, TestServer } from './helpers/test-server.js';

// The transport under what users run: LoggerProvider -> ReporterLogRecordProcessor ->
// TransportLogRecordExporter (default JSON array encoder, retries) -> createHttpTransport ->
// a real HTTP server. Outcomes are checked in processor.stats() and on the server.

let server: TestServer;

beforeEach(async () => {
  server = await TestServer.start();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.stop();
});

function http(options: Partial<HttpTransportOptions> = {}) {
  return createHttpTransport({ url: server.url(), ...options });
}

/**
 * Timers on the fake clock, I/O real: the pipeline's deadlines, backoffs and attempt timeouts
 * wait for the test to advance time, however long the real requests take on a loaded machine.
 */
function fakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
}

/** `http()`, with every send it makes recorded: its context and its promise. */
function recordedHttp(options: Partial<HttpTransportOptions> = {}) {
  const transport = http(options);
  const sends: { context: SendContext; done: Promise<unknown> }[] = [];
  return {
    sends,
    transport: {
      send(payload: string, context: SendContext): Promise<void> {
        const sent = transport.send(payload, context);
        sends.push({ context, done: sent.catch(() => undefined) });
        return sent;
      },
      shutdown: () => transport.shutdown(),
    },
  };
}

/** Bodies of the records the server accepted (answered 2xx), in arrival order. */
function acceptedBodies(accepted: readonly number[] = server.requests.map((_, i) => i)): string[] {
  return accepted.flatMap((i) =>
    (JSON.parse(server.requests[i]?.body.toString() ?? '[]') as { body: string }[]).map(
      (r) => r.body,
    ),
  );
}

function bodies(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `record ${from + i}`);
}

it('200: every record is delivered and counted as exported', async () => {
  const { processor, provider, emit } = logPipeline({ transport: http() });
  emit(250);
  await provider.forceFlush();
  expect(acceptedBodies()).toEqual(bodies(250));
  expect(server.requests).toHaveLength(3);
  expect(processor.stats()).toMatchObject({ received: 250, exported: 250, retries: 0 });
  await provider.shutdown();
});

it('429 with Retry-After: 2 waits at least 2 s before the retry', async () => {
  fakeTimers();
  server.replies.push({ status: 429, headers: { 'retry-after': '2' } });
  const { transport, sends } = recordedHttp();
  const { processor, provider, emit } = logPipeline({
    transport,
    retry: { maxAttempts: 3, initialDelayMillis: 1, maxDelayMillis: 10 },
  });
  emit(10);
  const flushed = provider.forceFlush();
  await vi.advanceTimersByTimeAsync(0);
  expect(sends).toHaveLength(1);
  await sends[0]?.done; // the 429, over real I/O; the fake clock has not moved since the send
  // Retry-After, not maxDelayMillis, sets the wait: no retry 1 ms before the 2 s, one at 2 s
  await vi.advanceTimersByTimeAsync(1999);
  expect(sends).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(sends).toHaveLength(2);
  await flushed;
  expect(server.requests).toHaveLength(2);
  expect(acceptedBodies([1])).toEqual(bodies(10));
  expect(processor.stats()).toMatchObject({ exported: 10, retries: 1 });
  await provider.shutdown();
});

it('503 flapping, then 200: retried until delivered, exactly once', async () => {
  server.replies.push({ status: 503 }, { status: 503 }, { status: 502 });
  const { processor, provider, emit } = logPipeline({ transport: http() });
  emit(40);
  await provider.forceFlush();
  expect(server.requests).toHaveLength(4);
  expect(acceptedBodies([3])).toEqual(bodies(40));
  expect(processor.stats()).toMatchObject({ received: 40, exported: 40, retries: 3 });
  await provider.shutdown();
});

it('400: no retry, the batch is counted as rejected', async () => {
  server.replies.push({ status: 400 });
  const { processor, provider, emit } = logPipeline({ transport: http() });
  emit(150); // two batches: the first refused, the second delivered
  await provider.forceFlush();
  expect(server.requests).toHaveLength(2);
  expect(acceptedBodies([1])).toEqual(bodies(50, 100));
  const stats = processor.stats();
  expect(stats).toMatchObject({ exported: 50, retries: 0 });
  expect(stats.dropped.rejected).toBe(100);
  expect(unaccountedRecords(stats)).toBe(0);
  await provider.shutdown();
});

it('413: the batch is split until it fits; a record too large alone is rejected', async () => {
  const limit = 4096;
  server.responder = (request) => ({ status: request.rawBody.length > limit ? 413 : 200 });
  const { processor, provider, emit, logger } = logPipeline({ transport: http() });
  emit(37);
  logger.emit({ body: `huge ${'x'.repeat(limit)}` });
  emit(62, 37);
  await provider.forceFlush();
  const accepted = server.requests.flatMap((r, i) => (r.rawBody.length > limit ? [] : [i]));
  expect(acceptedBodies(accepted)).toEqual(bodies(99));
  expect(server.requests.length).toBeGreaterThan(accepted.length); // 413s happened
  const stats = processor.stats();
  expect(stats).toMatchObject({ received: 100, exported: 99, queued: 0, inFlight: 0, retries: 0 });
  expect(stats.dropped.rejected).toBe(1);
  expect(unaccountedRecords(stats)).toBe(0);
  await provider.shutdown();
});

it('a server that never answers: the export deadline aborts the request and the socket closes', async () => {
  fakeTimers();
  server.responder = () => 'hang';
  const { transport, sends } = recordedHttp(); // its own 10 s attempt timeout is the longer
  const { processor, provider, emit } = logPipeline({
    transport,
    processor: { exportTimeoutMillis: 300 },
  });
  emit(20);
  const flushed = provider.forceFlush();
  await server.requestsReceived(1);
  // the export deadline, on the fake clock: not aborted 1 ms before it, aborted at it
  await vi.advanceTimersByTimeAsync(299);
  expect(sends[0]?.context.signal.aborted).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(sends[0]?.context.signal.aborted).toBe(true);
  await flushed;
  await server.socketsClosed(1);
  expect(server.requests).toHaveLength(1);
  const stats = processor.stats();
  expect(stats.dropped.export_timeout).toBe(20);
  expect(unaccountedRecords(stats)).toBe(0);
  await provider.shutdown();
});

it('connection refused: retried, then dropped as retries_exhausted', async () => {
  const { processor, provider, emit } = logPipeline({
    transport: createHttpTransport({ url: await refusedUrl() }),
    retry: { maxAttempts: 3, initialDelayMillis: 5, maxDelayMillis: 10 },
  });
  emit(30);
  await provider.forceFlush();
  const stats = processor.stats();
  expect(stats.dropped.retries_exhausted).toBe(30);
  expect(stats.retries).toBe(2);
  expect(unaccountedRecords(stats)).toBe(0);
  await provider.shutdown();
});

describe('gzip', () => {
  it('the server gunzips every request and counts every record', async () => {
    const { processor, provider, emit } = logPipeline({ transport: http({ compression: 'gzip' }) });
    emit(500);
    await provider.forceFlush();
    expect(server.requests).toHaveLength(5);
    for (const request of server.requests) {
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.rawBody.length).toBeLessThan(request.body.length / 3);
    }
    expect(acceptedBodies()).toEqual(bodies(500));
    expect(processor.stats()).toMatchObject({ exported: 500 });
    await provider.shutdown();
  });
});

it('a headers function that hangs once costs one attempt, not the export slot for good', async () => {
  // On the fake clock, the 100 ms attempt timeout ends the hung attempt only, never a real
  // request that a loaded machine is slow to answer (that would be a second retry).
  fakeTimers();
  let calls = 0;
  const { transport, sends } = recordedHttp({
    timeoutMillis: 100,
    headers: () => (++calls === 1 ? new Promise(() => {}) : { authorization: 'Bearer t0k3n' }),
  });
  const { processor, provider, emit } = logPipeline({
    transport,
    processor: { maxExportBatchSize: 1, exportTimeoutMillis: 5000 },
  });
  emit(3);
  const flushed = provider.forceFlush();
  await vi.advanceTimersByTimeAsync(100); // the hung attempt's timeoutMillis
  // then the backoff (under the pipeline's retry.maxDelayMillis, 50 ms), short of the retry's
  // own 100 ms
  await vi.advanceTimersByTimeAsync(50);
  expect(sends).toHaveLength(2);
  await flushed; // the rest over real I/O, with the fake clock standing still
  expect(acceptedBodies()).toEqual(bodies(3));
  expect(processor.stats()).toMatchObject({ received: 3, exported: 3, retries: 1 });
  expect(unaccountedRecords(processor.stats())).toBe(0);
  await provider.shutdown();
});
