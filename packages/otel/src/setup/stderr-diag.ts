import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { Environment } from '../environment/env-config.js';
import { writeStderr } from '../internal/user-warning.js';

const LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/**
 * Routes OpenTelemetry's `diag` to stderr at `OTEL_LOG_LEVEL` (default `WARN`), as NodeSDK does,
 * except that every level goes to stderr: stdout belongs to the app.
 */
export function routeDiagToStderr(env: Environment): void {
  const raw = env.OTEL_LOG_LEVEL?.trim().toUpperCase();
  const level = raw === undefined || raw === '' ? DiagLogLevel.WARN : LEVELS[raw];
  const write =
    (prefix: string) =>
    (message: string, ...args: unknown[]): void => {
      const rest = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a)));
      writeStderr(`${[`@telemetry-reporter/otel ${prefix}`, message, ...rest].join(' ')}\n`);
    };
  diag.setLogger(
    {
      error: write('error'),
      warn: write('warn'),
      info: write('info'),
      debug: write('debug'),
      verbose: write('verbose'),
    },
    { logLevel: level ?? DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  if (level === undefined) {
    diag.warn(
      `OTEL_LOG_LEVEL=${JSON.stringify(env.OTEL_LOG_LEVEL)} is not a log level; using WARN`,
    );
  }
}
