// Start OpenTelemetry logging before the app's own modules are loaded:
//
//   node --import ./dist/telemetry.js dist/main.js
//
// A LoggerProvider with our processor in front of the official OTLP/HTTP protobuf log exporter
// (endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables, default
// http://localhost:4318), set as the global one, and the pino instrumentation, which sends every
// pino log line to it through the Logs API. With NodeSDK, pass the same processor and
// instrumentation as `logRecordProcessors` and `instrumentations` (see examples/node-sdk).
import { register } from 'node:module';
import { logs } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { installExitHandlers, ReporterLogRecordProcessor } from '@telemetry-reporter/otel';

// pino is a CommonJS package; imported from an ESM app, it is only seen by the instrumentation
// through this loader hook, registered before the app's modules are loaded.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

export const logProcessor = new ReporterLogRecordProcessor({ exporter: new OTLPLogExporter() });
export const loggerProvider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'pino-example' }),
  processors: [logProcessor],
});
logs.setGlobalLoggerProvider(loggerProvider);

registerInstrumentations({ instrumentations: [new PinoInstrumentation()] });

// SIGTERM, SIGINT and fatal exceptions drain the processor within its shutdown deadline.
installExitHandlers([loggerProvider]);
