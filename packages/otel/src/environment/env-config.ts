import { type BatchOptions, MAX_TIMER_MILLIS, OVERFLOW_POLICIES } from '@telemetry-reporter/core';
import { diagLogger } from '../internal/diag-logger.js';

// Every environment variable is read here, and only at the edges: the public constructors,
// installExitHandlers and configureFromEnvironment. The engine, the processor base and the
// exporter base take resolved options and never look at the environment.

/** Which processor a variable configures. */
export type EnvSignal = 'logs' | 'spans';

/** The environment, as `process.env` shapes it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * An internal option: the environment a public constructor reads instead of `process.env`.
 * `configureFromEnvironment({ env })` passes its own, so that every setting comes from it.
 */
export const ENVIRONMENT: unique symbol = Symbol('telemetry-reporter.environment');

/** Options that may carry {@link ENVIRONMENT}. */
export interface WithEnvironment {
  /** The environment to read instead of `process.env`. */
  readonly [ENVIRONMENT]?: Environment;
}

/** `options` carrying `env`, for a public constructor to read instead of `process.env`. */
export function withEnvironment<T extends object>(options: T, env: Environment): T {
  return { ...options, [ENVIRONMENT]: env };
}

/** The environment a public constructor reads: the one passed internally, else `process.env`. */
export function environmentOf(options: unknown): Environment {
  const passed =
    typeof options === 'object' && options !== null
      ? (options as WithEnvironment)[ENVIRONMENT]
      : undefined;
  return passed ?? process.env;
}

/** One environment variable the processors read, for documentation and tooling. */
export interface EnvVariable {
  /** The variable's name. */
  readonly name: string;
  /** The option it sets. */
  readonly option: string;
  /** Which processors read it. */
  readonly signals: readonly EnvSignal[];
  /** What a valid value looks like. */
  readonly accepts: string;
}

type NumericOption =
  | 'scheduledDelayMillis'
  | 'exportTimeoutMillis'
  | 'maxQueueSize'
  | 'maxExportBatchSize';

const OTEL_VARIABLES: readonly [suffix: string, option: NumericOption, max: number][] = [
  ['SCHEDULE_DELAY', 'scheduledDelayMillis', MAX_TIMER_MILLIS],
  ['EXPORT_TIMEOUT', 'exportTimeoutMillis', MAX_TIMER_MILLIS],
  ['MAX_QUEUE_SIZE', 'maxQueueSize', Number.MAX_SAFE_INTEGER],
  ['MAX_EXPORT_BATCH_SIZE', 'maxExportBatchSize', Number.MAX_SAFE_INTEGER],
];

const PREFIX: Readonly<Record<EnvSignal, string>> = { logs: 'OTEL_BLRP_', spans: 'OTEL_BSP_' };

/** Every variable the processors read, in the order of the README's table. */
export const PROCESSOR_ENV_VARIABLES: readonly EnvVariable[] = Object.freeze([
  ...OTEL_VARIABLES.flatMap(([suffix, option]) =>
    (['logs', 'spans'] as const).map((signal) => ({
      name: `${PREFIX[signal]}${suffix}`,
      option,
      signals: [signal],
      accepts: 'a positive integer',
    })),
  ),
  {
    name: 'TELEMETRY_REPORTER_OVERFLOW_POLICY',
    option: 'overflowPolicy',
    signals: ['logs', 'spans'],
    accepts: OVERFLOW_POLICIES.join(' | '),
  },
  {
    name: 'TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT',
    option: 'shutdownTimeoutMillis',
    signals: ['logs', 'spans'],
    accepts: 'a positive integer (milliseconds)',
  },
  {
    name: 'TELEMETRY_REPORTER_MAX_CONCURRENT_EXPORTS',
    option: 'maxConcurrentExports',
    signals: ['logs', 'spans'],
    accepts: 'a positive integer',
  },
  {
    name: 'TELEMETRY_REPORTER_MAX_QUEUE_BYTES',
    option: 'maxQueueBytes',
    signals: ['logs', 'spans'],
    accepts: 'a positive integer (bytes)',
  },
]);

/**
 * The batching options the environment sets for the `signal` processor, with sdk-node's rules:
 * an empty or unset variable is ignored; a value that is not a positive integer (or not one of
 * the allowed words) is ignored with a `diag.warn` naming the variable and the value, and the
 * default applies. Options given in code take precedence over these.
 */
export function batchOptionsFromEnv(
  signal: EnvSignal,
  env: Environment = process.env,
): BatchOptions {
  const options: BatchOptions = {};
  for (const [suffix, option, max] of OTEL_VARIABLES) {
    const value = positiveInteger(env, `${PREFIX[signal]}${suffix}`, max);
    if (value !== undefined) options[option] = value;
  }
  const policy = oneOfWords(env, 'TELEMETRY_REPORTER_OVERFLOW_POLICY', OVERFLOW_POLICIES);
  if (policy !== undefined) options.overflowPolicy = policy;
  const shutdown = shutdownTimeoutFromEnv(env);
  if (shutdown !== undefined) options.shutdownTimeoutMillis = shutdown;
  const concurrency = positiveInteger(
    env,
    'TELEMETRY_REPORTER_MAX_CONCURRENT_EXPORTS',
    Number.MAX_SAFE_INTEGER,
  );
  if (concurrency !== undefined) options.maxConcurrentExports = concurrency;
  const bytes = positiveInteger(env, 'TELEMETRY_REPORTER_MAX_QUEUE_BYTES', Number.MAX_SAFE_INTEGER);
  if (bytes !== undefined) options.maxQueueBytes = bytes;
  return options;
}

/**
 * `TELEMETRY_REPORTER_METRICS=true`: self-metrics to the global MeterProvider when no
 * `meterProvider` is given.
 */
export function metricsFromEnv(env: Environment = process.env): boolean {
  return booleanFromEnv('TELEMETRY_REPORTER_METRICS', env) === true;
}

/** `TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT`, for the exit handlers' wait. */
export function shutdownTimeoutFromEnv(env: Environment = process.env): number | undefined {
  return positiveInteger(env, 'TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT', MAX_TIMER_MILLIS);
}

/** `TELEMETRY_REPORTER_MAX_ATTEMPTS`, for the transport exporters' retry policy. */
export function maxAttemptsFromEnv(env: Environment = process.env): number | undefined {
  return positiveInteger(env, 'TELEMETRY_REPORTER_MAX_ATTEMPTS', Number.MAX_SAFE_INTEGER);
}

/** Reads `true` / `false` (any case); warns about and ignores anything else. */
export function booleanFromEnv(name: string, env: Environment = process.env): boolean | undefined {
  const word = oneOfWords(env, name, ['true', 'false'] as const);
  return word === undefined ? undefined : word === 'true';
}

/** Reads a positive integer variable; warns about and ignores anything else. */
export function positiveInteger(env: Environment, name: string, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    diagLogger.warn(
      `${name}=${JSON.stringify(raw)} is not a positive integer${max < Number.MAX_SAFE_INTEGER ? ` <= ${max}` : ''}; ignored, the default applies`,
    );
    return undefined;
  }
  return value;
}

/** Reads a variable that must be one of `words` (case-insensitive); warns about anything else. */
export function oneOfWords<T extends string>(
  env: Environment,
  name: string,
  words: readonly T[],
): T | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const word = words.find((w) => w === raw.toLowerCase());
  if (word === undefined) {
    diagLogger.warn(
      `${name}=${JSON.stringify(raw)} is not one of ${words.join(', ')}; ignored, the default applies`,
    );
  }
  return word;
}
