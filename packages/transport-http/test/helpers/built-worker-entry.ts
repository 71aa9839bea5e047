import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Stands in for src/client/worker-entry-url.ts under vitest (see vitest.config.ts): the suite
// runs the TypeScript sources, but a worker thread loads plain JavaScript, so the HTTP worker
// comes from the build that `pnpm typecheck` (tsc -b) writes before the tests run.

/** The compiled HTTP worker script. */
export const HTTP_WORKER_ENTRY: URL = new URL(
  '../../dist/client/http-worker-entry.js',
  import.meta.url,
);

if (!existsSync(fileURLToPath(HTTP_WORKER_ENTRY))) {
  throw new Error(`${fileURLToPath(HTTP_WORKER_ENTRY)} is missing: build first (pnpm build)`);
}
