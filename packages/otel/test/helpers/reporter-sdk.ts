import {
  defaultResource,
  detectResources,
  envDetector,
  LoggerProvider,
  resourceFromAttributes,
} from '#sdk';
import type { ReporterSdk } from '../../src/index.js';

/** The SDK line under test, as createTelemetryReporter's `sdk` option takes it. */
export const sdk: ReporterSdk = {
  logs: { LoggerProvider },
  resources: { defaultResource, detectResources, envDetector, resourceFromAttributes },
};
