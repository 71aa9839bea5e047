import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import { afterEach, expect, it } from 'vitest';
import { createTelemetryReporter, forwardDiagnosticsChannels } from '../../src/index.js';
import { sdk } from '../helpers/reporter-sdk.js';

// Forwarding the channels of Node's HTTP clients with a reporter that itself ships over one of
// them: the reporter's own requests must not be forwarded, or every export would produce the
// next one, forever.

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** The path of a request, from the message of either client's channel. */
function pathOf(message: unknown): string {
  const { request } = message as { request?: { path?: string } };
  return request?.path ?? '?';
}

/** The app's request: the same client as the reporter's own. */
const APP_REQUESTS = {
  fetch: async (url: string) => {
    await (await fetch(url)).text();
  },
  'node:http': (url: string) =>
    new Promise<void>((resolve, reject) => {
      get(url, (response) => {
        response.resume();
        response.on('end', resolve);
      }).on('error', reject);
    }),
};

// The flush and stop timeouts only bound a hang (each resolves as soon as the records are
// delivered): generous, for a loaded machine slow to answer on loopback.
// `create` and `start` are published inside the export's call; `headers` and `finish` later, from
// the connection's callbacks, in the context of whoever opened the connection. With `warm`, the
// reporter exports once before forwarding starts, so that its kept-alive connection was opened
// outside any forwarding.
it.each([
  { client: 'fetch', channel: 'undici:request:create', warm: false },
  { client: 'node:http', channel: 'http.client.request.start', warm: false },
  { client: 'fetch', channel: 'undici:request:headers', warm: true },
  { client: 'node:http', channel: 'http.client.response.finish', warm: true },
] as const)(
  'does not forward the requests of its own exports ($client, $channel, warm: $warm)',
  { timeout: 60_000 },
  async ({ client, channel, warm }) => {
    const paths: string[] = [];
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reporter = createTelemetryReporter({
      transport: createHttpTransport({
        url: `${base}/telemetry`,
        ...(client === 'fetch' ? { fetch: globalThis.fetch } : {}),
      }),
      sdk,
      scheduledDelayMillis: 1,
    });
    if (warm) {
      reporter.log('before-forwarding', 'info');
      await reporter.flush(10_000);
    }
    const forwarded: string[] = [];
    const unsubscribe = forwardDiagnosticsChannels({
      channels: [channel],
      reporter,
      map: (message) => {
        forwarded.push(pathOf(message));
        return { eventName: 'http.request', body: { path: pathOf(message) } };
      },
    });
    try {
      await APP_REQUESTS[client](`${base}/app/1`);
      for (let i = 0; i < 5; i++) await reporter.flush(10_000);
      await APP_REQUESTS[client](`${base}/app/2`);
      for (let i = 0; i < 5; i++) await reporter.flush(10_000);
    } finally {
      unsubscribe();
      await reporter.stop(10_000);
    }
    // two app requests, each forwarded once; the telemetry requests, sent, were not forwarded
    expect(forwarded).toEqual(['/app/1', '/app/2']);
    const logged = warm ? 1 : 0;
    expect(reporter.stats()).toMatchObject({ received: 2 + logged, exported: 2 + logged });
    expect(paths.filter((p) => p.startsWith('/app/'))).toEqual(['/app/1', '/app/2']);
    expect(paths.filter((p) => p === '/telemetry').length).toBeGreaterThanOrEqual(1);
  },
);
