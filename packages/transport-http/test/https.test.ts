import { constants } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { isRetryableError, type SendContext } from '@telemetry-reporter/core';
import { nextTurn } from '@telemetry-reporter/core/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../src/client/http-client.js';
import { NodeHttpClient, type NodeHttpClientOptions } from '../src/client/node-http-client.js';
import { SocketHttpClient } from '../src/client/socket-http-client.js';
import { createHttpTransportOver } from '../src/http-transport.js';
import { createHttpTransport } from '../src/index.js';

// https: URLs, over our HTTP/1.1 client and over node:https, its oracle. The certificate is a
// self-signed one for localhost and 127.0.0.1, made for these tests only (test/fixtures).

const CERT = readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url));
const KEY = readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url));

const CLIENTS: readonly (readonly [
  name: string,
  make: (url: string, options: NodeHttpClientOptions) => HttpClient,
])[] = [
  ['our HTTP/1.1', (url, options) => new SocketHttpClient(url, options)],
  ['node:https', (url, options) => new NodeHttpClient(url, options)],
];

let server: Server;
let bodies: string[];
/** Whether each TLS connection the server accepted resumed an earlier session. */
let resumed: boolean[];

beforeEach(async () => {
  await startServer({});
});

/** The server, with TLS options of the test's own on top of its certificate. */
async function startServer(options: TlsOptions): Promise<void> {
  bodies = [];
  resumed = [];
  server = createServer({ key: KEY, cert: CERT, ...options }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-length': '0' }).end();
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => resumed.push(socket.isSessionReused()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
}

/** How many connections the server has open. */
function serverConnections(): Promise<number> {
  return new Promise((resolve) => server.getConnections((_, count) => resolve(count)));
}

async function stopServer(): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
}

afterEach(async () => {
  await stopServer();
});

const context = (): SendContext => ({
  signal: new AbortController().signal,
  attempt: 1,
  recordCount: 1,
});

const urlOf = (host: string) => `https://${host}:${(server.address() as AddressInfo).port}/v1/logs`;

describe.each(CLIENTS)('over %s', (_name, makeClient) => {
  const transport = (host: string) => {
    const url = urlOf(host);
    return createHttpTransportOver({ url }, makeClient(url, { laterTurn: nextTurn, ca: CERT }));
  };

  it.each(['localhost', '127.0.0.1'])('sends to %s on one kept-alive connection', async (host) => {
    const http = transport(host);
    for (let i = 0; i < 3; i++) await http.send(`[${i}]`, context());
    expect(bodies).toEqual(['[0]', '[1]', '[2]']);
    expect(resumed).toEqual([false]);
    await http.shutdown();
  });

  it('resumes the TLS session on its next connection once the server closed the first', async () => {
    const http = transport('localhost');
    await http.send('[0]', context());
    server.closeIdleConnections();
    await expect.poll(serverConnections).toBe(0);
    await http.send('[1]', context());
    expect(resumed).toEqual([false, true]);
    await http.shutdown();
  });
});

it.each([
  ['the main thread', 'main'],
  ['a worker thread', 'worker'],
] as const)(
  'from %s, a certificate nothing vouches for fails the send as retryable, naming the code',
  async (_name, thread) => {
    const http = createHttpTransport({ url: urlOf('localhost'), thread });
    const error = await http.send('[]', context()).catch((e: unknown) => e);
    expect(isRetryableError(error)).toBe(true);
    expect((error as Error).message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(bodies).toEqual([]);
    await http.shutdown();
  },
);

// node:https's agent drops such a session too, once the failed socket's close reached it.
it('our client drops a session whose resumption broke the handshake: the next connection starts afresh', async () => {
  // TLS 1.2 with session ids (no tickets), and a server whose session store fails on every
  // resumption: the handshake that offers the old session is aborted.
  await stopServer();
  await startServer({ maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET });
  const issued = new Set<string>();
  server.on('newSession', (id: Buffer, _data: Buffer, done: () => void) => {
    issued.add(id.toString('hex'));
    done();
  });
  // A client's first hello may carry an id of its own making: only ours fail to resume.
  server.on('resumeSession', (id: Buffer, done: (error: Error | null, data: null) => void) =>
    done(issued.has(id.toString('hex')) ? new Error('the session store is down') : null, null),
  );
  const url = urlOf('localhost');
  const http = createHttpTransportOver(
    { url },
    new SocketHttpClient(url, { laterTurn: nextTurn, ca: CERT }),
  );
  const outcomes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const error = await http.send(`[${i}]`, context()).catch((e: unknown) => e);
    outcomes.push(error === undefined ? 'sent' : 'failed');
    server.closeAllConnections();
    await expect.poll(serverConnections).toBe(0);
  }
  expect(outcomes).toEqual(['sent', 'failed', 'sent']);
  expect(bodies).toEqual(['[0]', '[2]']);
  await http.shutdown();
});
