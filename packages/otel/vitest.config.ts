import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.js';

// OTEL_SDK_LINE=3 runs the same suite against the SDK 3.x harness (needs Node >= 22.15);
// the default is the SDK 2.x harness. Tests import the SDK only through '#sdk'.
const line = process.env.OTEL_SDK_LINE === '3' ? '3' : '2';

// The processors report failed exports to @opentelemetry/core's global error handler, module
// state of the app's own copy (an optional peer). Resolve it to the copy of the SDK line under
// test, and to the file an ESM import of it loads (SDK 3 ships both builds), as in an app.
const otelCore = esmEntry(
  realpathSync(
    fileURLToPath(
      new URL(`../../compat/otel-sdk-${line}/node_modules/@opentelemetry/core`, import.meta.url),
    ),
  ),
);

/** The file `import` loads from the package in `dir`: its exports' import/default, else main. */
function esmEntry(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: unknown;
    main?: string;
  };
  let target: unknown = (manifest.exports as Record<string, unknown> | undefined)?.['.'];
  while (typeof target === 'object' && target !== null) {
    const conditions = target as Record<string, unknown>;
    target = conditions.import ?? conditions.default;
  }
  return join(dir, typeof target === 'string' ? target : (manifest.main ?? 'index.js'));
}

export default defineProject({
  ...sourceResolution,
  resolve: {
    ...sourceResolution.resolve,
    alias: {
      '#sdk': `@telemetry-reporter-internal/otel-sdk-${line}`,
      '@opentelemetry/core': otelCore,
    },
  },
  test: {
    name: line === '3' ? 'otel (SDK 3)' : 'otel',
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
  },
});
