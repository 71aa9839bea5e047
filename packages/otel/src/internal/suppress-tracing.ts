import { type Context, context, createContextKey } from '@opentelemetry/api';

// The same key `@opentelemetry/core` uses (createContextKey is Symbol.for), so instrumented I/O of
// an exporter (an HTTP client span, say) is suppressed without depending on a core version.
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** Runs `fn` with tracing suppressed, so exporting telemetry never produces more telemetry. */
export function withTracingSuppressed<T>(fn: () => T): T {
  const suppressed: Context = context.active().setValue(SUPPRESS_TRACING_KEY, true);
  return context.with(suppressed, fn);
}
