/**
 * The compiled worker script, next to this module. (Tests that run the sources point it at the
 * build, since a worker thread cannot load TypeScript.)
 */
export const HTTP_WORKER_ENTRY: URL = new URL('./http-worker-entry.js', import.meta.url);
