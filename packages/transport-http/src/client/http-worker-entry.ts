import { promisify } from 'node:util';
import { parentPort } from 'node:worker_threads';
import { gzip as gzipCallback } from 'node:zlib';
import { describeNetworkFailure } from '../internal/network-error.js';
import type { HttpClient } from './http-client.js';
import { SocketHttpClient } from './socket-http-client.js';
import type { FromHttpWorker, ToHttpWorker } from './worker-messages.js';
import { RESPONSE_BODY_BYTES, RESPONSE_HEADERS } from './worker-messages.js';

// The HTTP worker thread: the same client as the main thread's, our HTTP/1.1, so the socket
// writes, the HTTP parsing and the connection pool cost the application's event loop nothing.

const gzip = promisify(gzipCallback);
const port = parentPort;
if (port === null) throw new Error('http-worker-entry runs only as a worker thread');
/** Each transport's connections, by its client's number. */
const clients = new Map<number, HttpClient>();
const inFlight = new Map<number, AbortController>();

function clientOf(owner: number, url: string): HttpClient {
  let client = clients.get(owner);
  if (client === undefined) {
    // No later turns: this thread's loop serves no application.
    client = new SocketHttpClient(url);
    clients.set(owner, client);
  }
  return client;
}

port.on('message', (message: ToHttpWorker) => {
  if (message.type === 'abort') {
    inFlight.get(message.id)?.abort();
    return;
  }
  if (message.type === 'close') {
    clients.get(message.owner)?.close();
    clients.delete(message.owner);
    return;
  }
  const { id } = message;
  const controller = new AbortController();
  inFlight.set(id, controller);
  exchange(message, controller.signal).then(
    (reply) => {
      inFlight.delete(id);
      // The body's own buffer, moved: a slice of a pooled one would be copied whole.
      port.postMessage(reply, reply.type === 'response' ? [reply.body.buffer as ArrayBuffer] : []);
    },
    (error: unknown) => {
      inFlight.delete(id);
      const failure = describeNetworkFailure(error);
      const reply: FromHttpWorker = { type: 'failure', id, ...failure };
      port.postMessage(reply);
    },
  );
});

async function exchange(
  message: Extract<ToHttpWorker, { type: 'request' }>,
  signal: AbortSignal,
): Promise<FromHttpWorker> {
  const body = message.gzip ? await gzip(message.body) : message.body;
  signal.throwIfAborted();
  const response = await clientOf(message.owner, message.url).request({
    url: message.url,
    method: message.method,
    headers: message.headers,
    body,
    signal,
  });
  const { bytes, truncated } = await response.read(RESPONSE_BODY_BYTES);
  const headers: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = response.header(name);
    if (value !== undefined) headers[name] = value;
  }
  return {
    type: 'response',
    id: message.id,
    status: response.status,
    statusText: response.statusText,
    headers,
    body: new Uint8Array(bytes),
    truncated,
  };
}
