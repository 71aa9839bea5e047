import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.js';

export default defineProject({
  // The test kit imports '@telemetry-reporter/core': resolve it to these sources, not to dist.
  ...sourceResolution,
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
  },
});
