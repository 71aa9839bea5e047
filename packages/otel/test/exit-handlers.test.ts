import { afterEach, describe, expect, it } from 'vitest';
import { installExitHandlers } from '../src/index.js';
import { runFixture } from './helpers/child-process.js';
import { never, RecordReceiver, slowly } from './helpers/record-receiver.js';

// Child processes, not mocks: each test starts a real service (test/fixtures/exit-app.mjs) that
// queues 10,000 records behind a loopback backend, then ends it the way a deployment would.

let receiver: RecordReceiver | undefined;

afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

const env = (scenario: string, extra: Record<string, string> = {}): Record<string, string> => ({
  SCENARIO: scenario,
  RECEIVER_URL: receiver?.url ?? '',
  RECORDS: '10000',
  ...extra,
});

describe('a service with installExitHandlers', { timeout: 60_000 }, () => {
  it('delivers every queued record on SIGTERM, then dies of SIGTERM as Node would', async () => {
    receiver = await RecordReceiver.start(slowly(50));
    const result = await runFixture('exit-app.mjs', {
      env: env('signal'),
      killAfterMillis: 45_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(receiver.records).toBe(10_000);
    // killed by the signal it was sent: what Node does without handlers (a shell shows 143)
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('delivers every queued record when the event loop empties (beforeExit), exit code 0', async () => {
    receiver = await RecordReceiver.start(slowly(20));
    const result = await runFixture('exit-app.mjs', {
      env: env('beforeExit'),
      killAfterMillis: 45_000,
    });
    expect(result.stderr).toBe('');
    expect(receiver.records).toBe(10_000);
    expect(result).toMatchObject({ code: 0, signal: null });
  });

  it('still exits within the shutdown timeout when the backend never answers, reporting the loss', async () => {
    receiver = await RecordReceiver.start(never);
    let signalledAt = 0;
    const result = await runFixture('exit-app.mjs', {
      env: env('signal', { TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '2000' }),
      killAfterMillis: 20_000,
      onLine: (line, kill) => {
        if (line !== 'ready') return;
        signalledAt = Date.now();
        kill('SIGTERM');
      },
    });
    const took = Date.now() - signalledAt;
    expect(result.signal).toBe('SIGTERM');
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(2000 + 3000); // the deadline plus a margin for a loaded machine
    // the drop warning reaches stderr through diag, with the shutdown_timeout count
    expect(result.stderr).toMatch(/dropped 10000 records \(shutdown_timeout: 10000\)/);
  });

  it('delivers what is queued on a fatal exception, prints it, and exits with code 1', async () => {
    receiver = await RecordReceiver.start(slowly(10));
    const result = await runFixture('exit-app.mjs', { env: env('fatal'), killAfterMillis: 45_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: boom: unhandled');
    expect(receiver.records).toBe(10_000);
  });

  it('reports on stderr what process.exit() could not wait for', async () => {
    receiver = await RecordReceiver.start(slowly(10));
    const result = await runFixture('exit-app.mjs', { env: env('exit'), killAfterMillis: 45_000 });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'process exiting with 10000 telemetry records still pending: process.exit() cannot wait for delivery',
    );
  });
});

describe('installExitHandlers', () => {
  it('installs its handlers and removes every one of them', () => {
    const before = ['SIGTERM', 'SIGINT', 'beforeExit', 'uncaughtException', 'exit'].map((e) =>
      process.listenerCount(e),
    );
    const uninstall = installExitHandlers([]);
    const during = ['SIGTERM', 'SIGINT', 'beforeExit', 'uncaughtException', 'exit'].map((e) =>
      process.listenerCount(e),
    );
    expect(during).toEqual(before.map((n) => n + 1));
    uninstall();
    expect(
      ['SIGTERM', 'SIGINT', 'beforeExit', 'uncaughtException', 'exit'].map((e) =>
        process.listenerCount(e),
      ),
    ).toEqual(before);
  });

  it('rejects bad options with a TypeError naming them', () => {
    expect(() => installExitHandlers({} as never)).toThrow(
      'providers must be an array, got an object',
    );
    expect(() => installExitHandlers([], { shutdownTimeoutMillis: -1 })).toThrow(
      /^shutdownTimeoutMillis must be an integer number of milliseconds between 0 and \d+, got -1$/,
    );
  });
});
