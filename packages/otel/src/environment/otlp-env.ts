import { MAX_TIMER_MILLIS } from '@telemetry-reporter/core';
import { diagLogger } from '../internal/diag-logger.js';
import { type Environment, oneOfWords, positiveInteger } from './env-config.js';

/** Which OTLP signal; also the path segment of its HTTP endpoint. */
export type OtlpSignal = 'logs' | 'traces';

/** What the OTLP exporter of one signal is configured with. */
export interface OtlpSettings {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly format: 'protobuf' | 'json';
  readonly timeoutMillis: number | undefined;
  readonly compression: 'gzip' | 'none';
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';
const COMPRESSIONS: readonly ('gzip' | 'none')[] = ['gzip', 'none'];

/** The first of `names` set to something other than blanks. */
function firstSet(env: Environment, names: readonly string[]): string | undefined {
  return names.find((name) => (env[name]?.trim() ?? '') !== '');
}

/**
 * The standard `OTEL_EXPORTER_OTLP_*` variables for `signal`, the per-signal ones winning, with
 * `TELEMETRY_REPORTER_ENDPOINT` / `TELEMETRY_REPORTER_HEADERS` as the base endpoint and extra
 * headers. An invalid protocol, timeout or compression is ignored with a `diag.warn` naming the
 * variable and its value; header values are secrets: diagnostics never echo them.
 */
export function otlpSettings(signal: OtlpSignal, env: Environment): OtlpSettings {
  const upper = signal.toUpperCase();
  const specific = env[`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`]?.trim();
  const base = (
    env.TELEMETRY_REPORTER_ENDPOINT?.trim() ||
    env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() ||
    DEFAULT_ENDPOINT
  ).replace(/\/+$/, '');
  const protocolVariable = firstSet(env, [
    `OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`,
    'OTEL_EXPORTER_OTLP_PROTOCOL',
  ]);
  const protocol =
    protocolVariable === undefined ? 'http/protobuf' : (env[protocolVariable] ?? '').trim();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    diagLogger.warn(
      `${protocolVariable}=${JSON.stringify(protocol)} is not supported (http/protobuf or http/json); using http/protobuf`,
    );
  }
  // The per-signal variable wins; an invalid one is ignored with a warning, as sdk-node does.
  const timeout =
    positiveInteger(env, `OTEL_EXPORTER_OTLP_${upper}_TIMEOUT`, MAX_TIMER_MILLIS) ??
    positiveInteger(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', MAX_TIMER_MILLIS);
  const compression =
    oneOfWords(env, `OTEL_EXPORTER_OTLP_${upper}_COMPRESSION`, COMPRESSIONS) ??
    oneOfWords(env, 'OTEL_EXPORTER_OTLP_COMPRESSION', COMPRESSIONS) ??
    'none';
  return {
    url: specific || `${base}/v1/${signal}`,
    headers: {
      ...parseHeaders('OTEL_EXPORTER_OTLP_HEADERS', env),
      ...parseHeaders(`OTEL_EXPORTER_OTLP_${upper}_HEADERS`, env),
      ...parseHeaders('TELEMETRY_REPORTER_HEADERS', env),
    },
    format: protocol === 'http/json' ? 'json' : 'protobuf',
    timeoutMillis: timeout,
    compression,
  };
}

/**
 * Parses `key1=value1,key2=value2` (values percent-encoded, as the OpenTelemetry specification
 * says). An entry that does not parse is skipped with a warning that names the variable and the
 * entry's position, never its value.
 */
export function parseHeaders(name: string, env: Environment): Record<string, string> {
  const raw = env[name];
  const headers: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return headers;
  raw.split(',').forEach((entry, index) => {
    // `a=1,` or `a=1,,b=2`: an empty entry says nothing, and is no mistake worth a warning.
    if (entry.trim() === '') return;
    const at = entry.indexOf('=');
    const key = entry.slice(0, at).trim().toLowerCase();
    let value: string | undefined;
    try {
      value = at > 0 ? decodeURIComponent(entry.slice(at + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (value === undefined || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) {
      diagLogger.warn(`${name}: entry ${index + 1} is not key=value; ignored`);
      return;
    }
    headers[key] = value;
  });
  return headers;
}
