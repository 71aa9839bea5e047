import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLogRecordExporter, InMemorySpanExporter } from '#sdk';
import {
  BATCH_DEFAULTS,
  type BatchOptions,
  type EnvVariable,
  type LogRecordExporterLike,
  PROCESSOR_ENV_VARIABLES,
  ReporterLogRecordProcessor,
  ReporterSpanProcessor,
  RetryableError,
  TransportLogRecordExporter,
} from '../../src/index.js';
import { MemoryTransport } from '../helpers/memory-transport.js';

type Option = keyof BatchOptions;

/** A valid value for each variable, and the option value it must produce. */
const VALID: Record<string, [raw: string, value: number | string]> = {
  TELEMETRY_REPORTER_OVERFLOW_POLICY: ['DROP_OLDEST', 'drop_oldest'],
  TELEMETRY_REPORTER_MAX_QUEUE_BYTES: ['1000000', 1_000_000],
};
const validFor = (v: EnvVariable): [string, number | string] => VALID[v.name] ?? ['250', 250];

/** The processor that reads `variable`: the span processor for OTEL_BSP_*, the log one else. */
function processorFor(variable: EnvVariable, options: BatchOptions = {}) {
  return variable.signals.includes('logs')
    ? new ReporterLogRecordProcessor({ exporter: new InMemoryLogRecordExporter(), ...options })
    : new ReporterSpanProcessor({ exporter: new InMemorySpanExporter(), ...options });
}

function defaultFor(variable: EnvVariable): unknown {
  const option = variable.option as Option;
  if (option === 'scheduledDelayMillis' && !variable.signals.includes('logs')) return 5000;
  return BATCH_DEFAULTS[option];
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.each(PROCESSOR_ENV_VARIABLES.map((v) => [v.name, v] as const))('%s', (name, variable) => {
  const option = variable.option as Option;

  it('sets the option when valid', () => {
    const [raw, value] = validFor(variable);
    vi.stubEnv(name, raw);
    expect(processorFor(variable).options[option]).toBe(value);
  });

  it.each(['abc', '-5', '0', '1.5', '1e400'])(
    'ignores %j with a warning naming it, and uses the default',
    (raw) => {
      vi.stubEnv(name, raw);
      const diag = captureDiag();
      try {
        expect(processorFor(variable).options[option]).toBe(defaultFor(variable));
        expect(
          diag.warn.some((line) => line.startsWith(`${name}=${JSON.stringify(raw)} is not`)),
        ).toBe(true);
      } finally {
        diag.restore();
      }
    },
  );

  it('ignores an empty value silently', () => {
    vi.stubEnv(name, '  ');
    const diag = captureDiag();
    try {
      expect(processorFor(variable).options[option]).toBe(defaultFor(variable));
      expect(diag.warn).toEqual([]);
    } finally {
      diag.restore();
    }
  });

  it('loses to the same option given in code', () => {
    const [raw] = validFor(variable);
    vi.stubEnv(name, raw);
    const inCode: BatchOptions =
      option === 'overflowPolicy' ? { overflowPolicy: 'drop_lowest_severity' } : { [option]: 100 };
    expect(processorFor(variable, inCode).options[option]).toBe(inCode[option]);
  });
});

describe('scoping', () => {
  it('OTEL_BLRP_* configures the log processor only, OTEL_BSP_* the span processor only', () => {
    vi.stubEnv('OTEL_BLRP_MAX_QUEUE_SIZE', '111');
    vi.stubEnv('OTEL_BSP_MAX_QUEUE_SIZE', '222');
    const logs = new ReporterLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() });
    const spans = new ReporterSpanProcessor({ exporter: new InMemorySpanExporter() });
    expect(logs.options.maxQueueSize).toBe(111);
    expect(spans.options.maxQueueSize).toBe(222);
  });

  it('clamps an env batch size larger than the env queue size, as for code', () => {
    vi.stubEnv('OTEL_BLRP_MAX_QUEUE_SIZE', '100');
    vi.stubEnv('OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', '500');
    const logs = new ReporterLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() });
    expect(logs.options.maxExportBatchSize).toBe(100);
  });
});

describe('TELEMETRY_REPORTER_MAX_ATTEMPTS', () => {
  async function attemptsWith(retry?: { maxAttempts?: number; initialDelayMillis: number }) {
    const transport = new MemoryTransport(() => {
      throw new RetryableError('503');
    });
    const exporter: LogRecordExporterLike = new TransportLogRecordExporter({
      transport,
      retry: retry ?? { initialDelayMillis: 0 },
    });
    const record = {
      hrTime: [1, 0] as [number, number],
      attributes: {},
      resource: { attributes: {} },
      instrumentationScope: { name: 's' },
    };
    await new Promise((resolve) => exporter.export([record], resolve));
    return transport.attempts.length;
  }

  it('sets the transport exporters attempts', async () => {
    vi.stubEnv('TELEMETRY_REPORTER_MAX_ATTEMPTS', '3');
    expect(await attemptsWith()).toBe(3);
  });

  it('is ignored with a warning when invalid', async () => {
    vi.stubEnv('TELEMETRY_REPORTER_MAX_ATTEMPTS', 'many');
    const diag = captureDiag();
    try {
      expect(await attemptsWith()).toBe(5);
      expect(diag.warn).toContain(
        'TELEMETRY_REPORTER_MAX_ATTEMPTS="many" is not a positive integer; ignored, the default applies',
      );
    } finally {
      diag.restore();
    }
  });

  it('loses to retry.maxAttempts given in code', async () => {
    vi.stubEnv('TELEMETRY_REPORTER_MAX_ATTEMPTS', '3');
    expect(await attemptsWith({ maxAttempts: 2, initialDelayMillis: 0 })).toBe(2);
  });
});
