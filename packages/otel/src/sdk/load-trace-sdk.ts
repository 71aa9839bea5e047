import { createRequire } from 'node:module';
import { SdkLoadError } from './reporter-sdk.js';
import type { SpanExporterLike } from './sdk-types.js';

/** A tracer provider class of either SDK line (`BasicTracerProvider` 2.x, `TracerProvider` 3.x). */
export type TracerProviderClass = new (
  config: never,
) => {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
};

/** What `register` needs from the tracing SDK and its neighbours. */
export interface TraceSdk {
  readonly TracerProvider: TracerProviderClass;
  readonly ConsoleSpanExporter: new () => SpanExporterLike;
  /** `@opentelemetry/core`'s propagators, from the tracing SDK's own dependency. */
  readonly core: {
    readonly CompositePropagator: new (config: { propagators: unknown[] }) => unknown;
    readonly W3CTraceContextPropagator: new () => unknown;
    readonly W3CBaggagePropagator: new () => unknown;
  };
  /** `@opentelemetry/context-async-hooks`, when installed: context across `await`. */
  readonly contextManager: { enable(): unknown } | undefined;
}

// SDK 2 ships the Node-ready classes in sdk-trace-base; SDK 3 in sdk-trace.
const CANDIDATES = ['@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace'] as const;

/** Loads the app's tracing SDK (an optional peer), or `undefined` when none is installed. */
export function loadTraceSdk(): TraceSdk | undefined {
  const require = createRequire(import.meta.url);
  for (const name of CANDIDATES) {
    let path: string;
    try {
      path = require.resolve(name);
    } catch {
      continue;
    }
    try {
      const sdk = require(path) as Record<string, unknown>;
      const near = createRequire(path);
      const TracerProvider = (sdk.BasicTracerProvider ?? sdk.TracerProvider) as TracerProviderClass;
      if (typeof TracerProvider !== 'function') continue;
      return {
        TracerProvider,
        ConsoleSpanExporter: sdk.ConsoleSpanExporter as TraceSdk['ConsoleSpanExporter'],
        core: near('@opentelemetry/core') as TraceSdk['core'],
        contextManager: asyncContextManager(require),
      };
    } catch (error) {
      throw new SdkLoadError(`could not load ${name}`, { cause: error });
    }
  }
  return undefined;
}

function asyncContextManager(require: NodeJS.Require): TraceSdk['contextManager'] {
  try {
    const hooks = require('@opentelemetry/context-async-hooks') as {
      AsyncLocalStorageContextManager: new () => { enable(): unknown };
    };
    return new hooks.AsyncLocalStorageContextManager();
  } catch {
    return undefined;
  }
}

/** Loads the global Logs API of the SDK line that `logsPath` (sdk-logs' entry) belongs to. */
export function loadLogsApi(logsPath: string): {
  setGlobalLoggerProvider(provider: unknown): unknown;
} {
  const near = createRequire(logsPath);
  // SDK 3 moved the Logs API into @opentelemetry/api; SDK 2 has it in @opentelemetry/api-logs.
  for (const name of ['@opentelemetry/api', '@opentelemetry/api-logs']) {
    try {
      const api = near(name) as { logs?: { setGlobalLoggerProvider(provider: unknown): unknown } };
      if (api.logs !== undefined) return api.logs;
    } catch {
      // try the next one
    }
  }
  throw new SdkLoadError(
    'could not find the OpenTelemetry Logs API next to @opentelemetry/sdk-logs',
  );
}
