import { diag } from '@opentelemetry/api';

/** What `@opentelemetry/core` offers to report an error through the app's handler. */
type ErrorHandler = (error: unknown) => void;

// OpenTelemetry's processors report every failed export to `globalErrorHandler` of
// `@opentelemetry/core`, whose target the app sets with `setGlobalErrorHandler`. The handler is
// module state, not a global: only the app's own copy of @opentelemetry/core (an optional peer
// dependency) reaches it. Loaded once, asynchronously: a report is never on the caller's stack.
let loading: Promise<ErrorHandler> | undefined;

async function load(): Promise<ErrorHandler> {
  try {
    const core = (await import('@opentelemetry/core')) as { globalErrorHandler?: unknown };
    if (typeof core.globalErrorHandler === 'function') {
      return core.globalErrorHandler as ErrorHandler;
    }
  } catch {
    // not installed: report as its default handler would
  }
  return (error) => diag.error(describe(error));
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return 'an export failed';
  }
}

/** Starts loading the handler, so that the first failure is reported without delay. */
export function preloadGlobalErrorHandler(): void {
  loading ??= load();
}

/**
 * Hands `error` to OpenTelemetry's global error handler (the app's `setGlobalErrorHandler`, or
 * by default `diag.error`), on a microtask. Never throws, whatever the handler does.
 */
export function reportToGlobalErrorHandler(error: unknown): void {
  loading ??= load();
  void loading.then((handler) => {
    try {
      handler(error);
    } catch {
      // a throwing handler must not become an unhandled rejection
    }
  });
}
