import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import {
  BatchEngine,
  type BatchEngineOptions,
  createJsonEncoder,
  type DiagnosticLogger,
  type Encoder,
  ExportAbortedError,
  PayloadTooLargeError,
  type RetryOptions,
  type Transport,
  TransportDelivery,
} from '../../src/index.js';
import { range } from '../helpers/controlled-export.js';
import { type ScriptedOutcome, ScriptedTransport } from '../helpers/scripted-transport.js';

interface Rec {
  id: number;
  self?: unknown;
}

/** Engines of the running test: the accounting identity is checked after every tick. */
const live: BatchEngine<Rec>[] = [];

async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (const engine of live) expectInvariant(engine.stats());
}

/**
 * Ticks until nothing is in flight: a batch or payload of more than a slice of records is
 * encoded and sent on real turns of the event loop of its own, one per tick at most.
 */
async function tickUntilSettled(engine: BatchEngine<Rec>): Promise<void> {
  for (let ticks = 0; ticks < 200 && engine.stats().inFlight > 0; ticks++) await tick();
}

interface Setup {
  readonly engine: BatchEngine<Rec>;
  readonly delivery: TransportDelivery<Rec, string>;
  readonly logger: {
    readonly warn: Mock<DiagnosticLogger['warn']>;
    readonly debug: Mock<DiagnosticLogger['debug']>;
  };
}

interface SetupOptions {
  readonly retry?: RetryOptions | false;
  readonly encoder?: Encoder<Rec, string>;
  readonly engine?: Partial<BatchEngineOptions<Rec>>;
}

/** A real engine whose exports go through a TransportDelivery to `transport`. */
function setup(transport: Transport<string>, options: SetupOptions = {}): Setup {
  const logger = {
    warn: vi.fn<DiagnosticLogger['warn']>(),
    debug: vi.fn<DiagnosticLogger['debug']>(),
  };
  const delivery = new TransportDelivery<Rec, string>({
    transport,
    encoder: options.encoder ?? createJsonEncoder<Rec>(),
    retry: options.retry,
    logger,
  });
  const engine = new BatchEngine<Rec>({
    exportBatch: (batch, context) => delivery.deliver(batch, context),
    onShutdown: () => delivery.shutdown(),
    maxExportBatchSize: 10,
    ...options.engine,
  });
  live.push(engine);
  return { engine, delivery, logger };
}

function records(n: number, from = 0): Rec[] {
  return range(n, from).map((id) => ({ id }));
}

/** Offers `items`, checking the invariant after each offer. */
function offerAll(engine: BatchEngine<Rec>, items: readonly Rec[]): void {
  for (const item of items) {
    expect(engine.offer(item)).toBe(true);
    expectInvariant(engine.stats());
  }
}

/** The records a JSON array payload holds. */
function parsePayload(payload: string): Rec[] {
  const parsed: unknown = JSON.parse(payload);
  expect(Array.isArray(parsed)).toBe(true);
  return parsed as Rec[];
}

/** Every send's recordCount matches its payload; attempts of one payload count 1, 2, 3, ... */
function expectConsistentSends(transport: ScriptedTransport<string>): void {
  const attemptsByPayload = new Map<string, number[]>();
  for (const send of transport.sends) {
    expect(send.recordCount).toBe(parsePayload(send.payload).length);
    const attempts = attemptsByPayload.get(send.payload) ?? [];
    attempts.push(send.attempt);
    attemptsByPayload.set(send.payload, attempts);
  }
  for (const attempts of attemptsByPayload.values()) {
    expect(attempts).toEqual(range(attempts.length, 1));
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  live.length = 0;
  vi.useRealTimers();
});

describe('delivery outcomes', () => {
  it('counts a successful send as exported', async () => {
    const transport = new ScriptedTransport<string>(['ok']);
    const { engine } = setup(transport);
    offerAll(engine, records(10));
    await tick();
    expect(transport.sends).toHaveLength(1);
    const [send] = transport.sends;
    expect(send?.attempt).toBe(1);
    expect(send?.recordCount).toBe(10);
    expect(parsePayload(send?.payload ?? '')).toEqual(records(10));
    expect(send?.signal.aborted).toBe(false);
    expect(expectInvariant(engine.stats())).toMatchObject({
      received: 10,
      exported: 10,
      inFlight: 0,
      queued: 0,
      retries: 0,
    });
    expectConsistentSends(transport);
  });

  it('keeps the records in flight while the send is pending', async () => {
    const transport = new ScriptedTransport<string>(['hang']);
    const { engine } = setup(transport, { engine: { exportTimeoutMillis: 10_000 } });
    offerAll(engine, records(10));
    await tick(9_999);
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 0, inFlight: 10 });
  });

  it('drops a batch the backend refuses with a PermanentError as rejected, without retrying', async () => {
    const transport = new ScriptedTransport<string>(['permanent']);
    const { engine, logger } = setup(transport);
    offerAll(engine, records(10));
    await tick();
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 0,
      inFlight: 0,
      retries: 0,
      dropped: expect.objectContaining({ rejected: 10, retries_exhausted: 0 }),
    });
    await tick(60_000);
    expect(transport.sends).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('10 records rejected'),
      expect.any(Error),
    );
  });

  it.each<[string, ScriptedOutcome]>([
    ['a RetryableError', 'retryable'],
    ['a plain Error', 'plain-error'],
    ['a synchronous throw from send', 'throw-sync'],
  ])('retries after %s and exports when a later attempt succeeds', async (_label, failure) => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const transport = new ScriptedTransport<string>([failure, failure, 'ok']);
    const { engine } = setup(transport);
    offerAll(engine, records(10));
    await tick(10); // zero-jitter retries: each is a 0 ms timer
    expect(transport.attempts()).toEqual([1, 2, 3]);
    expect(new Set(transport.sends.map((s) => s.payload)).size).toBe(1);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 10,
      retries: 2,
      inFlight: 0,
      dropped: expect.objectContaining({ rejected: 0, retries_exhausted: 0 }),
    });
    expectConsistentSends(transport);
  });

  it.each<[string, ScriptedOutcome]>([
    ['a plain Error', 'plain-error'],
    ['a synchronous throw from send', 'throw-sync'],
  ])(
    'counts %s on the last attempt as retries_exhausted, not rejected',
    async (_label, failure) => {
      const transport = new ScriptedTransport<string>([failure]);
      const { engine } = setup(transport, { retry: false });
      offerAll(engine, records(10));
      await tick();
      expect(transport.sends).toHaveLength(1);
      expect(expectInvariant(engine.stats()).dropped).toMatchObject({
        retries_exhausted: 10,
        rejected: 0,
      });
    },
  );
});

describe('retry timing and limits', () => {
  it('waits at least Retry-After before the next attempt', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const transport = new ScriptedTransport<string>([{ retryAfterMillis: 2000 }, 'ok']);
    const { engine } = setup(transport);
    offerAll(engine, records(10));
    await tick();
    expect(transport.sends).toHaveLength(1);
    await tick(1999);
    expect(transport.sends).toHaveLength(1);
    expect(expectInvariant(engine.stats())).toMatchObject({ retries: 0, inFlight: 10 });
    await tick(1);
    expect(transport.attempts()).toEqual([1, 2]);
    expect(transport.sends[1]?.payload).toBe(transport.sends[0]?.payload);
    expect(expectInvariant(engine.stats())).toMatchObject({ retries: 1, exported: 10 });
    expectConsistentSends(transport);
  });

  it('backs off exponentially within the jitter ceiling', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const transport = new ScriptedTransport<string>(['retryable', 'retryable', 'retryable', 'ok']);
    const { engine } = setup(transport);
    offerAll(engine, records(10));
    const sentAt: number[] = [];
    for (let t = 0; t <= 4000; t += 100) {
      const before = transport.sends.length;
      await tick(t === 0 ? 0 : 100);
      for (let i = before; i < transport.sends.length; i++) sentAt.push(t);
    }
    // ceilings 1000, 2000, 4000, half of each: waits of 500, 1000, 2000
    expect(sentAt).toEqual([0, 500, 1500, 3500]);
    expect(expectInvariant(engine.stats())).toMatchObject({ retries: 3, exported: 10 });
    expectConsistentSends(transport);
  });

  it('stops after maxAttempts and counts the batch as retries_exhausted', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const transport = new ScriptedTransport<string>([], { fallback: 'retryable' });
    const { engine, logger } = setup(transport, { retry: { maxAttempts: 3 } });
    offerAll(engine, records(10));
    await tick(10_000);
    expect(transport.attempts()).toEqual([1, 2, 3]);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 0,
      retries: 2,
      inFlight: 0,
      dropped: expect.objectContaining({ retries_exhausted: 10, rejected: 0 }),
    });
    await tick(60_000);
    expect(transport.sends).toHaveLength(3);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('after 3 attempts'),
      expect.any(Error),
    );
    expectConsistentSends(transport);
  });

  it('sends once with retry: false', async () => {
    const transport = new ScriptedTransport<string>([], { fallback: 'retryable' });
    const { engine, delivery } = setup(transport, { retry: false });
    expect(delivery.retry.maxAttempts).toBe(1);
    offerAll(engine, records(10));
    await tick(60_000);
    expect(transport.sends).toHaveLength(1);
    expect(expectInvariant(engine.stats())).toMatchObject({
      retries: 0,
      dropped: expect.objectContaining({ retries_exhausted: 10 }),
    });
  });

  it('numbers attempts per batch: a new batch starts again at attempt 1', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const transport = new ScriptedTransport<string>(['retryable', 'ok', 'retryable', 'ok']);
    const { engine } = setup(transport);
    offerAll(engine, records(10));
    await tick(10);
    offerAll(engine, records(10, 10));
    await tick(10);
    expect(transport.attempts()).toEqual([1, 2, 1, 2]);
    expect(transport.sends.map((s) => parsePayload(s.payload)[0]?.id)).toEqual([0, 0, 10, 10]);
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 20, retries: 2 });
    expectConsistentSends(transport);
  });
});

describe('deadlines reach the delivery', () => {
  it('aborts a hung send at exportTimeoutMillis, counts export_timeout and sends no more', async () => {
    const transport = new ScriptedTransport<string>(['hang']);
    const { engine } = setup(transport, { engine: { exportTimeoutMillis: 5000 } });
    offerAll(engine, records(10));
    await tick();
    expect(transport.sends).toHaveLength(1);
    const signal = transport.sends[0]?.signal;
    await tick(4999);
    expect(signal?.aborted).toBe(false);
    expect(expectInvariant(engine.stats()).inFlight).toBe(10);
    await tick(1);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(ExportAbortedError);
    expect(signal?.reason).toMatchObject({ deadline: 'export_timeout' });
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 0,
      inFlight: 0,
      retries: 0,
      dropped: expect.objectContaining({ export_timeout: 10, retries_exhausted: 0, rejected: 0 }),
    });
    await tick(120_000);
    expect(transport.sends).toHaveLength(1);
  });

  it('frees the slot after a timed-out send: the next batch goes out', async () => {
    const transport = new ScriptedTransport<string>(['hang', 'ok']);
    const { engine } = setup(transport, { engine: { exportTimeoutMillis: 5000 } });
    offerAll(engine, records(20));
    await tick(5000);
    expect(transport.sends).toHaveLength(2);
    expect(transport.attempts()).toEqual([1, 1]);
    expect(parsePayload(transport.sends[1]?.payload ?? '')).toEqual(records(10, 10));
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 10,
      dropped: expect.objectContaining({ export_timeout: 10 }),
    });
  });

  it('stops retrying when the shutdown deadline passes during a backoff sleep', async () => {
    const transport = new ScriptedTransport<string>([{ retryAfterMillis: 5000 }], {
      fallback: 'ok',
    });
    const { engine } = setup(transport, {
      engine: {
        exportTimeoutMillis: 30_000,
        shutdownTimeoutMillis: 2000,
        dropWarningIntervalMillis: 0,
      },
    });
    offerAll(engine, records(10));
    await tick();
    expect(transport.sends).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(2); // the export deadline and the backoff sleep
    const done = engine.shutdown();
    await tick(2000);
    await done;
    expect(transport.sends[0]?.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // the sleep was cut short, not left to run out
    expect(expectInvariant(engine.stats())).toMatchObject({
      inFlight: 0,
      retries: 0,
      dropped: expect.objectContaining({ shutdown_timeout: 10 }),
    });
    await tick(30_000);
    expect(transport.sends).toHaveLength(1);
  });

  it('gives up at once when the next retry could only start after the export deadline', async () => {
    const transport = new ScriptedTransport<string>([{ retryAfterMillis: 10_000 }], {
      fallback: 'ok',
    });
    const { engine, logger } = setup(transport, {
      engine: { exportTimeoutMillis: 3000, dropWarningIntervalMillis: 0 },
    });
    offerAll(engine, records(20));
    await tick();
    // the first batch is settled without waiting, and its slot goes to the second batch
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 10,
      retries: 0,
      dropped: expect.objectContaining({ retries_exhausted: 10, export_timeout: 0 }),
    });
    expect(transport.sends).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('would start after the export deadline'),
      expect.any(Error),
    );
  });

  it('aborts a hung send at the shutdown deadline and counts shutdown_timeout', async () => {
    const transport = new ScriptedTransport<string>(['hang']);
    const { engine } = setup(transport, {
      engine: { exportTimeoutMillis: 60_000, shutdownTimeoutMillis: 2000 },
    });
    offerAll(engine, records(10));
    await tick();
    const done = engine.shutdown();
    await tick(2000);
    await done;
    expect(transport.sends[0]?.signal.aborted).toBe(true);
    expect(transport.sends[0]?.signal.reason).toBeInstanceOf(ExportAbortedError);
    expect(transport.sends[0]?.signal.reason).toMatchObject({ deadline: 'shutdown_timeout' });
    expect(expectInvariant(engine.stats())).toMatchObject({
      inFlight: 0,
      dropped: expect.objectContaining({ shutdown_timeout: 10 }),
    });
    expect(transport.sends).toHaveLength(1);
    expect(transport.shutdownCalls).toBe(1);
  });
});

describe('encoding', () => {
  it('drops a poison-pill record alone and ships the other 99', async () => {
    const transport = new ScriptedTransport<string>(['ok']);
    const { engine } = setup(transport, { engine: { maxExportBatchSize: 100 } });
    const batch = records(100);
    const poison = batch[42];
    if (poison === undefined) throw new Error('unreachable');
    poison.self = poison;
    offerAll(engine, batch);
    await tickUntilSettled(engine);
    expect(transport.sends).toHaveLength(1);
    const sent = parsePayload(transport.sends[0]?.payload ?? '');
    expect(sent).toHaveLength(99);
    expect(sent.map((r) => r.id)).toEqual(range(100).filter((id) => id !== 42));
    expect(transport.sends[0]?.recordCount).toBe(99);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 99,
      inFlight: 0,
      dropped: expect.objectContaining({ encoding_failed: 1 }),
    });
  });

  it('settles the bad record at once and keeps the rest in flight through retries', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const transport = new ScriptedTransport<string>([{ retryAfterMillis: 1000 }, 'ok']);
    const { engine } = setup(transport);
    const batch = records(10);
    batch[0] = { id: 0, self: 10n };
    offerAll(engine, batch);
    await tick();
    expect(expectInvariant(engine.stats())).toMatchObject({
      inFlight: 9,
      dropped: expect.objectContaining({ encoding_failed: 1 }),
    });
    await tick(1000);
    expect(transport.sends.map((s) => s.recordCount)).toEqual([9, 9]);
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 9, inFlight: 0, retries: 1 });
    expectConsistentSends(transport);
  });

  it('sends nothing when no record of the batch can be encoded', async () => {
    const transport = new ScriptedTransport<string>();
    const { engine } = setup(transport, { engine: { maxExportBatchSize: 3 } });
    offerAll(
      engine,
      [0, 1, 2].map((id) => ({ id, self: BigInt(id) })),
    );
    await tick();
    expect(transport.sends).toHaveLength(0);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 0,
      inFlight: 0,
      dropped: expect.objectContaining({ encoding_failed: 3 }),
    });
  });

  it('drops the whole batch as encoding_failed when the encoder throws', async () => {
    const transport = new ScriptedTransport<string>();
    const encoder: Encoder<Rec, string> = {
      encode() {
        throw new Error('encoder bug');
      },
    };
    const { engine, logger } = setup(transport, { encoder });
    offerAll(engine, records(10));
    await tick();
    expect(transport.sends).toHaveLength(0);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 0,
      inFlight: 0,
      dropped: expect.objectContaining({ encoding_failed: 10, rejected: 0 }),
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('encoder threw'),
      expect.any(Error),
    );
  });

  it('counts records a custom encoder neither encoded nor reported as encoding_failed', async () => {
    const transport = new ScriptedTransport<string>();
    const encoder: Encoder<Rec, string> = {
      // claims success but only encodes half, and reports no failure
      encode: (items) => ({
        payload: JSON.stringify(items.slice(0, 5)),
        recordCount: 5,
        failedCount: 0,
      }),
    };
    const { engine } = setup(transport, { encoder });
    offerAll(engine, records(10));
    await tick();
    expect(transport.sends[0]?.recordCount).toBe(5);
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 5,
      dropped: expect.objectContaining({ encoding_failed: 5 }),
    });
  });
});

describe('failure warnings', () => {
  it('warns at most once per 10 s about failed batches, the rest go to debug', async () => {
    const transport = new ScriptedTransport<string>([], { fallback: 'permanent' });
    const { engine, logger } = setup(transport, { engine: { maxQueueSize: 1000 } });
    offerAll(engine, records(50));
    await tick();
    expect(transport.sends).toHaveLength(5);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.debug.mock.calls.filter(([m]) => m.includes('rejected'))).toHaveLength(4);
    await tick(10_000);
    offerAll(engine, records(10, 50));
    await tick();
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});

describe('shutdown', () => {
  it('shuts the transport down once, however often delivery.shutdown() is called', async () => {
    const transport = new ScriptedTransport<string>();
    const { delivery } = setup(transport);
    const first = delivery.shutdown();
    const second = delivery.shutdown();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await delivery.shutdown();
    expect(transport.shutdownCalls).toBe(1);
  });

  it('shuts the transport down once through the engine, after the last send', async () => {
    const transport = new ScriptedTransport<string>(['ok']);
    const { engine, delivery } = setup(transport);
    offerAll(engine, records(4));
    const done = engine.shutdown();
    await tick();
    await done;
    expect(transport.sends).toHaveLength(1);
    expect(transport.shutdownCalls).toBe(1);
    expect(expectInvariant(engine.stats()).exported).toBe(4);
    await delivery.shutdown();
    await engine.shutdown();
    expect(transport.shutdownCalls).toBe(1);
  });

  it('resolves even when transport.shutdown rejects, and reports it', async () => {
    const transport = new ScriptedTransport<string>([], { shutdownThrows: true });
    const { delivery, logger } = setup(transport);
    await expect(delivery.shutdown()).resolves.toBeUndefined();
    await expect(delivery.shutdown()).resolves.toBeUndefined();
    expect(transport.shutdownCalls).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('transport shutdown failed'),
      expect.any(Error),
    );
  });

  it('resolves when the transport has no shutdown method', async () => {
    const delivery = new TransportDelivery<Rec, string>({
      transport: { send: () => Promise.resolve() },
      encoder: createJsonEncoder<Rec>(),
    });
    await expect(delivery.shutdown()).resolves.toBeUndefined();
  });
});

describe('construction', () => {
  it('rejects a transport without send and an encoder without encode', () => {
    const encoder = createJsonEncoder<Rec>();
    const transport = new ScriptedTransport<string>();
    expect(() => new TransportDelivery<Rec, string>({ transport: {} as never, encoder })).toThrow(
      /^transport must be an object with a send/,
    );
    expect(
      () => new TransportDelivery<Rec, string>({ transport, encoder: undefined as never }),
    ).toThrow(/^encoder must be an object with an encode/);
  });

  it('validates the retry options', () => {
    expect(
      () =>
        new TransportDelivery<Rec, string>({
          transport: new ScriptedTransport<string>(),
          encoder: createJsonEncoder<Rec>(),
          retry: { maxAttempts: 0 },
        }),
    ).toThrow(/^retry\.maxAttempts must be an integer >= 1, got 0$/);
  });
});

describe('payload too large (HTTP 413)', () => {
  /** Refuses payloads of more than `limit` records, or any payload holding record `huge`. */
  function sizeLimited(limit: number, huge?: number) {
    const sent: number[][] = [];
    const transport = {
      calls: 0,
      async send(payload: string): Promise<void> {
        transport.calls++;
        const ids = (JSON.parse(payload) as Rec[]).map((r) => r.id);
        if (ids.length > limit || (huge !== undefined && ids.includes(huge))) {
          throw new PayloadTooLargeError('413 Payload Too Large');
        }
        sent.push(ids);
      },
    };
    return { transport, sent };
  }

  it('splits the batch in halves until every part fits, and counts exactly', async () => {
    const { transport, sent } = sizeLimited(25);
    const { engine } = setup(transport, { engine: { maxExportBatchSize: 100 } });
    offerAll(engine, records(100));
    await tickUntilSettled(engine);
    expect(sent.map((ids) => ids.length)).toEqual([25, 25, 25, 25]);
    expect(sent.flat()).toEqual(range(100));
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 100, retries: 0 });
  });

  it('drops a single record that is still too large as rejected, and ships the rest', async () => {
    const { transport, sent } = sizeLimited(1000, 42);
    const { engine } = setup(transport, { engine: { maxExportBatchSize: 100 } });
    offerAll(engine, records(100));
    await tickUntilSettled(engine);
    expect(sent.flat().sort((a, b) => a - b)).toEqual(range(100).filter((id) => id !== 42));
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 99,
      dropped: expect.objectContaining({ rejected: 1 }),
    });
    // 1 + 2 + 2 + ... : one failing half per level, log2(100) levels
    expect(transport.calls).toBeLessThanOrEqual(1 + 2 * 7);
  });

  it('never counts a record that failed to encode twice while splitting', async () => {
    const { transport, sent } = sizeLimited(10);
    const { engine } = setup(transport, { engine: { maxExportBatchSize: 40 } });
    const batch = records(40);
    const circular: Rec = { id: 7 };
    circular.self = circular;
    batch[7] = circular;
    offerAll(engine, batch);
    await tickUntilSettled(engine);
    expect(sent.flat()).toEqual(range(40).filter((id) => id !== 7));
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 39,
      dropped: expect.objectContaining({ encoding_failed: 1, rejected: 0 }),
    });
  });

  it('rejects the whole payload when its records are unknown and it cannot be split', async () => {
    const { transport } = sizeLimited(5);
    const opaque: Encoder<Rec, string> = {
      // drops one record but does not say which
      encode: (items) => ({
        payload: JSON.stringify(items.slice(1)),
        recordCount: items.length - 1,
        failedCount: 1,
      }),
    };
    const { engine } = setup(transport, {
      encoder: opaque,
      engine: { maxExportBatchSize: 10 },
    });
    offerAll(engine, records(10));
    await tick();
    expect(expectInvariant(engine.stats())).toMatchObject({
      exported: 0,
      dropped: expect.objectContaining({ encoding_failed: 1, rejected: 9 }),
    });
  });
});
