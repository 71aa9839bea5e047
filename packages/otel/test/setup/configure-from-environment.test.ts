import { describe, expect, it } from 'vitest';
import {
  type ConfiguredTelemetry,
  type ConfigureOptions,
  configureFromEnvironment,
  EXPORTER_CHOICES,
  type ExporterChoice,
} from '../../src/index.js';

// configureFromEnvironment is what `register` runs; the README documents it for code-first use,
// so it and its types come from the package's entry point. Whole setups run in child processes
// (register.test.ts); here only what needs no SDK.

describe('configureFromEnvironment, from the package entry point', () => {
  it('lists the exporter choices in the order of the README', () => {
    const choices: readonly ExporterChoice[] = EXPORTER_CHOICES;
    expect(choices).toEqual(['otlp', 'http', 'console', 'none']);
    expect(Object.isFrozen(EXPORTER_CHOICES)).toBe(true);
  });

  it('installs nothing with TELEMETRY_REPORTER_EXPORTER=none', async () => {
    const before = process.listenerCount('SIGTERM');
    const options: ConfigureOptions = {
      env: { TELEMETRY_REPORTER_EXPORTER: 'none' },
      diagToStderr: false,
    };
    const configured: ConfiguredTelemetry = await configureFromEnvironment(options);
    expect(configured.exporter).toBe('none');
    expect(configured.loggerProvider).toBeUndefined();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    configured.uninstallExitHandlers();
  });
});
