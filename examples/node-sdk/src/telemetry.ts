// Start OpenTelemetry before the app's own modules are loaded:
//
//   node --import ./dist/telemetry.js dist/main.js
//
// Everything a service needs: NodeSDK with our processors in front of the official OTLP/HTTP
// protobuf exporters (endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_*
// variables, default http://localhost:4318), the HTTP instrumentation, and exit handlers.
import { register } from 'node:module';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  installExitHandlers,
  ReporterLogRecordProcessor,
  ReporterSpanProcessor,
} from '@telemetry-reporter/otel';

// An ESM app's `import ... from 'node:http'` never goes through require(), so instrumentations
// only see it through this loader hook. It must be registered before the app's modules are
// loaded, which is why this file is preloaded with --import rather than imported by the app.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

export const logProcessor = new ReporterLogRecordProcessor({ exporter: new OTLPLogExporter() });
export const spanProcessor = new ReporterSpanProcessor({ exporter: new OTLPTraceExporter() });

export const sdk = new NodeSDK({
  serviceName: 'node-sdk-example',
  logRecordProcessors: [logProcessor],
  spanProcessors: [spanProcessor],
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();

// SIGTERM, SIGINT and fatal exceptions drain the processors within their shutdown deadline. A
// script that ends on its own calls `await sdk.shutdown()` itself (NodeSDK has no forceFlush).
installExitHandlers([sdk]);
