import { createRequire } from 'node:module';
import { describeValue } from '@telemetry-reporter/core/internal';
import { type ReporterSdk, SdkLoadError } from './reporter-sdk.js';

const SDK_LOGS = '@opentelemetry/sdk-logs';
const RESOURCES = '@opentelemetry/resources';
const INSTALL = `install ${SDK_LOGS} (0.200-0.299 for OpenTelemetry SDK 2, 3.x for SDK 3) next to @telemetry-reporter/otel`;

/** Who loads the SDK: the error says what that caller can do about a missing one. */
export type SdkUser = 'createTelemetryReporter' | 'register';

const REMEDY: Readonly<Record<SdkUser, { who: string; hint: string }>> = {
  createTelemetryReporter: {
    who: 'createTelemetryReporter',
    hint: `${INSTALL}, or pass the SDK modules as the \`sdk\` option`,
  },
  register: {
    who: 'register (configureFromEnvironment)',
    hint: `${INSTALL}, or set TELEMETRY_REPORTER_EXPORTER=none to run without telemetry`,
  },
};

let loaded: ReporterSdk | undefined;

/**
 * Loads the app's `@opentelemetry/sdk-logs` (an optional peer dependency) and the
 * `@opentelemetry/resources` that sdk-logs itself depends on, so the provider and its resource
 * always come from one SDK line. Synchronous, so `createTelemetryReporter` can stay synchronous:
 * both SDK lines publish CommonJS builds. Loaded once, on first use; a failure is not cached.
 */
export function loadSdk(user: SdkUser = 'createTelemetryReporter'): ReporterSdk {
  if (loaded !== undefined) return loaded;
  const { who, hint } = REMEDY[user];
  const require = createRequire(import.meta.url);
  let logsPath: string;
  try {
    logsPath = require.resolve(SDK_LOGS);
  } catch (error) {
    throw new SdkLoadError(`${who} needs ${SDK_LOGS}: ${hint}`, {
      cause: error,
    });
  }
  let sdk: ReporterSdk;
  try {
    // Resolved from sdk-logs' own location: the very copy of resources its provider uses.
    sdk = { logs: require(logsPath), resources: createRequire(logsPath)(RESOURCES) };
  } catch (error) {
    throw new SdkLoadError(`${who} could not load ${SDK_LOGS}: ${hint}`, {
      cause: error,
    });
  }
  loaded = checkSdk(sdk, `the installed ${SDK_LOGS}`);
  return loaded;
}

/** Checks that `sdk` has what the reporter calls; `source` names it in the error. */
export function checkSdk(sdk: unknown, source: string): ReporterSdk {
  const candidate = sdk as Partial<Record<'logs' | 'resources', Record<string, unknown>>> | null;
  const missing: string[] = [];
  if (typeof candidate?.logs?.LoggerProvider !== 'function') missing.push('logs.LoggerProvider');
  for (const name of ['defaultResource', 'resourceFromAttributes', 'detectResources']) {
    if (typeof candidate?.resources?.[name] !== 'function') missing.push(`resources.${name}`);
  }
  if (typeof candidate?.resources?.envDetector !== 'object') missing.push('resources.envDetector');
  if (missing.length > 0) {
    const message = `${source} lacks ${missing.join(', ')}: expected ${SDK_LOGS} 0.2xx or 3.x and ${RESOURCES} 2.x or 3.x`;
    if (source === 'sdk') throw new TypeError(`${message}, got ${describeValue(sdk)}`);
    throw new SdkLoadError(message);
  }
  return sdk as ReporterSdk;
}
