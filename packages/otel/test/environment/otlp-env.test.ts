import { captureDiag, type DiagCapture } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otlpSettings } from '../../src/environment/otlp-env.js';

// The OTEL_EXPORTER_OTLP_* variables `register` / configureFromEnvironment read for
// TELEMETRY_REPORTER_EXPORTER=otlp. An invalid value is ignored with a diag.warn naming the
// variable and the value, as sdk-node does; a header value is never echoed.

let diag: DiagCapture;

beforeEach(() => {
  diag = captureDiag();
});

afterEach(() => {
  diag.restore();
});

describe('OTEL_EXPORTER_OTLP_TIMEOUT', () => {
  it('sets the per-attempt timeout; the per-signal variable wins', () => {
    expect(otlpSettings('logs', { OTEL_EXPORTER_OTLP_TIMEOUT: ' 2500 ' }).timeoutMillis).toBe(2500);
    const env = { OTEL_EXPORTER_OTLP_TIMEOUT: '2500', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700' };
    expect(otlpSettings('traces', env).timeoutMillis).toBe(700);
    expect(otlpSettings('logs', env).timeoutMillis).toBe(2500);
    expect(diag.warn).toEqual([]);
  });

  it.each(['soon', '0', '-1', '1.5', '3000000000'])(
    'ignores %j with a warning naming the variable and the value',
    (raw) => {
      expect(otlpSettings('logs', { OTEL_EXPORTER_OTLP_TIMEOUT: raw }).timeoutMillis).toBe(
        undefined,
      );
      expect(diag.warn).toEqual([
        `OTEL_EXPORTER_OTLP_TIMEOUT=${JSON.stringify(raw)} is not a positive integer <= 2147483647; ignored, the default applies`,
      ]);
    },
  );

  it('falls back to the general variable when the per-signal one is invalid', () => {
    const settings = otlpSettings('logs', {
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: 'ten',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
    });
    expect(settings.timeoutMillis).toBe(5000);
    expect(diag.warn).toEqual([
      'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT="ten" is not a positive integer <= 2147483647; ignored, the default applies',
    ]);
  });
});

describe('OTEL_EXPORTER_OTLP_COMPRESSION', () => {
  it('takes gzip or none, in any case; the per-signal variable wins', () => {
    expect(otlpSettings('logs', { OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP' }).compression).toBe(
      'gzip',
    );
    const env = {
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none',
    };
    expect(otlpSettings('traces', env).compression).toBe('none');
    expect(otlpSettings('logs', {}).compression).toBe('none');
    expect(diag.warn).toEqual([]);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli'],
    ['OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', 'zstd'],
  ])('ignores %s=%j with a warning naming both', (name, raw) => {
    expect(otlpSettings('logs', { [name]: raw }).compression).toBe('none');
    expect(diag.warn).toEqual([
      `${name}=${JSON.stringify(raw)} is not one of gzip, none; ignored, the default applies`,
    ]);
  });
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  it('names the variable that held an unsupported protocol', () => {
    expect(otlpSettings('traces', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }).format).toBe(
      'protobuf',
    );
    expect(diag.warn).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="grpc" is not supported (http/protobuf or http/json); using http/protobuf',
    ]);
  });
});

describe('OTEL_EXPORTER_OTLP_HEADERS', () => {
  it.each(['api-key=s3cr3t-value,', 'api-key=s3cr3t-value,,x-tenant=7', ',api-key=s3cr3t-value'])(
    'skips empty entries in %j without a warning',
    (raw) => {
      const { headers } = otlpSettings('logs', { OTEL_EXPORTER_OTLP_HEADERS: raw });
      expect(headers['api-key']).toBe('s3cr3t-value');
      expect(diag.warn).toEqual([]);
    },
  );

  it('warns about an entry that is not key=value by its position, never its value', () => {
    const { headers } = otlpSettings('logs', {
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cr3t-value,Bearer s3cr3t-token,x-tenant=7',
    });
    expect(headers).toEqual({ 'api-key': 's3cr3t-value', 'x-tenant': '7' });
    expect(diag.warn).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value; ignored']);
    expect(diag.all.join('\n')).not.toContain('s3cr3t');
  });
});
