import { captureDiag, type DiagCapture } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { timeToSettle } from '@telemetry-reporter-internal/test-kit/fault-model';
import {
  casesFor,
  HOSTILE_VALUES,
  isValid,
  type OptionKind,
} from '@telemetry-reporter-internal/test-kit/hostile-values';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DiagLogLevel, diag, InMemorySpanExporter, LoggerProvider, TracerProvider } from '#sdk';
import { MAX_TIMER_MILLIS } from '../../core/src/index.js';
import {
  type BatchOptions,
  createTelemetryReporter,
  installExitHandlers,
  PROCESSOR_ENV_VARIABLES,
  ReporterLogRecordProcessor,
  type ReporterLogRecordProcessorOptions,
  ReporterSpanProcessor,
  type ReporterStats,
  RetryableError,
  type TelemetryReporterOptions,
  TransportLogRecordExporter,
  unaccountedRecords,
} from '../src/index.js';
import { MemoryTransport, type SendBehaviour } from './helpers/memory-transport.js';
import { sdk } from './helpers/reporter-sdk.js';

// Hostile configuration at the OpenTelemetry face: processor options, the transport exporters,
// createTelemetryReporter, installExitHandlers and every environment variable. Each bad value
// is refused with a TypeError naming the option and echoing the value (or, for the environment,
// ignored with a diag.warn naming the variable and the value); each accepted one, however odd,
// must never hang, misbehave silently or throw later. The engine's own resolvers are covered
// value by value in packages/core/test/hostile-config.test.ts.

let diagLines: DiagCapture;

beforeEach(() => {
  vi.useFakeTimers();
  diagLines = captureDiag(DiagLogLevel.WARN);
  // Resource detection reads these; the suite must not depend on the machine's environment.
  vi.stubEnv('OTEL_SERVICE_NAME', '');
  vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', '');
});

afterEach(() => {
  diagLines.restore();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

/** The message of the TypeError `fn` throws. */
function typeErrorOf(fn: () => unknown): string {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  return (thrown as TypeError).message;
}

/** A send that never answers until the export's signal aborts. */
const hang: SendBehaviour = (_payload, { signal }) =>
  new Promise<void>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

function expectSettledStats(stats: ReporterStats, received: number): void {
  expect(unaccountedRecords(stats), JSON.stringify(stats)).toBe(0);
  expect(stats).toMatchObject({ received, queued: 0, inFlight: 0 });
}

/**
 * Five records through a real LoggerProvider into the log processor and a transport exporter,
 * then forceFlush and shutdown: each must settle within the deadlines the options set.
 */
async function logLifecycle(
  options: Omit<ReporterLogRecordProcessorOptions, 'exporter'>,
  send?: SendBehaviour,
): Promise<ReporterStats> {
  const transport = new MemoryTransport(send);
  const processor = new ReporterLogRecordProcessor({
    ...options,
    exporter: new TransportLogRecordExporter({ transport }),
  });
  const provider = new LoggerProvider({ processors: [processor] });
  const logger = provider.getLogger('hostile');
  for (let i = 0; i < 5; i++) logger.emit({ body: `record ${i}`, severityNumber: 9 });
  expect(unaccountedRecords(processor.stats())).toBe(0);
  const { exportTimeoutMillis, shutdownTimeoutMillis } = processor.options;
  // five records: at most five exports, one after another, each bounded by its deadline
  const flushTook = await timeToSettle(() => processor.forceFlush(), exportTimeoutMillis * 5);
  expect(flushTook, 'forceFlush() did not settle').toBeDefined();
  const shutdownTook = await timeToSettle(() => provider.shutdown(), shutdownTimeoutMillis);
  expect(shutdownTook, 'shutdown() did not settle by its deadline').toBeDefined();
  const stats = processor.stats();
  expectSettledStats(stats, 5);
  expect(vi.getTimerCount()).toBe(0);
  return stats;
}

/** The same with the span processor, five ended spans and an in-memory exporter. */
async function spanLifecycle(options: BatchOptions): Promise<void> {
  const processor = new ReporterSpanProcessor({ ...options, exporter: new InMemorySpanExporter() });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('hostile');
  for (let i = 0; i < 5; i++) tracer.startSpan(`span ${i}`).end();
  // InMemorySpanExporter answers on a 0 ms timer: five exports may take a few milliseconds
  const flushTook = await timeToSettle(() => processor.forceFlush(), 100);
  expect(flushTook).toBeDefined();
  const shutdownTook = await timeToSettle(
    () => provider.shutdown(),
    processor.options.shutdownTimeoutMillis,
  );
  expect(shutdownTook).toBeDefined();
  expectSettledStats(processor.stats(), 5);
}

const BATCH_OPTION_KINDS: readonly [keyof BatchOptions, OptionKind][] = [
  ['maxQueueSize', 'count'],
  ['maxExportBatchSize', 'count'],
  ['scheduledDelayMillis', 'millis0'],
  ['exportTimeoutMillis', 'millis1'],
  ['shutdownTimeoutMillis', 'millis0'],
  ['maxQueueBytes', 'bytes'],
  ['maxConcurrentExports', 'count'],
  ['dropWarningIntervalMillis', 'millis0'],
];

describe.each(BATCH_OPTION_KINDS)('processor option %s (%s)', (option, kind) => {
  const cases = casesFor(kind);

  it.each(cases.filter(([, value]) => !isValid(kind, value)))(
    'both processors refuse %s with a TypeError naming it and echoing the value',
    (_label, value, echo) => {
      for (const make of [
        () => new ReporterLogRecordProcessor({ exporter: logExporter(), [option]: value }),
        () => new ReporterSpanProcessor({ exporter: new InMemorySpanExporter(), [option]: value }),
      ]) {
        const message = typeErrorOf(make);
        expect(message).toMatch(new RegExp(`^${option} must be `));
        expect(message.endsWith(`, got ${echo}`)).toBe(true);
      }
    },
  );

  it.each(cases.filter(([, value]) => isValid(kind, value)))(
    'accepts %s, and records still settle, whether the backend answers or hangs',
    async (_label, value) => {
      await logLifecycle({ [option]: value });
      await logLifecycle({ [option]: value }, hang);
      await spanLifecycle({ [option]: value });
    },
  );
});

function logExporter(): TransportLogRecordExporter {
  return new TransportLogRecordExporter({ transport: new MemoryTransport() });
}

describe('processor options besides the batching ones', () => {
  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses options %s that carry no exporter',
    (_label, { value }) => {
      for (const make of [
        () => new ReporterLogRecordProcessor(value as never),
        () => new ReporterSpanProcessor(value as never),
      ]) {
        expect(typeErrorOf(make)).toBe(
          'exporter must be an OpenTelemetry exporter with export() and shutdown(), got undefined',
        );
      }
    },
  );

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses exporter: %s',
    (_label, { value, echo }) => {
      expect(typeErrorOf(() => new ReporterLogRecordProcessor({ exporter: value as never }))).toBe(
        `exporter must be an OpenTelemetry exporter with export() and shutdown(), got ${echo}`,
      );
    },
  );

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses meterProvider: %s',
    (_label, { value, echo }) => {
      expect(
        typeErrorOf(
          () =>
            new ReporterLogRecordProcessor({
              exporter: logExporter(),
              meterProvider: value as never,
            }),
        ),
      ).toBe(`meterProvider must be an OpenTelemetry MeterProvider, got ${echo}`);
    },
  );

  it('clamps a batch larger than the queue with a diag.warn naming both', async () => {
    const processor = new ReporterLogRecordProcessor({
      exporter: logExporter(),
      maxQueueSize: 10,
      maxExportBatchSize: 600,
    });
    expect(processor.options.maxExportBatchSize).toBe(10);
    expect(diagLines.warn).toContain(
      'ReporterLogRecordProcessor: maxExportBatchSize (600) must be <= maxQueueSize (10); using 10',
    );
    await processor.shutdown();
  });

  it('counts every record as queue_full, with a drop warning, when maxQueueBytes is below any record', async () => {
    const stats = await logLifecycle({ maxQueueBytes: 95 }); // a log record counts at least 96
    expect(stats.dropped.queue_full).toBe(5);
    expect(diagLines.warn).toContain(
      'ReporterLogRecordProcessor: dropped 5 records (queue_full: 5); totals in stats()',
    );
  });

  it('lets the shutdown deadline cut an export whose own timeout is longer', async () => {
    const stats = await logLifecycle(
      {
        exportTimeoutMillis: MAX_TIMER_MILLIS,
        shutdownTimeoutMillis: 100,
        scheduledDelayMillis: 0,
      },
      hang,
    );
    expect(stats.exported).toBe(0);
  });

  it('survives a diag logger that throws: emitting, dropping and timing out never crash', async () => {
    diagLines.restore();
    let armed = false; // the API itself logs while a logger is set or removed
    const throwing = (): void => {
      if (armed) throw new Error('diag down');
    };
    diag.setLogger(
      { error: throwing, warn: throwing, info: throwing, debug: throwing, verbose: throwing },
      { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true },
    );
    armed = true;
    try {
      // a clamp warning, queue_full drops, export timeouts and a failed forceFlush all warn
      const stats = await logLifecycle(
        { maxQueueSize: 2, maxExportBatchSize: 4, exportTimeoutMillis: 10 },
        hang,
      );
      // the first batch left the queue at once: two more were queued, the fifth was shed
      expect(stats.dropped).toMatchObject({ queue_full: 1, export_timeout: 4 });
      const processor = new ReporterLogRecordProcessor({ exporter: logExporter() });
      await expect(processor.forceFlush({ timeoutMillis: -1 })).resolves.toBeUndefined();
      await processor.shutdown();
    } finally {
      armed = false;
      diag.disable();
    }
  });
});

describe('TransportLogRecordExporter options', () => {
  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses options %s',
    (_label, { value, echo }) => {
      const message = typeErrorOf(() => new TransportLogRecordExporter(value as never));
      const expected =
        typeof value === 'object' && value !== null
          ? 'transport must be an object with a send(payload, context) method, got undefined'
          : `TransportLogRecordExporter options must be an object with a transport, got ${echo}`;
      expect(message).toBe(expected);
    },
  );

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses transport: %s',
    (_label, { value, echo }) => {
      expect(typeErrorOf(() => new TransportLogRecordExporter({ transport: value as never }))).toBe(
        `transport must be an object with a send(payload, context) method, got ${echo}`,
      );
    },
  );

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses encoder: %s (null included: only a missing encoder means the default)',
    (_label, { value, echo }) => {
      expect(
        typeErrorOf(
          () =>
            new TransportLogRecordExporter({
              transport: new MemoryTransport(),
              encoder: value as never,
            }),
        ),
      ).toBe(`encoder must be an object with an encode(items) method, got ${echo}`);
    },
  );

  it.each(
    HOSTILE_VALUES.filter((h) => h.value !== false && h.echo !== 'an object').map(
      (h) => [h.label, h] as const,
    ),
  )('refuses retry: %s', (_label, { value, echo }) => {
    expect(
      typeErrorOf(
        () =>
          new TransportLogRecordExporter({
            transport: new MemoryTransport(),
            retry: value as never,
          }),
      ),
    ).toBe(`retry must be false or an object, got ${echo}`);
  });

  it('clamps retry.initialDelayMillis to retry.maxDelayMillis with a diag.warn naming both', () => {
    new TransportLogRecordExporter({
      transport: new MemoryTransport(),
      retry: { initialDelayMillis: 5000, maxDelayMillis: 100 },
    });
    expect(diagLines.warn).toContain(
      'TransportLogRecordExporter: retry.initialDelayMillis (5000) must be <= retry.maxDelayMillis (100); using 100',
    );
  });
});

describe('createTelemetryReporter options', () => {
  const transport = new MemoryTransport();

  /** `createTelemetryReporter` with a transport, the test SDK and `extra`. */
  function create(extra: Record<string, unknown>): unknown {
    return createTelemetryReporter({ transport, sdk, ...extra } as TelemetryReporterOptions);
  }

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses options %s',
    (_label, { value, echo }) => {
      const message = typeErrorOf(() => createTelemetryReporter(value as never));
      if (typeof value === 'object' && value !== null) {
        expect(message).toBe(
          'createTelemetryReporter needs exactly one of transport and exporter, got neither',
        );
      } else {
        expect(message).toBe(
          `createTelemetryReporter options must be an object with a transport or an exporter, got ${echo}`,
        );
      }
    },
  );

  describe.each(['serviceName', 'loggerName'])('%s', (option) => {
    it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
      '%s',
      async (_label, { value, echo }) => {
        if (typeof value === 'string' && value !== '') {
          await reporterLifecycle({ [option]: value });
        } else {
          expect(typeErrorOf(() => create({ [option]: value }))).toBe(
            `${option} must be a non-empty string, got ${echo}`,
          );
        }
      },
    );
  });

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'resource: %s',
    async (_label, { value, echo }) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        await reporterLifecycle({ resource: value as Record<string, unknown> });
      } else {
        expect(typeErrorOf(() => create({ resource: value }))).toBe(
          `resource must be an attributes object or an OpenTelemetry Resource, got ${echo}`,
        );
      }
    },
  );

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))('sdk: %s', (_label, { value }) => {
    expect(typeErrorOf(() => create({ sdk: value }))).toMatch(/^sdk lacks logs\.LoggerProvider/);
  });

  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'transport: %s',
    (_label, { value, echo }) => {
      // anything but undefined counts as given (null and false included), and is checked
      expect(typeErrorOf(() => create({ transport: value }))).toBe(
        `transport must be an object with a send(payload, context) method, got ${echo}`,
      );
    },
  );

  it.each(BATCH_OPTION_KINDS)('passes %s through to the processor, refused as there', (option) => {
    expect(typeErrorOf(() => create({ [option]: -1 }))).toMatch(
      new RegExp(`^${option} must be .*, got -1$`),
    );
  });

  it.each<[string, Partial<TelemetryReporterOptions>, SendBehaviour | undefined]>([
    ['maxQueueBytes 1 (every record dropped)', { maxQueueBytes: 1 }, undefined],
    [
      'scheduledDelayMillis at the timer limit',
      { scheduledDelayMillis: MAX_TIMER_MILLIS },
      undefined,
    ],
    [
      'exportTimeoutMillis at the limit, shutdownTimeoutMillis 0, a hung backend',
      { exportTimeoutMillis: MAX_TIMER_MILLIS, shutdownTimeoutMillis: 0 },
      hang,
    ],
    ['maxConcurrentExports 2**53-1', { maxConcurrentExports: Number.MAX_SAFE_INTEGER }, undefined],
    [
      'maxExportBatchSize 2**53-1 (clamped)',
      { maxExportBatchSize: Number.MAX_SAFE_INTEGER },
      undefined,
    ],
    [
      'retry that cannot finish before the deadline',
      {
        retry: { maxAttempts: Number.MAX_SAFE_INTEGER, initialDelayMillis: 0 },
        exportTimeoutMillis: 50,
      },
      // answers after 1 ms, as any real backend takes time
      () =>
        new Promise<void>((_resolve, reject) =>
          setTimeout(() => reject(new RetryableError('503')), 1),
        ),
    ],
  ])('settles with %s', async (_label, options, send) => {
    await reporterLifecycle(options, send);
  });

  it.each(casesFor('millis0').filter(([, value]) => !isValid('millis0', value)))(
    'flush, waitUntilDrained and stop reject a timeout of %s with a TypeError, and keep running',
    async (_label, value, echo) => {
      const reporter = createTelemetryReporter({ transport: new MemoryTransport(), sdk });
      const message = new RegExp(`^timeoutMillis must be .*, got ${escapeRegExp(echo)}$`);
      await expect(reporter.flush(value as never)).rejects.toThrow(message);
      await expect(reporter.waitUntilDrained(value as never)).rejects.toThrow(message);
      await expect(reporter.stop(value as never)).rejects.toThrow(message);
      reporter.log('still.running', 'info');
      await expect(reporter.stop()).resolves.toBe(true);
      expect(reporter.stats()).toMatchObject({ received: 1, exported: 1 });
    },
  );

  it('never throws from log or logException, whatever they are given', async () => {
    const reporter = createTelemetryReporter({ transport: new MemoryTransport(), sdk });
    let logged = 0;
    for (const { value } of HOSTILE_VALUES) {
      reporter.log(value as never, value as never, value, value as never);
      reporter.logException(value, value as never, value as never);
      logged += 2;
    }
    await reporter.stop();
    const stats = reporter.stats();
    expectSettledStats(stats, logged);
  });
});

/** A reporter with `options`: five records, flush, stop; all must settle by their deadlines. */
async function reporterLifecycle(
  options: Partial<TelemetryReporterOptions>,
  send?: SendBehaviour,
): Promise<void> {
  const reporter = createTelemetryReporter({
    transport: new MemoryTransport(send),
    sdk,
    ...options,
  } as TelemetryReporterOptions);
  for (let i = 0; i < 5; i++) reporter.log('hostile.event', 'info', { i });
  const { exportTimeoutMillis, shutdownTimeoutMillis } = reporter.processor.options;
  expect(await timeToSettle(() => reporter.flush(), exportTimeoutMillis * 5)).toBeDefined();
  expect(await timeToSettle(() => reporter.stop(), shutdownTimeoutMillis)).toBeDefined();
  expectSettledStats(reporter.stats(), 5);
  expect(vi.getTimerCount()).toBe(0);
}

describe('installExitHandlers options', () => {
  const EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'beforeExit', 'uncaughtException', 'exit'];
  const listeners = (): number[] => EVENTS.map((e) => process.listenerCount(e));

  /** Expects `install` to throw a TypeError matching `message` and to leave no handler behind. */
  function expectRefused(install: () => unknown, message: string | RegExp): void {
    const before = listeners();
    const thrown = typeErrorOf(install);
    if (typeof message === 'string') expect(thrown).toBe(message);
    else expect(thrown).toMatch(message);
    expect(listeners()).toEqual(before);
  }

  it.each(HOSTILE_VALUES.filter((h) => !Array.isArray(h.value)).map((h) => [h.label, h] as const))(
    'refuses providers: %s',
    (_label, { value, echo }) => {
      expectRefused(
        () => installExitHandlers(value as never),
        `providers must be an array, got ${echo}`,
      );
    },
  );

  it.each<[string, unknown, string]>([
    ['undefined', undefined, 'undefined'],
    ['an object without shutdown', { forceFlush: async () => {} }, 'an object'],
    ['a string', 'provider', "'provider'"],
    ['shutdown that is no function', { shutdown: 1 }, 'an object'],
    [
      'forceFlush that is no function',
      { shutdown: async () => {}, forceFlush: 'now' },
      'an object',
    ],
  ])('refuses a provider that is %s, naming its index', (_label, provider, echo) => {
    expectRefused(
      () => installExitHandlers([{ shutdown: async () => {} }, provider as never]),
      `providers[1] must have shutdown() (and forceFlush(), if any), got ${echo}`,
    );
  });

  // (an object of any shape is options: what it lacks takes the default)
  it.each(
    HOSTILE_VALUES.filter((h) => typeof h.value !== 'object' || h.value === null).map(
      (h) => [h.label, h] as const,
    ),
  )('refuses options %s', (_label, { value, echo }) => {
    expectRefused(
      () => installExitHandlers([], value as never),
      `installExitHandlers options must be an object, got ${echo}`,
    );
  });

  it.each(casesFor('millis0').filter(([, value]) => !isValid('millis0', value)))(
    'refuses shutdownTimeoutMillis %s',
    (_label, value, echo) => {
      expectRefused(
        () => installExitHandlers([], { shutdownTimeoutMillis: value as never }),
        new RegExp(`^shutdownTimeoutMillis must be .*, got ${escapeRegExp(echo)}$`),
      );
    },
  );

  it.each([
    ...HOSTILE_VALUES.filter((h) => !Array.isArray(h.value)).map((h): [string, unknown, string] => [
      h.label,
      h.value,
      `signals must be an array of signal names, got ${h.echo}`,
    ]),
    ...(['SIGKILL', 'SIGSTOP', 'SIGFOO', 'sigterm', 15, ''] as const).map(
      (signal): [string, unknown, string] => [
        `[${String(signal)}]`,
        ['SIGTERM', signal],
        `signals[1] must name a signal a process can handle, such as 'SIGTERM', got ${typeof signal === 'string' ? `'${signal}'` : String(signal)}`,
      ],
    ),
  ])('refuses signals %s', (_label, signals, message) => {
    expectRefused(() => installExitHandlers([], { signals: signals as never }), message);
  });

  it.each(['beforeExit', 'fatal'])('refuses %s that is not a boolean', (option) => {
    for (const { value, echo } of HOSTILE_VALUES) {
      if (typeof value === 'boolean') continue;
      expectRefused(
        () => installExitHandlers([], { [option]: value }),
        `${option} must be a boolean, got ${echo}`,
      );
    }
  });

  it('installs no signal handler for signals: [], and removes what it installed', () => {
    const before = listeners();
    const uninstall = installExitHandlers([], { signals: [], beforeExit: false, fatal: false });
    expect(listeners()).toEqual(before.map((n, i) => (EVENTS[i] === 'exit' ? n + 1 : n)));
    uninstall();
    expect(listeners()).toEqual(before);
  });

  // The handlers run in this process: with an app handler of its own on SIGHUP, they drain the
  // processors, flush the providers (the app keeps running, so they stay up) and leave the
  // process alone (no re-raised signal).
  async function onSignal(
    providers: Parameters<typeof installExitHandlers>[0],
    shutdownTimeoutMillis: number,
    elapse: number,
  ): Promise<void> {
    const appHandler = (): void => {};
    process.on('SIGHUP', appHandler);
    const uninstall = installExitHandlers(providers, {
      shutdownTimeoutMillis,
      signals: ['SIGHUP'],
      beforeExit: false,
      fatal: false,
    });
    try {
      expect(() => process.emit('SIGHUP', 'SIGHUP')).not.toThrow();
      await vi.advanceTimersByTimeAsync(elapse);
    } finally {
      uninstall();
      process.off('SIGHUP', appHandler);
    }
  }

  it.each(casesFor('millis0').filter(([, value]) => isValid('millis0', value)))(
    'accepts shutdownTimeoutMillis %s and waits for it, never less',
    async (_label, value) => {
      const millis = value as number;
      const hung = { forceFlush: () => new Promise<void>(() => {}), shutdown: async () => {} };
      // Just before the deadline (the timeout plus 250 ms of grace, at most what a timer can
      // wait) nothing has given up: a timer asked for more than 2**31-1 ms would fire at once.
      await onSignal([hung], millis, Math.min(millis + 250, MAX_TIMER_MILLIS) - 1);
      expect(
        diagLines.warn.filter((l) => l.startsWith('telemetry shutdown did not finish')),
      ).toEqual([]);
    },
  );

  it('reports the deadline once it passes', async () => {
    const hung = { forceFlush: () => new Promise<void>(() => {}), shutdown: async () => {} };
    await onSignal([hung], 1000, 1250);
    expect(diagLines.warn).toContain(
      'telemetry shutdown did not finish within 1250 ms; exiting anyway',
    );
  });

  it('survives providers whose flush throws, rejects or returns no promise', async () => {
    let flushes = 0;
    const shutdown = async (): Promise<void> => {};
    const providers = [
      {
        forceFlush: (): Promise<void> => {
          flushes++;
          throw new Error('sync failure');
        },
        shutdown,
      },
      {
        forceFlush: (): Promise<void> => {
          flushes++;
          return Promise.reject(new Error('async failure'));
        },
        shutdown,
      },
      {
        forceFlush: (): Promise<void> => {
          flushes++;
          return undefined as never; // no promise at all
        },
        shutdown,
      },
      {
        forceFlush: async (): Promise<void> => {
          flushes++;
        },
        shutdown,
      },
    ];
    await onSignal(providers, 1000, 0);
    expect(flushes).toBe(4);
    expect(
      diagLines.warn.filter((l) => l === 'provider shutdown or flush failed during exit'),
    ).toHaveLength(2);
  });
});

describe('environment variables', () => {
  const ALL = [
    ...PROCESSOR_ENV_VARIABLES.map((v) => ({ name: v.name, option: v.option, signals: v.signals })),
    { name: 'TELEMETRY_REPORTER_MAX_ATTEMPTS', option: 'retry.maxAttempts', signals: ['logs'] },
  ];

  /** Raw values no variable should trust, as an operator might type them. */
  const HOSTILE_ENV: readonly string[] = [
    '-5',
    '0',
    '-0',
    '1.5',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e308',
    '9007199254740993',
    'abc',
    'true',
    '{}',
    '[10]',
    '10ms',
    '1_000',
    '１０',
    '10\n',
    'null',
    'undefined',
  ];

  /** What an integer variable makes of `raw`: the number, or undefined when it is ignored. */
  function expectedInteger(name: string, raw: string): number | undefined {
    const value = Number(raw.trim());
    const max = /SCHEDULE_DELAY|EXPORT_TIMEOUT|SHUTDOWN_TIMEOUT/.test(name)
      ? MAX_TIMER_MILLIS
      : Number.MAX_SAFE_INTEGER;
    return Number.isInteger(value) && value >= 1 && value <= max ? value : undefined;
  }

  describe.each(ALL.map((v) => [v.name, v] as const))('%s', (name, variable) => {
    const isPolicy = name === 'TELEMETRY_REPORTER_OVERFLOW_POLICY';
    const values = isPolicy
      ? [...HOSTILE_ENV, 'drop-oldest', 'drop_random', 'DROP_OLDEST ']
      : // Number() reads these as sdk-node does: accepted
        [...HOSTILE_ENV, '2147483648', '0x10', '1e3', ' 42 ', '+7', '9007199254740991'];

    it.each(values)(
      '%j: ignored with a diag.warn naming it, or used, and records still settle',
      async (raw) => {
        vi.stubEnv(name, raw);
        const accepted = isPolicy
          ? raw.trim().toLowerCase() === 'drop_oldest'
          : expectedInteger(name, raw) !== undefined;
        if (variable.signals.includes('logs')) {
          await logLifecycle({}, name === 'TELEMETRY_REPORTER_MAX_ATTEMPTS' ? failing : undefined);
        } else {
          await spanLifecycle({});
        }
        const warning = `${name}=${JSON.stringify(raw.trim())} is not`;
        expect(diagLines.warn.some((l) => l.startsWith(warning))).toBe(!accepted);
      },
    );
  });

  it.each(['yes', '1', 'on', 'enabled'])(
    'TELEMETRY_REPORTER_METRICS=%j is ignored with a diag.warn',
    async (raw) => {
      vi.stubEnv('TELEMETRY_REPORTER_METRICS', raw);
      await logLifecycle({});
      expect(diagLines.warn).toContain(
        `TELEMETRY_REPORTER_METRICS=${JSON.stringify(raw)} is not one of true, false; ignored, the default applies`,
      );
    },
  );

  it.each(['-1', '0', 'NaN', '2147483648', 'soon'])(
    'TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT=%j is ignored by the exit handlers with a diag.warn',
    (raw) => {
      vi.stubEnv('TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT', raw);
      installExitHandlers([], { signals: [], beforeExit: false, fatal: false })();
      expect(
        diagLines.warn.some((l) =>
          l.startsWith(`TELEMETRY_REPORTER_SHUTDOWN_TIMEOUT=${JSON.stringify(raw)} is not`),
        ),
      ).toBe(true);
    },
  );
});

/** A send that always fails retryably: the retry policy decides when to give up. */
const failing: SendBehaviour = () => {
  throw new RetryableError('503');
};

/** `text` escaped for a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
