import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import {
  type Environment,
  oneOfWords,
  shutdownTimeoutFromEnv,
  withEnvironment,
} from '../environment/env-config.js';
import { diagLogger } from '../internal/diag-logger.js';
import { ReporterLogRecordProcessor } from '../processors/reporter-log-record-processor.js';
import { ReporterSpanProcessor } from '../processors/reporter-span-processor.js';
import { loadSdk } from '../sdk/load-sdk.js';
import { loadLogsApi, loadTraceSdk, type TraceSdk } from '../sdk/load-trace-sdk.js';
import type { ReporterLoggerProvider } from '../sdk/logger-types.js';
import { buildResource } from '../sdk/reporter-resource.js';
import { installExitHandlers, type UninstallExitHandlers } from './exit-handlers.js';
import {
  EXPORTER_CHOICES,
  type ExporterChoice,
  exportersFromEnv,
  type SignalExporters,
} from './exporters-from-environment.js';
import { routeDiagToStderr } from './stderr-diag.js';

export { EXPORTER_CHOICES, type ExporterChoice } from './exporters-from-environment.js';

/** What {@link configureFromEnvironment} set up. */
export interface ConfiguredTelemetry {
  /** The exporter in use. */
  readonly exporter: ExporterChoice;
  /** The global `LoggerProvider`, with a `ReporterLogRecordProcessor`; absent with `none`. */
  readonly loggerProvider?: ReporterLoggerProvider;
  /** Its processor, for `stats()`. */
  readonly logProcessor?: ReporterLogRecordProcessor;
  /** The global tracer provider, when a tracing SDK is installed; absent with `none`. */
  readonly tracerProvider?: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  /** Its processor, for `stats()`. */
  readonly spanProcessor?: ReporterSpanProcessor;
  /** Removes the exit handlers. */
  readonly uninstallExitHandlers: UninstallExitHandlers;
}

/** Options of {@link configureFromEnvironment}. */
export interface ConfigureOptions {
  /**
   * Where the settings come from.
   * @default process.env
   */
  env?: Environment;
  /**
   * Route `diag` to stderr at `OTEL_LOG_LEVEL`, as NodeSDK does.
   * @default true
   */
  diagToStderr?: boolean;
}

/**
 * What `node --import @telemetry-reporter/otel/register` does, for code-first use: builds a
 * `LoggerProvider` and a tracer provider with this package's processors from the environment
 * (`TELEMETRY_REPORTER_EXPORTER`, the `OTEL_EXPORTER_OTLP_*` variables, the processor variables),
 * sets them global, and installs the exit handlers. Uses the app's own OpenTelemetry SDK (2.x or
 * 3.x); tracing is set up only when `@opentelemetry/sdk-trace-base` (SDK 2) or
 * `@opentelemetry/sdk-trace` (SDK 3) is installed.
 */
export async function configureFromEnvironment(
  options: ConfigureOptions = {},
): Promise<ConfiguredTelemetry> {
  const env = options.env ?? process.env;
  if (options.diagToStderr ?? true) routeDiagToStderr(env);
  const exporter = oneOfWords(env, 'TELEMETRY_REPORTER_EXPORTER', EXPORTER_CHOICES) ?? 'otlp';
  if (exporter === 'none') {
    return { exporter, uninstallExitHandlers: () => {} };
  }
  const logsSdk = loadSdk('register');
  const traceSdk = loadTraceSdk();
  const exporters: SignalExporters = await exportersFromEnv(exporter, env, logsSdk, traceSdk);
  const resource = buildResource(logsSdk, undefined, undefined);

  // Every setting comes from `env`: the processors read it instead of process.env.
  const logProcessor = new ReporterLogRecordProcessor(
    withEnvironment({ exporter: exporters.logs }, env),
  );
  const LoggerProvider = logsSdk.logs.LoggerProvider as unknown as new (config: {
    resource: unknown;
    processors: unknown[];
  }) => ReporterLoggerProvider;
  const loggerProvider = new LoggerProvider({ resource, processors: [logProcessor] });
  const logsPath = createRequire(import.meta.url).resolve('@opentelemetry/sdk-logs');
  loadLogsApi(logsPath).setGlobalLoggerProvider(loggerProvider);

  const providers: { forceFlush(): Promise<void>; shutdown(): Promise<void> }[] = [loggerProvider];
  const traced =
    traceSdk === undefined || exporters.spans === undefined
      ? undefined
      : setUpTracing(traceSdk, exporters.spans, resource, env);
  if (traced !== undefined) providers.push(traced.tracerProvider);
  else diagLogger.debug('no tracing SDK installed: only logs are configured');

  const shutdownTimeoutMillis = shutdownTimeoutFromEnv(env);
  const uninstallExitHandlers = installExitHandlers(
    providers,
    shutdownTimeoutMillis === undefined ? {} : { shutdownTimeoutMillis },
  );
  return {
    exporter,
    loggerProvider,
    logProcessor,
    ...(traced ?? {}),
    uninstallExitHandlers,
  };
}

function setUpTracing(
  sdk: TraceSdk,
  exporter: NonNullable<SignalExporters['spans']>,
  resource: unknown,
  env: Environment,
): Pick<Required<ConfiguredTelemetry>, 'tracerProvider' | 'spanProcessor'> {
  const spanProcessor = new ReporterSpanProcessor(withEnvironment({ exporter }, env));
  const TracerProvider = sdk.TracerProvider as unknown as new (config: {
    resource: unknown;
    spanProcessors: unknown[];
  }) => { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  const tracerProvider = new TracerProvider({ resource, spanProcessors: [spanProcessor] });
  trace.setGlobalTracerProvider(tracerProvider as never);
  if (sdk.contextManager !== undefined) {
    context.setGlobalContextManager(sdk.contextManager.enable() as never);
  } else {
    diagLogger.debug(
      'install @opentelemetry/context-async-hooks so that spans find their parent across await',
    );
  }
  const { CompositePropagator, W3CTraceContextPropagator, W3CBaggagePropagator } = sdk.core;
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }) as never,
  );
  return { tracerProvider, spanProcessor };
}
