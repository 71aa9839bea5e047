import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.js';

// OTEL_SDK_LINE=3 runs the same suite against the SDK 3.x harness (needs Node >= 22.15); the
// default is the SDK 2.x harness. Tests import the SDK only through '#sdk'. Tests that import
// '@opentelemetry/otlp-transformer' by name (the oracle the /otlp encoders are compared with)
// get the copy of the harness under test, so SDK 3 records meet the 0.30x transformer.
const line = process.env.OTEL_SDK_LINE === '3' ? '3' : '2';
const transformer = fileURLToPath(
  new URL(
    `../../compat/otel-sdk-${line}/node_modules/@opentelemetry/otlp-transformer`,
    import.meta.url,
  ),
);

export default defineProject({
  ...sourceResolution,
  resolve: {
    ...sourceResolution.resolve,
    alias: [
      { find: '#sdk', replacement: `@telemetry-reporter-internal/otel-sdk-${line}` },
      { find: '@opentelemetry/otlp-transformer', replacement: transformer },
      // A worker thread cannot load the TypeScript sources: the HTTP worker comes from the build.
      {
        find: /^\.\/worker-entry-url\.js$/,
        replacement: fileURLToPath(
          new URL('./test/helpers/built-worker-entry.ts', import.meta.url),
        ),
      },
    ],
  },
  test: {
    name: line === '3' ? 'transport-http (SDK 3)' : 'transport-http',
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
  },
});
