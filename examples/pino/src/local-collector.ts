// Not part of what you would write: a stand-in for an OpenTelemetry Collector, so the example runs
// and checks itself anywhere. It is preloaded before telemetry.ts, so the OTLP exporters built
// there find it through OTEL_EXPORTER_OTLP_ENDPOINT, as they would find a real collector. With the
// variable already set, nothing starts and the data goes where it points.
import { startLocalCollector } from '@telemetry-reporter-examples/support';

export const collector = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  ? undefined
  : await startLocalCollector();
if (collector) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
