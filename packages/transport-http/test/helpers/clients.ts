import type { HttpTransportOptions } from '../../src/index.js';

/** The options that choose how a transport sends. */
export type ClientOptions = Pick<HttpTransportOptions, 'fetch' | 'thread'>;

/**
 * The three ways the transport sends, which must behave the same: `node:http` on the main thread
 * (the default), `node:http` in a worker thread (`thread: 'worker'`), and the `fetch` option,
 * here Node's global fetch.
 */
export const CLIENTS: readonly (readonly [name: string, options: ClientOptions])[] = [
  ['node:http', {}],
  ['node:http in a worker thread', { thread: 'worker' }],
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
  const { thread, ...rest } = client;
  return options.fetch === undefined ? { ...client, ...options } : { ...rest, ...options };
}
