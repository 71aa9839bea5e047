import { afterEach, describe, expect, it } from 'vitest';
import { SDK_LINE } from '#sdk';
import { type InstalledApp, installApp } from '../helpers/installed-app.js';

// Without the `sdk` option, createTelemetryReporter requires the app's @opentelemetry/sdk-logs,
// which this package declares only as an optional peer. So the test installs an app in a fresh
// folder, as a package manager would, with the SDK line under test beside our package.

const line: number = SDK_LINE; // typed for the default line; either one at run time

interface AppOutput {
  stopped?: boolean;
  records?: { eventName: string; severityText: string; service: string; sdkVersion: string }[];
  error?: { name: string; code: string; message: string };
}

const apps: InstalledApp[] = [];
async function runApp(sdkLogs: boolean, env: Record<string, string> = {}): Promise<AppOutput> {
  const app = installApp('reporter-app.mjs', { line, sdkLogs });
  apps.push(app);
  const result = await app.run(env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as AppOutput;
}

afterEach(() => {
  for (const app of apps.splice(0)) app.remove();
});

describe('loading the SDK', () => {
  it('builds on the app’s own @opentelemetry/sdk-logs', { timeout: 20_000 }, async () => {
    const output = await runApp(true, { OTEL_SERVICE_NAME: 'from-env', SERVICE: 'checkout' });
    expect(output.error).toBeUndefined();
    expect(output.stopped).toBe(true);
    expect(output.records).toEqual([
      expect.objectContaining({ eventName: 'app.started', severityText: 'INFO' }),
      expect.objectContaining({ eventName: 'exception', severityText: 'ERROR' }),
    ]);
    for (const record of output.records ?? []) {
      expect(record.service).toBe('checkout');
      // the SDK's default resource carries its own version: proof of which line was loaded
      expect(record.sdkVersion).toMatch(line === 3 ? /^3\./ : /^2\./);
    }
  });

  it('names what to install when the app has no SDK', { timeout: 20_000 }, async () => {
    const output = await runApp(false);
    expect(output.error).toMatchObject({ name: 'SdkLoadError', code: 'TR_SDK_LOAD_FAILED' });
    expect(output.error?.message).toContain('needs @opentelemetry/sdk-logs');
    expect(output.error?.message).toContain('pass the SDK modules as the `sdk` option');
  });
});
