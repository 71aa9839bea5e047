import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import { afterEach, expect, it } from 'vitest';
import { createTelemetryReporter, forwardDiagnosticsChannels } from '../../src/index.js';
import { sdk } from '../helpers/reporter-sdk.js';

// Forwarding Node's fetch channels with a reporter that itself ships over fetch: the reporter's
// own requests must not be forwarded, or every export would produce the next one, forever.

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

// The flush and stop timeouts only bound a hang (each resolves as soon as the records are
// delivered): generous, for a loaded machine slow to answer on loopback.
it('does not forward the requests of its own exports', { timeout: 60_000 }, async () => {
  const paths: string[] = [];
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reporter = createTelemetryReporter({
    transport: createHttpTransport({ url: `${base}/telemetry` }),
    sdk,
    scheduledDelayMillis: 1,
  });
  const unsubscribe = forwardDiagnosticsChannels({
    channels: ['undici:request:create'],
    reporter,
    map: (message) => ({
      eventName: 'http.request',
      body: { path: (message as { request?: { path?: string } }).request?.path ?? '?' },
    }),
  });
  try {
    await (await fetch(`${base}/app/1`)).text();
    for (let i = 0; i < 5; i++) await reporter.flush(10_000);
    await (await fetch(`${base}/app/2`)).text();
    for (let i = 0; i < 5; i++) await reporter.flush(10_000);
  } finally {
    unsubscribe();
    await reporter.stop(10_000);
  }
  // two app requests, each forwarded once; the telemetry requests were not forwarded
  expect(reporter.stats()).toMatchObject({ received: 2, exported: 2 });
  expect(paths.filter((p) => p.startsWith('/app/'))).toEqual(['/app/1', '/app/2']);
  expect(paths.filter((p) => p === '/telemetry').length).toBeGreaterThanOrEqual(1);
});
