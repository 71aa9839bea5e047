import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installExitHandlers, ReporterLogRecordProcessor } from '../../src/index.js';
import { runFixture } from '../helpers/child-process.js';
import { type InstalledApp, installApp } from '../helpers/installed-app.js';
import { never, RecordReceiver, slowly } from '../helpers/record-receiver.js';

// Child processes, not mocks: each test starts a real service (test/fixtures/exit-app.mjs) that
// queues 10,000 records behind a loopback backend, then ends it the way a deployment would.

let receiver: RecordReceiver | undefined;

let app: InstalledApp | undefined;

afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
  app?.remove();
  app = undefined;
});

const LINE = process.env.OTEL_SDK_LINE === '3' ? 3 : 2;
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

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
    const result = await runFixture('exit-app.mjs', {
      env: env('signal', { TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '2000' }),
      killAfterMillis: 45_000,
      // A hang guard from the signal, half the 30 s default deadline and 7.5 times the 2 s one:
      // a child that ignored the variable would be killed first. No elapsed time is asserted, as
      // a loaded machine stretches any: the child died of SIGTERM (the guards kill with SIGKILL)
      // after counting every record as shutdown_timeout, which only the shutdown deadline does.
      killAfterSignalMillis: 15_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result.signal).toBe('SIGTERM');
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
      'process exiting with 10000 telemetry records still queued or in flight: they are lost. process.exit() cannot wait for delivery',
    );
  });
});

describe('a service with two installations (register and its own, or two copies)', {
  timeout: 60_000,
}, () => {
  const twice = (scenario: string, extra: Record<string, string> = {}) =>
    env(scenario, { RECORDS: '4000', ...extra });

  it('drains the providers of both on SIGTERM, then dies of SIGTERM', async () => {
    receiver = await RecordReceiver.start(slowly(20));
    const result = await runFixture('exit-twice-app.mjs', {
      env: twice('signal'),
      killAfterMillis: 45_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result.stderr).toBe('');
    expect(receiver.records).toBe(4000); // 2000 queued in each provider
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('does the same when the installations come from two copies of the package', async () => {
    receiver = await RecordReceiver.start(slowly(20));
    // the app resolves a copy of the built package from its own node_modules; the second
    // installation imports this package's dist: two module instances, one coordinator
    app = installApp('exit-twice-app.mjs', { line: LINE, sdkLogs: false });
    const result = await runFixture('exit-twice-app.mjs', {
      script: join(app.dir, 'app.mjs'),
      env: twice('signal', { SECOND_COPY: pathToFileURL(DIST).href }),
      killAfterMillis: 45_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result.stderr).toBe('');
    expect(receiver.records).toBe(4000);
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('prints an uncaught exception once, drains both, and exits with code 1', async () => {
    receiver = await RecordReceiver.start(slowly(10));
    const result = await runFixture('exit-twice-app.mjs', {
      env: twice('fatal'),
      killAfterMillis: 45_000,
    });
    expect(result).toMatchObject({ code: 1, signal: null });
    expect(result.stderr.split('Error: boom: unhandled')).toHaveLength(2);
    expect(receiver.records).toBe(4000);
  });

  it('leaves the decision to an app handler of its own: no signal raised again', async () => {
    receiver = await RecordReceiver.start(slowly(10));
    // added before the exit handlers, with `once`: gone from the listeners once it has run; it
    // exits only after the exit handlers have drained both providers, so that they had their
    // chance to raise the signal again (a fixed delay would race the drain on a loaded machine)
    const result = await runFixture('exit-twice-app.mjs', {
      env: twice('signal', { APP_HANDLER: 'after-drain' }),
      killAfterMillis: 45_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result.stdout).toContain('app handler');
    expect(receiver.records).toBe(4000); // drained by the exit handlers meanwhile
    expect(result).toMatchObject({ code: 7, signal: null });
  });

  it('ends at once on a second signal during the shutdown', async () => {
    receiver = await RecordReceiver.start(never);
    const result = await runFixture('exit-twice-app.mjs', {
      env: twice('signal', { TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '20000', PROBE_SHUTDOWN: '1' }),
      killAfterMillis: 45_000,
      onLine: (line, kill) => {
        if (line === 'ready') kill('SIGTERM');
        // The second signal once the child sees the first one's shutdown under way (its
        // processor counts a new record as already_shutdown): two signals sent together may
        // reach it as one.
        if (line === 'shutdown first') kill('SIGTERM');
      },
    });
    expect(result.stdout).toContain('shutdown first\n');
    expect(result.signal).toBe('SIGTERM');
    // Not the 20 s shutdown timeout, without timing it: a child that waited for that deadline
    // would have reported the records it gave up as shutdown_timeout.
    expect(result.stderr).not.toContain('shutdown_timeout');
    expect(result.stderr).not.toContain('did not finish');
  });
});

describe('the beforeExit flush', { timeout: 30_000 }, () => {
  it('warns that the flush, not a shutdown, passed its deadline', async () => {
    receiver = await RecordReceiver.start(never);
    const result = await runFixture('exit-app.mjs', {
      env: env('beforeExit', {
        RECORDS: '100',
        TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT: '300',
        OTEL_BLRP_EXPORT_TIMEOUT: '1000',
      }),
      killAfterMillis: 20_000,
    });
    expect(result.stderr).toMatch(
      /telemetry flush at exit did not finish within 300 ms; \d+ records still queued or in flight are dropped \(shutdown_timeout\) and the process exits/,
    );
    expect(result.stderr).not.toContain('telemetry shutdown did not finish');
    expect(result).toMatchObject({ code: 0, signal: null });
  });
});

describe('installExitHandlers', () => {
  const EVENTS = ['SIGTERM', 'SIGINT', 'beforeExit', 'uncaughtException', 'exit'];
  const counts = (events: readonly string[] = EVENTS) =>
    events.map((e) => process.listenerCount(e));

  it('listens once however many installations, and stops with the last one removed', () => {
    const before = counts([...EVENTS, 'SIGUSR2']);
    const first = installExitHandlers([]);
    const second = installExitHandlers([], { signals: ['SIGTERM', 'SIGUSR2'] });
    try {
      expect(counts([...EVENTS, 'SIGUSR2'])).toEqual(before.map((n) => n + 1));
      first();
      first(); // idempotent: removes nothing of the second installation
      // only SIGINT went: the second installation does not ask for it
      const sigint = EVENTS.indexOf('SIGINT');
      expect(counts([...EVENTS, 'SIGUSR2'])).toEqual(
        before.map((n, i) => (i === sigint ? n : n + 1)),
      );
    } finally {
      first();
      second();
    }
    expect(counts([...EVENTS, 'SIGUSR2'])).toEqual(before);
  });

  it('listens to beforeExit and uncaughtException only for an installation that wants them', () => {
    const events = ['beforeExit', 'uncaughtException'];
    const before = counts(events);
    const quiet = installExitHandlers([], { beforeExit: false, fatal: false });
    try {
      expect(counts(events)).toEqual(before);
      const loud = installExitHandlers([]);
      expect(counts(events)).toEqual(before.map((n) => n + 1));
      loud();
      expect(counts(events)).toEqual(before);
    } finally {
      quiet();
    }
  });

  it('on a signal the app handles itself, drains the processors, then flushes (never shuts down) the providers of every installation, within the largest timeout', async () => {
    vi.useFakeTimers();
    const diag = captureDiag();
    // An app handler of its own on SIGHUP: the app keeps running and decides when it ends, so
    // the providers stay up (a record emitted meanwhile still reaches a processor, counted).
    const appHandler = (): void => {};
    process.on('SIGHUP', appHandler);
    const calls: string[] = [];
    const hung = (name: string) => ({
      forceFlush: () => {
        calls.push(`flush ${name}`);
        return new Promise<void>(() => {});
      },
      shutdown: () => {
        calls.push(`shutdown ${name}`);
        return Promise.resolve();
      },
    });
    const processor = new ReporterLogRecordProcessor({
      exporter: { export: (_r, done) => done({ code: 0 }), shutdown: async () => {} },
    });
    const shared = hung('shared');
    const options = { signals: ['SIGHUP'] as NodeJS.Signals[], beforeExit: false, fatal: false };
    const first = installExitHandlers([hung('first'), shared], {
      ...options,
      shutdownTimeoutMillis: 1000,
    });
    const second = installExitHandlers([shared, hung('second')], {
      ...options,
      shutdownTimeoutMillis: 3000,
    });
    try {
      process.emit('SIGHUP', 'SIGHUP');
      await vi.advanceTimersByTimeAsync(0);
      // the processors first: from now on a late record is counted, not lost
      processor.onEmit({
        hrTime: [0, 0],
        attributes: {},
        resource: { attributes: {} },
        instrumentationScope: { name: 'late' },
      });
      expect(processor.stats()).toMatchObject({
        received: 1,
        dropped: expect.objectContaining({ already_shutdown: 1 }),
      });
      expect(calls).toEqual(['flush first', 'flush shared', 'flush second']); // each once
      await vi.advanceTimersByTimeAsync(3249);
      expect(diag.warn.filter((l) => l.startsWith('telemetry shutdown'))).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(diag.warn).toContain(
        'telemetry shutdown did not finish within 3250 ms; exiting anyway',
      );
    } finally {
      first();
      second();
      process.off('SIGHUP', appHandler);
      diag.restore();
      vi.useRealTimers();
    }
  });

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
