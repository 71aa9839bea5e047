import type { FetchFunction } from '../../src/index.js';

/**
 * The two ways the transport sends, which must behave the same: `node:http` (the default, no
 * `fetch` option) and the `fetch` option, here Node's global fetch.
 */
export const CLIENTS: readonly (readonly [name: string, fetch: FetchFunction | undefined])[] = [
  ['node:http', undefined],
  ['fetch', (url, init) => globalThis.fetch(url, init)],
];
