import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.js';

// OTEL_SDK_LINE=3 runs the same suite against the SDK 3.x harness (needs Node >= 22.15);
// the default is the SDK 2.x harness. Tests import the SDK only through '#sdk'.
const line = process.env.OTEL_SDK_LINE === '3' ? '3' : '2';

export default defineProject({
  ...sourceResolution,
  resolve: {
    ...sourceResolution.resolve,
    alias: { '#sdk': `@telemetry-reporter-internal/otel-sdk-${line}` },
  },
  test: {
    name: line === '3' ? 'otel (SDK 3)' : 'otel',
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
  },
});
