import { join } from 'node:path';
import {
  createFileSpool,
  type FileSpool,
  SPOOL_MODES,
  type SpoolMode,
} from '@telemetry-reporter/core';
import { diagLogger } from '../internal/diag-logger.js';
import { type Environment, type EnvSignal, oneOfWords, positiveInteger } from './env-config.js';

/** The spool the environment asks for, and how to use it. */
export interface SpoolFromEnv {
  readonly spool: FileSpool;
  readonly spoolMode: SpoolMode;
}

/** The subdirectory of `TELEMETRY_REPORTER_SPOOL_DIR` each signal spools into. */
export const SPOOL_SUBDIRECTORIES: Readonly<Record<EnvSignal, string>> = Object.freeze({
  logs: 'logs',
  spans: 'traces',
});

/**
 * `TELEMETRY_REPORTER_SPOOL_DIR` (with `_SPOOL_MAX_BYTES`, `_SPOOL_MAX_AGE` in milliseconds and
 * `_SPOOL_MODE`): a spool for the `signal` exporter, in a subdirectory of its own (`logs/`,
 * `traces/`), since replays go through the exporter that wrote them. `undefined` when the
 * directory is not set. Bad sizes or modes are ignored with a `diag.warn`, as every variable.
 */
export function spoolFromEnv(signal: EnvSignal, env: Environment): SpoolFromEnv | undefined {
  const directory = env.TELEMETRY_REPORTER_SPOOL_DIR?.trim();
  if (directory === undefined || directory === '') return undefined;
  const maxBytes = positiveInteger(
    env,
    'TELEMETRY_REPORTER_SPOOL_MAX_BYTES',
    Number.MAX_SAFE_INTEGER,
  );
  const maxAgeMillis = positiveInteger(
    env,
    'TELEMETRY_REPORTER_SPOOL_MAX_AGE',
    Number.MAX_SAFE_INTEGER,
  );
  const spoolMode = oneOfWords(env, 'TELEMETRY_REPORTER_SPOOL_MODE', SPOOL_MODES) ?? 'fallback';
  const spool = createFileSpool({
    directory: join(directory, SPOOL_SUBDIRECTORIES[signal]),
    logger: diagLogger,
    name: `spool(${signal})`,
    ...(maxBytes === undefined ? {} : { maxBytes }),
    ...(maxAgeMillis === undefined ? {} : { maxAgeMillis }),
  });
  return { spool, spoolMode };
}
