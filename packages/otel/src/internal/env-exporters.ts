import type { ExporterChoice } from '../auto-configure.js';
import type { Environment } from '../env-config.js';
import { type ReporterSdk, SdkLoadError } from '../reporter-sdk.js';
import { TransportLogRecordExporter } from '../transport-log-record-exporter.js';
import { TransportSpanExporter } from '../transport-span-exporter.js';
import type { LogRecordExporterLike, SpanExporterLike } from '../types.js';
import type { TraceSdk } from './load-trace-sdk.js';
import { otlpSettings, parseHeaders } from './otlp-env.js';

/** The exporters `register` wires into its processors. */
export interface SignalExporters {
  readonly logs: LogRecordExporterLike;
  /** Absent when no tracing SDK is installed. */
  readonly spans: SpanExporterLike | undefined;
}

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
  if (choice === 'http') {
    const url = env.TELEMETRY_REPORTER_ENDPOINT?.trim();
    if (!url) {
      throw new TypeError('TELEMETRY_REPORTER_EXPORTER=http needs TELEMETRY_REPORTER_ENDPOINT');
    }
    const headers = parseHeaders('TELEMETRY_REPORTER_HEADERS', env);
    // One endpoint for both signals: a header tells the backend which one a payload holds.
    const transport = (signal: 'logs' | 'spans') =>
      http.createHttpTransport({ url, headers: { ...headers, 'x-telemetry-signal': signal } });
    return {
      logs: new TransportLogRecordExporter({ transport: transport('logs') }),
      spans:
        traceSdk === undefined
          ? undefined
          : new TransportSpanExporter({ transport: transport('spans') }),
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
      ...(settings.timeoutMillis === undefined ? {} : { timeoutMillis: settings.timeoutMillis }),
    });
  return {
    logs: new TransportLogRecordExporter({
      encoder: logsEncoder,
      transport: transportFor(logs, logsEncoder.contentType),
    }),
    spans:
      traceSdk === undefined
        ? undefined
        : new TransportSpanExporter({
            encoder: spansEncoder,
            transport: transportFor(traces, spansEncoder.contentType),
          }),
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
