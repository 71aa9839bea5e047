import { timeToSettle } from '@telemetry-reporter-internal/test-kit/fault-model';
import {
  casesFor,
  HOSTILE_VALUES,
  isValid,
  type OptionKind,
} from '@telemetry-reporter-internal/test-kit/hostile-values';
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import {
  BatchEngine,
  type BatchEngineOptions,
  type BatchOptions,
  createJsonEncoder,
  type DiagnosticLogger,
  type ExportBatchFn,
  MAX_TIMER_MILLIS,
  type ReporterStats,
  RetryableError,
  type RetryOptions,
  resolveBatchOptions,
  resolveRetryOptions,
  TransportDelivery,
  unaccountedRecords,
} from '../src/index.js';

// Hostile configuration: every option gets values that are out of range, of the wrong type, or
// numbers that only look valid. Each must be refused with a TypeError that names the option and
// echoes the value, or accepted (within its documented bounds, or clamped with a warning); an
// accepted one must never make the engine hang, misbehave silently or throw later.

interface MockLogger extends DiagnosticLogger {
  readonly warn: Mock<DiagnosticLogger['warn']>;
  readonly debug: Mock<DiagnosticLogger['debug']>;
}

function mockLogger(): MockLogger {
  return { warn: vi.fn<DiagnosticLogger['warn']>(), debug: vi.fn<DiagnosticLogger['debug']>() };
}

/** The error `fn` throws, which must be a TypeError. */
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

/** Exports nothing until the export's signal aborts: a backend that never answers. */
const hang: ExportBatchFn<number> = (_batch, { signal }) =>
  new Promise<void>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/**
 * Offers 5 records, flushes, shuts down. Every step must settle within the deadlines the options
 * set, the identity must hold throughout, and no timer may be left.
 */
async function expectLifecycle(
  options: Omit<BatchEngineOptions<number>, 'exportBatch'>,
  exportBatch: ExportBatchFn<number> = () => {},
): Promise<ReporterStats> {
  const engine = new BatchEngine<number>({ ...options, exportBatch });
  for (let i = 0; i < 5; i++) engine.offer(i);
  expect(unaccountedRecords(engine.stats())).toBe(0);
  const resolved = engine.options;
  const flushTook = await timeToSettle(() => engine.flush(), resolved.exportTimeoutMillis * 5);
  expect(flushTook, 'flush() did not settle').toBeDefined();
  expect(unaccountedRecords(engine.stats())).toBe(0);
  const shutdownTook = await timeToSettle(() => engine.shutdown(), resolved.shutdownTimeoutMillis);
  expect(shutdownTook, 'shutdown() did not settle by its deadline').toBeDefined();
  const stats = engine.stats();
  expect(unaccountedRecords(stats)).toBe(0);
  expect(stats).toMatchObject({ received: 5, queued: 0, inFlight: 0 });
  expect(vi.getTimerCount()).toBe(0);
  return stats;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

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

describe.each(BATCH_OPTION_KINDS)('BatchOptions.%s (%s)', (option, kind) => {
  const cases = casesFor(kind);

  it.each(cases.filter(([, value]) => !isValid(kind, value)))(
    'refuses %s with a TypeError naming it and echoing the value',
    (_label, value, echo) => {
      const message = typeErrorOf(() => resolveBatchOptions({ [option]: value } as BatchOptions));
      expect(message).toMatch(new RegExp(`^${option} must be `));
      expect(message.endsWith(`, got ${echo}`)).toBe(true);
      // the engine refuses it the same way, before anything runs
      expect(typeErrorOf(() => new BatchEngine({ exportBatch: () => {}, [option]: value }))).toBe(
        message,
      );
    },
  );

  it.each(cases.filter(([, value]) => isValid(kind, value)))(
    'accepts %s, and an engine built with it still settles',
    async (_label, value) => {
      const logger = mockLogger();
      await expectLifecycle({ [option]: value, logger });
      // and when the backend never answers, the deadlines still bound everything
      await expectLifecycle({ [option]: value, logger }, hang);
    },
  );
});

describe('BatchOptions.overflowPolicy', () => {
  it.each([
    ...HOSTILE_VALUES.map((h): [string, unknown, string] => [h.label, h.value, h.echo]),
    ['upper case', 'DROP_OLDEST', "'DROP_OLDEST'"],
    ['dashes', 'drop-oldest', "'drop-oldest'"],
    ['padded', ' drop_oldest', "' drop_oldest'"],
  ])('refuses %s with a TypeError listing the policies', (_label, value, echo) => {
    const message = typeErrorOf(() => resolveBatchOptions({ overflowPolicy: value as never }));
    expect(message).toBe(
      `overflowPolicy must be one of 'drop_newest', 'drop_oldest', 'drop_lowest_severity', got ${echo}`,
    );
  });
});

describe('BatchEngine options besides the batching ones', () => {
  it.each([undefined, null, 5, 'engine', () => {}, Symbol('s')])(
    'refuses options %s that are not an object',
    (value) => {
      expect(typeErrorOf(() => new BatchEngine(value as never))).toMatch(
        /^BatchEngine options must be an object with an exportBatch function, got /,
      );
    },
  );

  it.each<[string, unknown, RegExp]>([
    ['exportBatch', 5, /^exportBatch must be a function, got 5$/],
    ['exportBatch', Symbol('s'), /^exportBatch must be a function, got Symbol\(s\)$/],
    ['onShutdown', 'close', /^onShutdown must be a function, got 'close'$/],
    ['onShutdown', null, /^onShutdown must be a function, got null$/],
    [
      'logger',
      console.log,
      /^logger must be an object with warn\(\) and debug\(\), got a function$/,
    ],
    [
      'logger',
      { warn: () => {} },
      /^logger must be an object with warn\(\) and debug\(\), got an object$/,
    ],
    ['logger', null, /^logger must be an object with warn\(\) and debug\(\), got null$/],
    ['name', Symbol('s'), /^name must be a string, got Symbol\(s\)$/],
    ['name', 42, /^name must be a string, got 42$/],
    ['severityOf', 'severityNumber', /^severityOf must be a function, got 'severityNumber'$/],
    ['sizeOf', 96, /^sizeOf must be a function, got 96$/],
    ['observer', 'metrics', /^observer must be an object, got 'metrics'$/],
    ['observer', null, /^observer must be an object, got null$/],
  ])('refuses %s: %s with a TypeError naming it', (option, value, message) => {
    const options = { exportBatch: () => {}, [option]: value } as BatchEngineOptions<number>;
    expect(typeErrorOf(() => new BatchEngine(options))).toMatch(message);
  });

  it('survives a logger that throws: no crash, no unhandled error, the counts stay exact', async () => {
    const throwing: DiagnosticLogger = {
      warn: () => {
        throw new Error('logger down');
      },
      debug: () => {
        throw new Error('logger down');
      },
    };
    const stats = await expectLifecycle(
      { logger: throwing, maxQueueSize: 2, maxExportBatchSize: 4, exportTimeoutMillis: 10 },
      hang,
    );
    // queue_full, export_timeout and a clamp warning all went to the throwing logger: the first
    // batch left the queue at once, two more records were queued and the fifth was shed
    expect(stats.dropped).toMatchObject({ queue_full: 1, export_timeout: 4 });
  });

  it.each<[string, (record: number) => number]>([
    [
      'throws',
      () => {
        throw new Error('no size');
      },
    ],
    ['returns NaN', () => Number.NaN],
    ['returns -1', () => -1],
    ['returns Infinity', () => Number.POSITIVE_INFINITY],
    ['returns a string', () => '10' as never],
  ])('survives a sizeOf or severityOf that %s', async (_label, fn) => {
    const logger = mockLogger();
    for (const overflowPolicy of ['drop_lowest_severity', 'drop_oldest'] as const) {
      await expectLifecycle({
        logger,
        overflowPolicy,
        maxQueueBytes: 100,
        sizeOf: fn,
        severityOf: fn,
      });
    }
  });
});

describe('flush(timeoutMillis) and shutdown(timeoutMillis)', () => {
  const cases = casesFor('millis0');

  it.each(cases.filter(([, value]) => !isValid('millis0', value)))(
    'reject %s with a TypeError, and the engine keeps running',
    async (_label, value, echo) => {
      const engine = new BatchEngine<number>({ exportBatch: () => {} });
      engine.offer(1);
      const expected = new RegExp(`^timeoutMillis must be .*, got ${escapeRegExp(echo)}$`);
      await expect(engine.flush(value as never)).rejects.toThrow(expected);
      await expect(engine.shutdown(value as never)).rejects.toThrow(expected);
      expect(engine.accepting).toBe(true);
      await expect(engine.flush()).resolves.toBe(true);
      expect(engine.stats().exported).toBe(1);
    },
  );

  it.each(cases.filter(([, value]) => isValid('millis0', value)))(
    'accept %s and resolve by it',
    async (_label, value) => {
      const engine = new BatchEngine<number>({ exportBatch: hang, exportTimeoutMillis: 5000 });
      engine.offer(1);
      const millis = value as number;
      const flushTook = await timeToSettle(() => engine.flush(millis), millis);
      expect(flushTook).toBeDefined();
      const shutdownTook = await timeToSettle(() => engine.shutdown(millis), millis);
      expect(shutdownTook).toBeDefined();
      expect(engine.stats()).toMatchObject({ queued: 0, inFlight: 0 });
      expect(vi.getTimerCount()).toBe(0);
    },
  );
});

describe('inconsistent combinations', () => {
  it.each([
    [600, 100],
    [Number.MAX_SAFE_INTEGER, 1],
  ])(
    'clamps maxExportBatchSize %s to maxQueueSize %s with a warning naming both',
    async (batch, queue) => {
      const logger = mockLogger();
      const options = resolveBatchOptions(
        { maxExportBatchSize: batch, maxQueueSize: queue },
        {},
        logger,
      );
      expect(options.maxExportBatchSize).toBe(queue);
      expect(logger.warn).toHaveBeenCalledWith(
        `maxExportBatchSize (${batch}) must be <= maxQueueSize (${queue}); using ${queue}`,
      );
      await expectLifecycle({ maxExportBatchSize: batch, maxQueueSize: queue, logger });
    },
  );

  it('counts every record as queue_full, with a drop warning, when maxQueueBytes is below any record', async () => {
    const logger = mockLogger();
    const stats = await expectLifecycle({ maxQueueBytes: 10, sizeOf: () => 96, logger });
    expect(stats.dropped.queue_full).toBe(5);
    expect(logger.warn).toHaveBeenCalledWith(
      'BatchEngine: dropped 5 records (queue_full: 5); totals in stats()',
    );
  });

  it('lets the shutdown deadline cut an export whose own timeout is longer (exportTimeoutMillis > shutdownTimeoutMillis is valid)', async () => {
    const logger = mockLogger();
    const engine = new BatchEngine<number>({
      exportBatch: hang,
      exportTimeoutMillis: MAX_TIMER_MILLIS,
      shutdownTimeoutMillis: 50,
      logger,
    });
    expect(logger.warn).not.toHaveBeenCalled();
    for (let i = 0; i < 5; i++) engine.offer(i);
    await vi.advanceTimersByTimeAsync(0);
    const took = await timeToSettle(() => engine.shutdown(), 50);
    expect(took).toBe(50);
    expect(engine.stats()).toMatchObject({
      inFlight: 0,
      dropped: expect.objectContaining({ shutdown_timeout: 5 }),
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each<[RetryOptions, number]>([
    [{ initialDelayMillis: 5000, maxDelayMillis: 4999 }, 4999],
    [{ maxDelayMillis: 100 }, 100], // below the default initialDelayMillis
    [{ initialDelayMillis: 60_000 }, 30_000], // above the default maxDelayMillis
  ])(
    'clamps retry.initialDelayMillis to retry.maxDelayMillis, with a warning naming both: %o',
    (retry, clamped) => {
      const logger = mockLogger();
      const resolved = resolveRetryOptions(retry, logger);
      expect(resolved.initialDelayMillis).toBe(clamped);
      expect(resolved.maxDelayMillis).toBe(clamped);
      const given = retry.initialDelayMillis ?? 1000;
      expect(logger.warn).toHaveBeenCalledWith(
        `retry.initialDelayMillis (${given}) must be <= retry.maxDelayMillis (${clamped}); using ${clamped}`,
      );
    },
  );
});

const RETRY_OPTION_KINDS: readonly [keyof RetryOptions, OptionKind][] = [
  ['maxAttempts', 'count'],
  ['initialDelayMillis', 'millis0'],
  ['maxDelayMillis', 'millis0'],
  ['multiplier', 'factor'],
];

describe('TransportDelivery options', () => {
  const transport = { send: async () => {} };
  const encoder = createJsonEncoder<number>();

  it.each([undefined, null, 5, 'delivery', Symbol('s')])('refuses options %s', (value) => {
    expect(typeErrorOf(() => new TransportDelivery(value as never))).toMatch(
      /^TransportDelivery options must be an object with a transport and an encoder, got /,
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'transport',
      { transport: null, encoder },
      'transport must be an object with a send(payload, context) method, got null',
    ],
    [
      'transport',
      { transport: { send: 'POST' }, encoder },
      'transport must be an object with a send(payload, context) method, got an object',
    ],
    [
      'encoder',
      { transport, encoder: null },
      'encoder must be an object with an encode(items) method, got null',
    ],
    [
      'encoder',
      { transport, encoder: createJsonEncoder },
      'encoder must be an object with an encode(items) method, got a function',
    ],
    ['name', { transport, encoder, name: null }, 'name must be a string, got null'],
    [
      'logger',
      { transport, encoder, logger: 'console' },
      "logger must be an object with warn() and debug(), got 'console'",
    ],
  ])('refuses %s: %o', (_option, options, message) => {
    expect(typeErrorOf(() => new TransportDelivery(options as never))).toBe(message);
  });
});

describe('retry', () => {
  it.each([
    // false means no retries, and any plain object is a set of retry options
    ...HOSTILE_VALUES.filter((h) => h.value !== false && h.echo !== 'an object').map(
      (h): [string, unknown, string] => [h.label, h.value, h.echo],
    ),
  ])('refuses retry: %s unless it is false or a plain object', (_label, value, echo) => {
    expect(typeErrorOf(() => resolveRetryOptions(value as never))).toBe(
      `retry must be false or an object, got ${echo}`,
    );
  });

  describe.each(RETRY_OPTION_KINDS)('retry.%s (%s)', (option, kind) => {
    const cases = casesFor(kind);

    it.each(cases.filter(([, value]) => !isValid(kind, value)))(
      'refuses %s with a TypeError naming it and echoing the value',
      (_label, value, echo) => {
        const message = typeErrorOf(() => resolveRetryOptions({ [option]: value } as RetryOptions));
        expect(message).toMatch(new RegExp(`^retry\\.${option} must be `));
        expect(message.endsWith(`, got ${echo}`)).toBe(true);
      },
    );

    it.each(cases.filter(([, value]) => isValid(kind, value)))(
      'accepts %s, and a delivery that always fails still settles by the export deadline',
      async (_label, value) => {
        const logger = mockLogger();
        const delivery = new TransportDelivery<number, string>({
          transport: {
            send: async () => {
              throw new RetryableError('503', { retryAfterMillis: 0 });
            },
          },
          encoder: createJsonEncoder<number>(),
          retry: { [option]: value },
          logger,
        });
        const stats = await expectLifecycle(
          {
            logger,
            exportTimeoutMillis: 10_000,
            onShutdown: () => delivery.shutdown(),
          },
          (batch, context) => delivery.deliver(batch, context),
        );
        expect(stats.exported).toBe(0);
        expect(stats.dropped.retries_exhausted + stats.dropped.export_timeout).toBe(5);
      },
    );
  });
});

/** Escapes `text` for a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
