// Start OpenTelemetry logging before the app's own modules are loaded:
//
//   node --import ./dist/telemetry.js dist/main.js
//
// A LoggerProvider with our processor in front of the official OTLP/HTTP protobuf log exporter
// (endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables, default
// http://localhost:4318), set as the global one; the app's winston logger reaches it through
// @opentelemetry/winston-transport. Nothing is patched here, so no loader hook is needed.
import { logs } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { installExitHandlers, ReporterLogRecordProcessor } from '@telemetry-reporter/otel';

export const logProcessor = new ReporterLogRecordProcessor({ exporter: new OTLPLogExporter() });
export const loggerProvider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'winston-example' }),
  processors: [logProcessor],
});
logs.setGlobalLoggerProvider(loggerProvider);

// SIGTERM, SIGINT and fatal exceptions drain the processor within its shutdown deadline.
installExitHandlers([loggerProvider]);
