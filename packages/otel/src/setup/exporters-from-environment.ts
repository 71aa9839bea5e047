import { type Environment, oneOfWords, withEnvironment } from '../environment/env-config.js';
import { otlpSettings, parseHeaders } from '../environment/otlp-env.js';
import { TransportLogRecordExporter } from '../exporters/transport-log-record-exporter.js';
import { TransportSpanExporter } from '../exporters/transport-span-exporter.js';
import type { TraceSdk } from '../sdk/load-trace-sdk.js';
import { type ReporterSdk, SdkLoadError } from '../sdk/reporter-sdk.js';
import type { LogRecordExporterLike, SpanExporterLike } from '../sdk/sdk-types.js';

/** `TELEMETRY_REPORTER_EXPORTER`: where the registered processors send their batches. */
export type ExporterChoice = 'otlp' | 'http' | 'console' | 'none';

/** The exporter choices, in the order of the README. */
export const EXPORTER_CHOICES: readonly ExporterChoice[] = Object.freeze([
  'otlp',
  'http',
  'console',
  'none',
] as const);

/** The exporters `register` wires into its processors. */
export interface SignalExporters {
  readonly logs: LogRecordExporterLike;
  /** Absent when no tracing SDK is installed. */
  readonly spans: SpanExporterLike | undefined;
}

/**
 * `TELEMETRY_REPORTER_HTTP_THREAD`: where the HTTP transport sends from (its `thread` option).
 * `auto` by default, unlike the transport's own default: `register` promises the cheapest
 * pipeline for the main thread, and with gzip that is the worker's (its process CPU is the same).
 */
const HTTP_THREADS = ['main', 'worker', 'auto'] as const;

const TRANSPORT_HINT =
  'install @telemetry-reporter/transport-http (and, for otlp, @opentelemetry/otlp-transformer of your SDK line)';

/** Builds the exporters `TELEMETRY_REPORTER_EXPORTER` asks for. */
export async function exportersFromEnv(
  choice: Exclude<ExporterChoice, 'none'>,
  env: Environment,
  logsSdk: ReporterSdk,
  traceSdk: TraceSdk | undefined,
): Promise<SignalExporters> {
  if (choice === 'console') {
    const { ConsoleLogRecordExporter } = logsSdk.logs as unknown as {
      ConsoleLogRecordExporter: new () => LogRecordExporterLike;
    };
    return {
      logs: new ConsoleLogRecordExporter(),
      spans: traceSdk === undefined ? undefined : new traceSdk.ConsoleSpanExporter(),
    };
  }
  const http = await importOptional(() => import('@telemetry-reporter/transport-http'));
  const thread = oneOfWords(env, 'TELEMETRY_REPORTER_HTTP_THREAD', HTTP_THREADS) ?? 'auto';
  if (choice === 'http') {
    const url = env.TELEMETRY_REPORTER_ENDPOINT?.trim();
    if (!url) {
      throw new TypeError('TELEMETRY_REPORTER_EXPORTER=http needs TELEMETRY_REPORTER_ENDPOINT');
    }
    const headers = parseHeaders('TELEMETRY_REPORTER_HEADERS', env);
    // One endpoint for both signals: a header tells the backend which one a payload holds.
    const transport = (signal: 'logs' | 'spans') =>
      http.createHttpTransport({
        url,
        headers: { ...headers, 'x-telemetry-signal': signal },
        thread,
      });
    return {
      logs: new TransportLogRecordExporter(withEnvironment({ transport: transport('logs') }, env)),
      spans:
        traceSdk === undefined
          ? undefined
          : new TransportSpanExporter(withEnvironment({ transport: transport('spans') }, env)),
    };
  }
  const otlp = await importOptional(() => import('@telemetry-reporter/transport-http/otlp'));
  const logs = otlpSettings('logs', env);
  const logsEncoder = otlp.createOtlpLogsEncoder({ format: logs.format });
  const traces = otlpSettings('traces', env);
  const spansEncoder = otlp.createOtlpSpansEncoder({ format: traces.format });
  const transportFor = (settings: typeof logs, contentType: string) =>
    http.createHttpTransport({
      url: settings.url,
      headers: settings.headers,
      compression: settings.compression,
      contentType,
      thread,
      ...(settings.timeoutMillis === undefined ? {} : { timeoutMillis: settings.timeoutMillis }),
    });
  return {
    logs: new TransportLogRecordExporter(
      withEnvironment(
        { encoder: logsEncoder, transport: transportFor(logs, logsEncoder.contentType) },
        env,
      ),
    ),
    spans:
      traceSdk === undefined
        ? undefined
        : new TransportSpanExporter(
            withEnvironment(
              { encoder: spansEncoder, transport: transportFor(traces, spansEncoder.contentType) },
              env,
            ),
          ),
  };
}

async function importOptional<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new SdkLoadError(`could not load the HTTP transport: ${TRANSPORT_HINT}`, {
      cause: error,
    });
  }
}
