import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture, SDK_MODULE } from '../helpers/child-process.js';
import { type InstalledApp, installApp } from '../helpers/installed-app.js';
import { never, RecordReceiver, slowly } from '../helpers/record-receiver.js';

// The edges of exit handling, in real child processes (test/fixtures/exit-edges-app.mjs and
// register-drain-app.mjs): records emitted while the handlers drain, a closed output pipe, a dead
// backend at beforeExit, process.exit() in the app's own signal handler. No assertion here is on
// wall-clock time: each checks how the process ended and what it counted; the kill timeouts only
// turn a hang into a failure.

const LINE = process.env.OTEL_SDK_LINE === '3' ? 3 : 2;
const LOGS_API = LINE === 3 ? '@opentelemetry/api' : '@opentelemetry/api-logs';
const TRACING = LINE === 3 ? '@opentelemetry/sdk-trace' : '@opentelemetry/sdk-trace-base';

let receiver: RecordReceiver | undefined;
let app: InstalledApp | undefined;

afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
  app?.remove();
  app = undefined;
});

interface Stats {
  received: number;
  exported: number;
  queued: number;
  inFlight: number;
  dropped: Record<string, number>;
}

/** The `STATS {...}` line the fixtures print at exit. */
function statsLine(stdout: string): { emitted: number; stats: Stats } {
  const line = stdout.split('\n').find((l) => l.startsWith('STATS '));
  expect(line, `no STATS line in:\n${stdout}`).toBeDefined();
  return JSON.parse((line ?? '').slice('STATS '.length)) as { emitted: number; stats: Stats };
}

function expectEveryRecordCounted({ emitted, stats }: { emitted: number; stats: Stats }): void {
  const dropped = Object.values(stats.dropped).reduce((sum, n) => sum + n, 0);
  expect(stats.received).toBe(emitted);
  expect(stats.exported + dropped + stats.queued + stats.inFlight).toBe(stats.received);
}

const env = (scenario: string, extra: Record<string, string> = {}): Record<string, string> => ({
  SCENARIO: scenario,
  RECEIVER_URL: receiver?.url ?? '',
  ...extra,
});

describe('records emitted while the exit handlers drain', { timeout: 60_000 }, () => {
  it('are all counted when the app keeps serving after SIGTERM (installExitHandlers)', async () => {
    receiver = await RecordReceiver.start(slowly(300));
    const result = await runFixture('exit-edges-app.mjs', {
      env: env('serve-after-sigterm', { SERVE_MILLIS: '400' }),
      killAfterMillis: 45_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result).toMatchObject({ code: 0, signal: null });
    const report = statsLine(result.stdout);
    expectEveryRecordCounted(report);
    // the processor drained first and counted what came later, while the provider stayed up
    expect(report.emitted).toBeGreaterThan(1000);
    expect(report.stats.dropped.already_shutdown).toBe(report.emitted - 1000);
    expect(report.stats.exported).toBe(receiver.records);
  });

  it('are all counted with --import @telemetry-reporter/otel/register', async () => {
    receiver = await RecordReceiver.start(slowly(300));
    app = installApp('register-drain-app.mjs', {
      line: LINE,
      sdkLogs: true,
      ours: ['transport-http'],
      link: [...(LOGS_API === '@opentelemetry/api' ? [] : [LOGS_API]), TRACING],
    });
    const installed = app;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', '@telemetry-reporter/otel/register', join(installed.dir, 'app.mjs')],
          {
            cwd: installed.dir,
            env: {
              ...process.env,
              NODE_PATH: '',
              LOGS_API,
              TELEMETRY_REPORTER_EXPORTER: 'http',
              TELEMETRY_REPORTER_ENDPOINT: receiver?.url ?? '',
              SERVE_MILLIS: '400',
            },
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 45_000,
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout === 'ready\n') child.kill('SIGTERM');
        });
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = statsLine(result.stdout);
    expectEveryRecordCounted(report);
    expect(report.stats.dropped.already_shutdown).toBe(report.emitted - 1000);
  });
});

describe('process.exit() in the app\u2019s own SIGTERM handler', { timeout: 60_000 }, () => {
  it('prints how many records were still pending, though a signal shutdown had started', async () => {
    receiver = await RecordReceiver.start(slowly(50));
    const result = await runFixture('exit-edges-app.mjs', {
      env: env('exit-in-own-sigterm', { RECORDS: '10000' }),
      killAfterMillis: 45_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toMatch(
      /process exiting with \d+ telemetry records still queued or in flight: they are lost/,
    );
  });
});

describe('a closed output pipe (`node app.js | head -1`)', { timeout: 60_000 }, () => {
  /** Runs the chatty app, closes its stdout and stderr after the first line, waits for its end. */
  function runAndClosePipe(
    extra: Record<string, string>,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const path = fileURLToPath(new URL('../fixtures/exit-edges-app.mjs', import.meta.url));
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path], {
        env: { ...process.env, SDK_MODULE, ...env('closed-output', extra) },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      });
      child.stdout.once('data', () => {
        // what `head -1` does once it has its line: the reading end of the pipe goes away
        child.stdout.destroy();
        child.stderr.destroy();
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  it('ends the process with the code it has without the handlers, instead of looping', async () => {
    receiver = await RecordReceiver.start(slowly(10));
    const without = await runAndClosePipe({ NO_HANDLERS: '1' });
    const withHandlers = await runAndClosePipe({ TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '2000' });
    expect(without).toEqual({ code: 1, signal: null });
    // not killed by the 30 s timeout (SIGTERM): it exited on its own, with Node's code
    expect(withHandlers).toEqual(without);
  });
});

describe('a dead backend at beforeExit', { timeout: 60_000 }, () => {
  it('ends the script by the deadline, counting what it gave up, with exit code 0', async () => {
    // A backend that refuses connections: every send fails at once and is retried after a
    // backoff (unref'd timers), so the loop empties and beforeExit flushes. Before, that flush
    // held the process through every export deadline (21 s here) after warning at 1 s.
    receiver = await RecordReceiver.start(never);
    const url = receiver.url;
    await receiver.stop();
    receiver = undefined;
    const result = await runFixture('exit-edges-app.mjs', {
      env: {
        SCENARIO: 'before-exit',
        RECEIVER_URL: url,
        RETRY: '1',
        RECORDS: '2048',
        OTEL_BLRP_EXPORT_TIMEOUT: '3000',
        TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '1000',
      },
      killAfterMillis: 15_000,
    });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toMatch(
      /telemetry flush at exit did not finish within 1000 ms; \d+ records still queued or in flight are dropped \(shutdown_timeout\) and the process exits/,
    );
    // every record is accounted: whatever the retries had not given up on counts as shutdown_timeout
    expect(result.stderr).toMatch(/shutdown_timeout: \d+/);
  });
});
