import { describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child-process.js';

// Drops a user sees without configuring anything (test/fixtures/drop-warning-app.mjs): a real
// process whose exporter refuses every batch and whose queue overflows, three times over.

const CODE = '[TELEMETRY_REPORTER_DROPPED]';

function warningLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes(CODE));
}

function dropped(stdout: string): Record<string, number> {
  const line = stdout.split('\n').find((l) => l.startsWith('STATS '));
  expect(line, stdout).toBeDefined();
  return JSON.parse((line ?? '').slice('STATS '.length)) as Record<string, number>;
}

describe('drop warnings without a diag logger', () => {
  it('reach stderr through Node warnings, once per reason, however many drops follow', async () => {
    const { code, stdout, stderr } = await runFixture('drop-warning-app.mjs');
    expect(code).toBe(0);
    const counts = dropped(stdout);
    expect(counts.queue_full).toBeGreaterThan(1);
    expect(counts.rejected).toBeGreaterThan(1);
    const lines = warningLines(stderr);
    const reasons = (line: string) => /\((.*)\)/.exec(line)?.[1] ?? '';
    // every reason shown once in all, whatever warning carried it
    expect(lines.join('\n').match(/queue_full/g)).toHaveLength(1);
    expect(lines.join('\n').match(/rejected/g)).toHaveLength(1);
    expect(lines.every((line) => reasons(line) !== '')).toBe(true);
    expect(stderr).toMatch(
      /TelemetryReporterWarning: ReporterLogRecordProcessor: dropped records \(/,
    );
  });

  it('are silenced by --no-warnings and by dropWarningIntervalMillis: 0', async () => {
    const quiet = await runFixture('drop-warning-app.mjs', { args: ['--no-warnings'] });
    expect(quiet.code).toBe(0);
    expect(warningLines(quiet.stderr)).toEqual([]);
    const off = await runFixture('drop-warning-app.mjs', { env: { INTERVAL: '0' } });
    expect(off.code).toBe(0);
    expect(warningLines(off.stderr)).toEqual([]);
    expect(dropped(off.stdout).rejected).toBeGreaterThan(1);
  });

  it('go to the diag logger instead when the app registered one', async () => {
    const { code, stdout, stderr } = await runFixture('drop-warning-app.mjs', {
      env: { DIAG: '1' },
    });
    expect(code).toBe(0);
    expect(warningLines(stderr)).toEqual([]);
    expect(stdout).toMatch(/DIAG ReporterLogRecordProcessor: dropped \d+ records/);
  });
});
