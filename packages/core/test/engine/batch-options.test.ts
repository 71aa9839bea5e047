import { describe, expect, it, type Mock, vi } from 'vitest';
import {
  BATCH_DEFAULTS,
  BatchEngine,
  type BatchOptions,
  type DiagnosticLogger,
  MAX_TIMER_MILLIS,
  OVERFLOW_POLICIES,
  resolveBatchOptions,
} from '../../src/index.js';

interface MockLogger {
  readonly warn: Mock<DiagnosticLogger['warn']>;
  readonly debug: Mock<DiagnosticLogger['debug']>;
}

function logger(): MockLogger {
  return { warn: vi.fn<DiagnosticLogger['warn']>(), debug: vi.fn<DiagnosticLogger['debug']>() };
}

describe('resolveBatchOptions defaults', () => {
  it('returns BATCH_DEFAULTS when nothing is given', () => {
    expect(BATCH_DEFAULTS).toEqual({
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 1000,
      exportTimeoutMillis: 30_000,
      shutdownTimeoutMillis: 30_000,
      maxQueueBytes: Number.POSITIVE_INFINITY,
      overflowPolicy: 'drop_newest',
      maxConcurrentExports: 1,
      dropWarningIntervalMillis: 10_000,
    });
    expect(resolveBatchOptions()).toEqual(BATCH_DEFAULTS);
    expect(resolveBatchOptions({})).toEqual(BATCH_DEFAULTS);
    expect(Object.isFrozen(BATCH_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(resolveBatchOptions())).toBe(true);
    expect(OVERFLOW_POLICIES).toEqual(['drop_newest', 'drop_oldest', 'drop_lowest_severity']);
  });

  it('falls back to the default for an option given as undefined', () => {
    const options: Record<keyof BatchOptions, undefined> = {
      maxQueueBytes: undefined,
      maxQueueSize: undefined,
      maxExportBatchSize: undefined,
      scheduledDelayMillis: undefined,
      exportTimeoutMillis: undefined,
      shutdownTimeoutMillis: undefined,
      overflowPolicy: undefined,
      maxConcurrentExports: undefined,
      dropWarningIntervalMillis: undefined,
    };
    expect(resolveBatchOptions(options)).toEqual(BATCH_DEFAULTS);
  });

  it('layers options over caller defaults over BATCH_DEFAULTS', () => {
    const resolved = resolveBatchOptions(
      { maxQueueSize: 100, scheduledDelayMillis: undefined },
      { scheduledDelayMillis: 5000, maxQueueSize: 50, maxExportBatchSize: 20 },
    );
    expect(resolved).toEqual({
      ...BATCH_DEFAULTS,
      maxQueueSize: 100,
      maxExportBatchSize: 20,
      scheduledDelayMillis: 5000,
    });
  });

  it('accepts the boundary values', () => {
    expect(
      resolveBatchOptions({
        maxQueueSize: 1,
        maxExportBatchSize: 1,
        scheduledDelayMillis: 0,
        exportTimeoutMillis: 1,
        shutdownTimeoutMillis: 0,
        overflowPolicy: 'drop_oldest',
        maxConcurrentExports: 1,
        dropWarningIntervalMillis: 0,
      }),
    ).toMatchObject({ scheduledDelayMillis: 0, exportTimeoutMillis: 1, shutdownTimeoutMillis: 0 });
    expect(
      resolveBatchOptions({ scheduledDelayMillis: MAX_TIMER_MILLIS }).scheduledDelayMillis,
    ).toBe(MAX_TIMER_MILLIS);
  });
});

describe('resolveBatchOptions validation', () => {
  it.each<[keyof BatchOptions, unknown, string]>([
    ['maxQueueSize', 0, 'maxQueueSize must be an integer >= 1, got 0'],
    ['maxQueueSize', -5, 'maxQueueSize must be an integer >= 1, got -5'],
    ['maxQueueSize', 1.5, 'maxQueueSize must be an integer >= 1, got 1.5'],
    ['maxQueueSize', Number.NaN, 'maxQueueSize must be an integer >= 1, got NaN'],
    ['maxQueueSize', '10', "maxQueueSize must be an integer >= 1, got '10'"],
    [
      'maxQueueSize',
      Number.POSITIVE_INFINITY,
      'maxQueueSize must be an integer >= 1, got Infinity',
    ],
    ['maxQueueSize', null, 'maxQueueSize must be an integer >= 1, got null'],
    ['maxExportBatchSize', 0, 'maxExportBatchSize must be an integer >= 1, got 0'],
    ['scheduledDelayMillis', -1, 'scheduledDelayMillis must be an integer number of milliseconds'],
    ['scheduledDelayMillis', 1.5, 'scheduledDelayMillis must be an integer number of milliseconds'],
    [
      'scheduledDelayMillis',
      2 ** 31,
      'scheduledDelayMillis must be an integer number of milliseconds',
    ],
    ['exportTimeoutMillis', 0, 'exportTimeoutMillis must be an integer number of milliseconds'],
    [
      'shutdownTimeoutMillis',
      -1,
      'shutdownTimeoutMillis must be an integer number of milliseconds',
    ],
    ['overflowPolicy', 'drop_random', "overflowPolicy must be one of 'drop_newest', 'drop_oldest'"],
    ['maxConcurrentExports', 0, 'maxConcurrentExports must be an integer >= 1, got 0'],
    [
      'dropWarningIntervalMillis',
      -1,
      'dropWarningIntervalMillis must be an integer number of milliseconds',
    ],
  ])('rejects %s = %s with a TypeError naming it and echoing the value', (name, value, prefix) => {
    let thrown: unknown;
    try {
      resolveBatchOptions({ [name]: value } as BatchOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    expect(message.startsWith(prefix)).toBe(true);
    const echo = typeof value === 'string' ? `'${value}'` : String(value);
    expect(message.endsWith(`, got ${echo}`)).toBe(true);
  });

  it('states the bounds of a duration option', () => {
    expect(() => resolveBatchOptions({ exportTimeoutMillis: 0 })).toThrow(
      `exportTimeoutMillis must be an integer number of milliseconds between 1 and ${MAX_TIMER_MILLIS}, got 0`,
    );
  });

  it('rejects a bad value that came from the caller defaults too', () => {
    expect(() => resolveBatchOptions({}, { maxQueueSize: -1 })).toThrow(
      'maxQueueSize must be an integer >= 1, got -1',
    );
  });

  it('describes objects, arrays and functions without throwing', () => {
    expect(() => resolveBatchOptions({ maxQueueSize: {} as never })).toThrow(/got an object$/);
    expect(() => resolveBatchOptions({ maxQueueSize: [] as never })).toThrow(/got an array$/);
    expect(() => resolveBatchOptions({ overflowPolicy: (() => 1) as never })).toThrow(
      /got a function$/,
    );
  });
});

describe('resolveBatchOptions clamping', () => {
  it('clamps maxExportBatchSize to maxQueueSize and warns once, naming both', () => {
    const log = logger();
    const resolved = resolveBatchOptions({ maxQueueSize: 100, maxExportBatchSize: 500 }, {}, log);
    expect(resolved.maxExportBatchSize).toBe(100);
    expect(resolved.maxQueueSize).toBe(100);
    expect(log.warn).toHaveBeenCalledTimes(1);
    const message = String(log.warn.mock.calls[0]?.[0]);
    expect(message).toContain('maxExportBatchSize');
    expect(message).toContain('maxQueueSize');
    expect(message).toContain('500');
    expect(message).toContain('100');
  });

  it('clamps the default batch size to a small queue', () => {
    const log = logger();
    expect(resolveBatchOptions({ maxQueueSize: 10 }, {}, log).maxExportBatchSize).toBe(10);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('does not warn when the batch fits the queue', () => {
    const log = logger();
    resolveBatchOptions({ maxQueueSize: 100, maxExportBatchSize: 100 }, {}, log);
    resolveBatchOptions({}, {}, log);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('warns through the engine logger when an engine is built with a batch larger than its queue', () => {
    const log = logger();
    const engine = new BatchEngine<number>({
      exportBatch: () => {},
      maxQueueSize: 4,
      maxExportBatchSize: 8,
      logger: log,
    });
    expect(engine.options.maxExportBatchSize).toBe(4);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });
});

describe('BatchEngine construction', () => {
  it.each([5, undefined, 'export', null])('rejects exportBatch: %s with a TypeError', (value) => {
    expect(() => new BatchEngine<number>({ exportBatch: value as never })).toThrow(TypeError);
    expect(() => new BatchEngine<number>({ exportBatch: value as never })).toThrow(
      /^exportBatch must be a function, got /,
    );
  });

  it('rejects bad batch options before anything runs', () => {
    expect(() => new BatchEngine<number>({ exportBatch: () => {}, maxQueueSize: -5 })).toThrow(
      'maxQueueSize must be an integer >= 1, got -5',
    );
  });

  it('exposes the resolved options', () => {
    const engine = new BatchEngine<number>({ exportBatch: () => {}, maxQueueSize: 64 });
    expect(engine.options).toEqual({ ...BATCH_DEFAULTS, maxQueueSize: 64, maxExportBatchSize: 64 });
  });
});
