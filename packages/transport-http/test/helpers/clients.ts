import { nextTurn } from '@telemetry-reporter/core/internal';
import { NodeHttpClient } from '../../src/client/node-http-client.js';
import { createHttpTransportOver } from '../../src/http-transport.js';
import {
  createHttpTransport,
  type HttpTransport,
  type HttpTransportOptions,
} from '../../src/index.js';

/** The options that choose how a transport sends, and a seam for `node:http` on the main thread. */
export interface ClientOptions extends Pick<HttpTransportOptions, 'fetch' | 'thread'> {
  /** `node:http` on the main thread: the oracle our own client is held to. */
  readonly nodeHttp?: true;
}

/**
 * The ways the transport sends, which must behave the same: our HTTP/1.1 on the main thread (the
 * default), `node:http` on the main thread (its oracle), our HTTP/1.1 in a worker thread
 * (`thread: 'worker'`), and the `fetch` option, here Node's fetch.
 */
export const CLIENTS: readonly (readonly [name: string, options: ClientOptions])[] = [
  ['our HTTP/1.1', {}],
  ['node:http', { nodeHttp: true }],
  ['a worker thread', { thread: 'worker' }],
  ['fetch', { fetch: (url, init) => globalThis.fetch(url, init) }],
];

/**
 * `options` over the client's: a test that brings its own `fetch` gets it on the main thread
 * (`thread: 'worker'` cannot take a `fetch`).
 */
export function withClient(
  client: ClientOptions,
  options: HttpTransportOptions,
): HttpTransportOptions {
  const { thread, nodeHttp, ...rest } = client;
  return options.fetch === undefined ? { ...rest, thread, ...options } : { ...rest, ...options };
}

/** A transport with `options` over `client`. */
export function createTransportOver(
  client: ClientOptions,
  options: HttpTransportOptions,
): HttpTransport {
  const merged = withClient(client, options);
  if (client.nodeHttp !== true || merged.fetch !== undefined) return createHttpTransport(merged);
  return createHttpTransportOver(
    merged,
    new NodeHttpClient(String(merged.url), { laterTurn: nextTurn }),
  );
}
