import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type InstalledApp, installApp } from '../helpers/installed-app.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { never, RecordReceiver, slowly } from '../helpers/record-receiver.js';

// `node --import @telemetry-reporter/otel/register app.mjs`, in child processes: the app below
// uses only the OpenTelemetry API, installed in a temporary folder with the SDK line under test.

const LINE = process.env.OTEL_SDK_LINE === '3' ? 3 : 2;
const LOGS_API = LINE === 3 ? '@opentelemetry/api' : '@opentelemetry/api-logs';
const TRACING = LINE === 3 ? '@opentelemetry/sdk-trace' : '@opentelemetry/sdk-trace-base';

let app: InstalledApp | undefined;
let receiver: RecordReceiver | undefined;

afterEach(async () => {
  app?.remove();
  app = undefined;
  await receiver?.stop();
  receiver = undefined;
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function install(extra: string[] = []): InstalledApp {
  const logsApi = LOGS_API === '@opentelemetry/api' ? [] : [LOGS_API];
  app = installApp('register-app.mjs', {
    line: LINE,
    sdkLogs: true,
    ours: ['transport-http'],
    link: [...logsApi, TRACING, ...extra],
  });
  return app;
}

/**
 * Runs the app with `--import .../register`; sends `signal` once it printed `ready`. Kills it
 * with SIGKILL after 45 s, and `killAfterSignalMillis` after the signal if given: hang guards,
 * and a hung app never passes for one ended by `signal`.
 */
function runRegistered(
  env: Record<string, string>,
  signal?: NodeJS.Signals,
  killAfterSignalMillis?: number,
): Promise<Exit> {
  const installed = app ?? install();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', '@telemetry-reporter/otel/register', join(installed.dir, 'app.mjs')],
      {
        cwd: installed.dir,
        env: { ...process.env, NODE_PATH: '', LOGS_API, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 45_000,
        killSignal: 'SIGKILL',
      },
    );
    let stdout = '';
    let stderr = '';
    let signalled = false;
    let guard: ReturnType<typeof setTimeout> | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (signal !== undefined && !signalled && stdout.includes('ready\n')) {
        signalled = true;
        child.kill(signal);
        if (killAfterSignalMillis !== undefined) {
          guard = setTimeout(() => child.kill('SIGKILL'), killAfterSignalMillis);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, exitSignal) => {
      clearTimeout(guard);
      resolve({ code, signal: exitSignal, stdout, stderr });
    });
  });
}

const httpTo = (url: string, extra: Record<string, string> = {}): Record<string, string> => ({
  TELEMETRY_REPORTER_EXPORTER: 'http',
  TELEMETRY_REPORTER_ENDPOINT: url,
  OTEL_BLRP_MAX_QUEUE_SIZE: '10000',
  RECORDS: '10000',
  ...extra,
});

describe('node --import @telemetry-reporter/otel/register', { timeout: 60_000 }, () => {
  it('delivers 10,000 queued records on SIGTERM, then dies of SIGTERM as Node would', async () => {
    receiver = await RecordReceiver.start(slowly(50));
    const exit = await runRegistered({ ...httpTo(receiver.url), SCENARIO: 'signal' }, 'SIGTERM');
    expect(exit.stderr).toBe('');
    expect(receiver.records).toBe(10_000);
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('delivers everything when the app simply ends (beforeExit), exit code 0', async () => {
    receiver = await RecordReceiver.start(slowly(20));
    const exit = await runRegistered(httpTo(receiver.url, { SPANS: '20' }));
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    // 10,000 log records and 20 spans, told apart by the x-telemetry-signal header
    expect(receiver.records).toBe(10_020);
  });

  it('exits within the shutdown timeout from a backend that never answers, reporting the loss', async () => {
    receiver = await RecordReceiver.start(never);
    const exit = await runRegistered(
      { ...httpTo(receiver.url), SCENARIO: 'signal', TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '2000' },
      'SIGTERM',
      // A hang guard from the signal, half the 30 s default deadline and 7.5 times the 2 s one:
      // an app that ignored the variable would be killed first. No elapsed time is asserted, as
      // a loaded machine stretches any.
      15_000,
    );
    // Died of SIGTERM (the hang guard kills with SIGKILL) after counting every record as
    // shutdown_timeout, which only the shutdown deadline does.
    expect(exit.signal).toBe('SIGTERM');
    expect(exit.stderr).toMatch(
      /@telemetry-reporter\/otel warn ReporterLogRecordProcessor: dropped 10000 records \(shutdown_timeout: 10000\)/,
    );
  });

  it('sends from a worker thread with TELEMETRY_REPORTER_HTTP_THREAD=worker, SIGTERM included', async () => {
    receiver = await RecordReceiver.start(slowly(50));
    const exit = await runRegistered(
      { ...httpTo(receiver.url), SCENARIO: 'signal', TELEMETRY_REPORTER_HTTP_THREAD: 'worker' },
      'SIGTERM',
    );
    expect(exit.stderr).toBe('');
    expect(receiver.records).toBe(10_000);
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    const bad = await runRegistered(
      httpTo(receiver.url, { TELEMETRY_REPORTER_HTTP_THREAD: 'fiber' }),
    );
    expect(bad.stderr).toContain(
      'TELEMETRY_REPORTER_HTTP_THREAD="fiber" is not one of main, worker, auto; ignored, the default applies',
    );
    expect(bad.code).toBe(0);
  });

  it('routes diag to stderr at OTEL_LOG_LEVEL, and warns about a bad variable', async () => {
    receiver = await RecordReceiver.start(slowly(1));
    const bad = await runRegistered(httpTo(receiver.url, { OTEL_BLRP_SCHEDULE_DELAY: 'soon' }));
    expect(bad.stderr).toContain('OTEL_BLRP_SCHEDULE_DELAY="soon" is not a positive integer');
    const quiet = await runRegistered(
      httpTo(receiver.url, { OTEL_BLRP_SCHEDULE_DELAY: 'soon', OTEL_LOG_LEVEL: 'error' }),
    );
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
  });

  it('ships OTLP to the standard OTEL_EXPORTER_OTLP_* endpoint by default', async () => {
    const otlp = await OtlpReceiver.start();
    install(['@opentelemetry/otlp-transformer']);
    try {
      const exit = await runRegistered({
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url.replace('/v1/logs', ''),
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        RECORDS: '500',
      });
      expect(exit.stderr).toBe('');
      expect(otlp.bodies()).toHaveLength(500);
      // With OTLP gzip, `auto` (the default) sends from the transport's worker thread, where
      // gzip costs the main thread least; `main` keeps it there, and so does no compression.
      const sent = async (env: Record<string, string>) => {
        const exit = await runRegistered({
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url.replace('/v1/logs', ''),
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          RECORDS: '100',
          COUNT_WORKERS: '1',
          ...env,
        });
        return { stderr: exit.stderr, stdout: exit.stdout };
      };
      expect(await sent({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' })).toEqual({
        stderr: '',
        stdout: 'ready\nworkers 1\n',
      });
      expect(
        await sent({
          OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
          TELEMETRY_REPORTER_HTTP_THREAD: 'main',
        }),
      ).toEqual({ stderr: '', stdout: 'ready\nworkers 0\n' });
      expect(await sent({})).toEqual({ stderr: '', stdout: 'ready\nworkers 0\n' });
      expect(otlp.bodies()).toHaveLength(800);
    } finally {
      await otlp.stop();
    }
  });

  it('installs nothing with TELEMETRY_REPORTER_EXPORTER=none', async () => {
    receiver = await RecordReceiver.start(slowly(1));
    const exit = await runRegistered({
      ...httpTo(receiver.url),
      TELEMETRY_REPORTER_EXPORTER: 'none',
    });
    expect(exit).toMatchObject({ code: 0, stderr: '' });
    expect(receiver.records).toBe(0);
  });

  it("names register's own remedies when @opentelemetry/sdk-logs is not installed", async () => {
    const logsApi = LOGS_API === '@opentelemetry/api' ? [] : [LOGS_API];
    app = installApp('register-app.mjs', {
      line: LINE,
      sdkLogs: false,
      ours: ['transport-http'],
      link: logsApi,
    });
    const exit = await runRegistered({ RECORDS: '5' });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe('ready\n');
    expect(exit.stderr).toContain(
      'telemetry is off: SdkLoadError: register (configureFromEnvironment) needs @opentelemetry/sdk-logs: install',
    );
    expect(exit.stderr).toContain('TELEMETRY_REPORTER_EXPORTER=none');
    // the remedies of createTelemetryReporter do not apply here
    expect(exit.stderr).not.toMatch(/createTelemetryReporter|`sdk` option/);
  });

  it('keeps the app running, telemetry off, when the configuration is unusable', async () => {
    const exit = await runRegistered({ TELEMETRY_REPORTER_EXPORTER: 'http', RECORDS: '5' });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe('ready\n');
    expect(exit.stderr).toContain(
      'telemetry is off: TypeError: TELEMETRY_REPORTER_EXPORTER=http needs TELEMETRY_REPORTER_ENDPOINT',
    );
  });
});
