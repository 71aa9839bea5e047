import { channel } from 'node:diagnostics_channel';
import { Socket } from 'node:net';
import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLogRecordExporter, LoggerProvider } from '#sdk';
import {
  createTelemetryReporter,
  type ForwardDiagnosticsChannelsOptions,
  forwardDiagnosticsChannels,
  type LogRecordJson,
  ReporterLogRecordProcessor,
  type ReporterStats,
  type TelemetryReporter,
  unaccountedRecords,
} from '../../src/index.js';
import { MemoryTransport } from '../helpers/memory-transport.js';
import { sdk } from '../helpers/reporter-sdk.js';

let channels = 0;
/** A channel name no other test uses, so subscriptions never leak between tests. */
function uniqueChannel(label: string): string {
  return `telemetry-reporter-test:${label}:${++channels}`;
}

function expectAccounted(stats: ReporterStats): ReporterStats {
  expect(unaccountedRecords(stats), JSON.stringify(stats)).toBe(0);
  return stats;
}

const unsubscribes: (() => void)[] = [];
function forward(options: ForwardDiagnosticsChannelsOptions): () => void {
  const unsubscribe = forwardDiagnosticsChannels(options);
  unsubscribes.push(unsubscribe);
  return unsubscribe;
}

function setup(): { transport: MemoryTransport; reporter: TelemetryReporter } {
  const transport = new MemoryTransport();
  return { transport, reporter: createTelemetryReporter({ transport, sdk }) };
}

/** Errors a subscriber let escape: Node rethrows them as uncaught exceptions on the next tick. */
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => {
  uncaught.push(error);
};

beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
});

afterEach(() => {
  process.off('uncaughtException', onUncaught);
  for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  vi.useRealTimers();
});

describe('forwarding', () => {
  it('turns messages published on two channels into records', async () => {
    const { transport, reporter } = setup();
    const orders = uniqueChannel('orders');
    const cache = uniqueChannel('cache');
    forward({ channels: [orders, cache], reporter });
    channel(orders).publish({ orderId: 1, items: ['book', 'pen'] });
    channel(cache).publish('miss');
    channel(orders).publish({ orderId: 2 });
    expect(await reporter.flush()).toBe(true);
    const records = transport.records<LogRecordJson>();
    expect(records.map((r) => [r.eventName, r.body])).toEqual([
      [orders, { orderId: 1, items: ['book', 'pen'] }],
      [cache, 'miss'],
      [orders, { orderId: 2 }],
    ]);
    expect(records[0]).toMatchObject({
      scope: { name: '@telemetry-reporter/otel/diagnostics-channel' },
    });
    expect(records[0]).not.toHaveProperty('severityNumber');
    expect(expectAccounted(reporter.stats()).exported).toBe(3);
  });

  it('emits through any OpenTelemetry logger of this SDK line, with a map', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const processor = new ReporterLogRecordProcessor({ exporter });
    const provider = new LoggerProvider({ processors: [processor] });
    const name = uniqueChannel('http');
    forward({
      channels: [name],
      logger: provider.getLogger('http'),
      processor,
      map: (message, channelName) => ({
        eventName: `${channelName}.done`,
        severityNumber: 9,
        body: (message as { status: number }).status,
        attributes: { 'http.route': '/pay' },
      }),
    });
    channel(name).publish({ status: 201 });
    await provider.forceFlush();
    const [record] = exporter.getFinishedLogRecords();
    expect(record).toMatchObject({
      eventName: `${name}.done`,
      severityNumber: 9,
      body: 201,
      attributes: { 'http.route': '/pay' },
      instrumentationScope: { name: 'http' },
    });
    await provider.shutdown();
  });

  it('accepts symbol channel names, using their description as eventName', async () => {
    const { transport, reporter } = setup();
    const name = Symbol(uniqueChannel('symbol'));
    forward({ channels: [name], reporter });
    channel(name).publish(1);
    await reporter.flush();
    expect(transport.records<LogRecordJson>()[0]?.eventName).toBe(name.description);
  });

  it('runs on the publisher stack in O(1): nothing awaited, no timer per message', () => {
    vi.useFakeTimers();
    const { reporter } = setup();
    const name = uniqueChannel('hot');
    forward({ channels: [name], reporter });
    const publisher = channel(name);
    publisher.publish({ n: 0 });
    // queued before publish() returned
    expect(reporter.stats()).toMatchObject({ received: 1, queued: 1 });
    const timers = vi.getTimerCount();
    for (let n = 1; n < 1000; n++) publisher.publish({ n });
    expect(vi.getTimerCount()).toBeLessThanOrEqual(timers);
    // a full batch already left the queue for its export slot; its export starts on a microtask
    const { received, queued, inFlight, exported } = reporter.stats();
    expect({ received, pending: queued + inFlight, exported }).toEqual({
      received: 1000,
      pending: 1000,
      exported: 0,
    });
  });

  it('unsubscribe stops forwarding, and is idempotent', async () => {
    const { reporter } = setup();
    const name = uniqueChannel('unsubscribe');
    const unsubscribe = forward({ channels: [name], reporter });
    channel(name).publish('kept');
    expect(channel(name).hasSubscribers).toBe(true);
    unsubscribe();
    unsubscribe();
    expect(channel(name).hasSubscribers).toBe(false);
    channel(name).publish('ignored');
    await reporter.flush();
    expect(reporter.stats()).toMatchObject({ received: 1, exported: 1 });
  });

  it('subscribes once to a channel named twice', async () => {
    const { reporter } = setup();
    const name = uniqueChannel('twice');
    forward({ channels: [name, name], reporter });
    channel(name).publish('once');
    expect(reporter.stats().received).toBe(1);
  });

  it('counts messages published after the reporter stopped as already_shutdown', async () => {
    const { reporter } = setup();
    const name = uniqueChannel('stopped');
    forward({ channels: [name], reporter });
    channel(name).publish('before');
    await reporter.stop();
    channel(name).publish('after');
    expect(expectAccounted(reporter.stats())).toMatchObject({
      received: 2,
      exported: 1,
      dropped: expect.objectContaining({ already_shutdown: 1 }),
    });
  });
});

describe('a map that fails', () => {
  it('drops only that message, as encoding_failed, and never reaches the publisher', async () => {
    const { transport, reporter } = setup();
    const name = uniqueChannel('throwing');
    forward({
      channels: [name],
      reporter,
      map: (message) => {
        if (message === 'poison') throw new Error('cannot map this');
        return { body: message };
      },
    });
    const publisher = channel(name);
    expect(() => {
      publisher.publish('a');
      publisher.publish('poison');
      publisher.publish('b');
    }).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve)); // Node rethrows on the next tick
    expect(uncaught).toEqual([]);
    expect(await reporter.flush()).toBe(true);
    expect(transport.records<LogRecordJson>().map((r) => r.body)).toEqual(['a', 'b']);
    expect(expectAccounted(reporter.stats())).toMatchObject({
      received: 3,
      exported: 2,
      dropped: expect.objectContaining({ encoding_failed: 1 }),
    });
  });

  it('also counts a map result that is not a record; undefined skips the message', async () => {
    const { transport, reporter } = setup();
    const name = uniqueChannel('results');
    forward({
      channels: [name],
      reporter,
      map: (message) => {
        if (message === 'skip') return undefined;
        if (message === 'bad') return 42 as never;
        return { body: message };
      },
    });
    for (const message of ['skip', 'bad', 'ok']) channel(name).publish(message);
    await reporter.flush();
    expect(transport.records<LogRecordJson>().map((r) => r.body)).toEqual(['ok']);
    expect(expectAccounted(reporter.stats())).toMatchObject({
      received: 2,
      dropped: expect.objectContaining({ encoding_failed: 1 }),
    });
  });

  it('counts a logger that throws, as encoding_failed in the processor given', () => {
    const processor = new ReporterLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() });
    const name = uniqueChannel('throwing-logger');
    const logger = {
      emit() {
        throw new Error('broken logger');
      },
    };
    forward({ channels: [name], logger, processor });
    expect(() => channel(name).publish('x')).not.toThrow();
    expect(expectAccounted(processor.stats()).dropped.encoding_failed).toBe(1);
  });

  it('without a processor, reports failures through diag at most every 10 s', async () => {
    vi.useFakeTimers();
    const diag = captureDiag();
    try {
      const emitted: unknown[] = [];
      const name = uniqueChannel('diag');
      forward({
        channels: [name],
        logger: { emit: (record) => emitted.push(record) },
        map: () => {
          throw new Error('nope');
        },
      });
      for (let i = 0; i < 3; i++) channel(name).publish(i);
      const drops = () => diag.warn.filter((line) => line.includes('could not become log records'));
      expect(drops()).toHaveLength(1);
      expect(drops()[0]).toContain('dropped 1 message ');
      await vi.advanceTimersByTimeAsync(10_000);
      channel(name).publish(3);
      expect(drops()).toHaveLength(2);
      expect(drops()[1]).toContain('dropped 3 messages');
      expect(emitted).toEqual([]);
    } finally {
      diag.restore();
    }
  });
});

describe('the default mapping', () => {
  async function bodyOf(message: unknown): Promise<unknown> {
    const { transport, reporter } = setup();
    const name = uniqueChannel('body');
    forward({ channels: [name], reporter });
    channel(name).publish(message);
    expect(await reporter.flush()).toBe(true);
    expect(expectAccounted(reporter.stats()).exported).toBe(1);
    return transport.records<LogRecordJson>()[0]?.body;
  }

  it('copies the message when it is published, not when it is exported', async () => {
    const { transport, reporter } = setup();
    const name = uniqueChannel('copy');
    forward({ channels: [name], reporter });
    const message = { user: { id: 1 }, tags: ['a'] };
    channel(name).publish(message);
    message.user.id = 2;
    message.tags.push('b');
    await reporter.flush();
    expect(transport.records<LogRecordJson>()[0]?.body).toEqual({ user: { id: 1 }, tags: ['a'] });
  });

  it('summarises what is not JSON-friendly instead of failing the record', async () => {
    class Request {
      method = 'GET';
      headers = { host: 'example.test' };
      socket = new Socket();
    }
    expect(await bodyOf(new Request())).toEqual({
      method: 'GET',
      headers: { host: 'example.test' },
      socket: '[Socket]',
    });
    expect(
      await bodyOf({
        request: new Request(),
        at: new Date(0),
        error: new TypeError('fetch failed'),
        size: 10n,
        ratio: Number.NaN,
        bytes: Buffer.from('ab'),
        callback: function onDone() {},
        missing: undefined,
      }),
    ).toEqual({
      request: '[Request]',
      at: '1970-01-01T00:00:00.000Z',
      error: 'TypeError: fetch failed',
      size: '10',
      ratio: 'NaN',
      bytes: '[Buffer(2)]',
      callback: '[Function onDone]',
    });
  });

  it('bounds the copy of a circular, deep or huge message', async () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    expect(await bodyOf(circular)).toEqual({
      name: 'loop',
      self: { name: 'loop', self: { name: 'loop', self: { name: 'loop', self: '[Object]' } } },
    });
    const huge = (await bodyOf(Array.from({ length: 1000 }, (_, i) => i))) as unknown[];
    expect(huge).toHaveLength(101);
    expect(huge.at(-1)).toBe('[900 more]');
  });
});

describe('options', () => {
  const { reporter } = setup();
  const logger = { emit: () => {} };
  it.each([
    [
      'no options',
      undefined,
      'forwardDiagnosticsChannels options must be an object, got undefined',
    ],
    [
      'no channels',
      { channels: [], reporter },
      'channels must be a non-empty array of channel names, got an array',
    ],
    [
      'a channel string',
      { channels: 'orders', reporter },
      "channels must be a non-empty array of channel names, got 'orders'",
    ],
    [
      'a numeric channel name',
      { channels: ['orders', 42], reporter },
      'channels[1] must be a non-empty string or a symbol, got 42',
    ],
    [
      'neither reporter nor logger',
      { channels: ['orders'] },
      'forwardDiagnosticsChannels needs exactly one of reporter and logger, got neither',
    ],
    [
      'both reporter and logger',
      { channels: ['orders'], reporter, logger },
      'forwardDiagnosticsChannels needs exactly one of reporter and logger, got both',
    ],
    [
      'a reporter with a processor',
      { channels: ['orders'], reporter, processor: reporter.processor },
      'processor goes with logger; a reporter counts drops in its own processor',
    ],
    [
      'a logger without emit',
      { channels: ['orders'], logger: {} },
      'logger must be an OpenTelemetry logger with emit(), got an object',
    ],
    [
      'a processor without countDropped',
      { channels: ['orders'], logger, processor: {} },
      'processor must be a ReporterLogRecordProcessor, got an object',
    ],
    [
      'a map that is not a function',
      { channels: ['orders'], reporter, map: 'identity' },
      "map must be a function, got 'identity'",
    ],
  ])('rejects %s with a TypeError, subscribing to nothing', (_label, bad, message) => {
    expect(() => forwardDiagnosticsChannels(bad as never)).toThrow(new TypeError(message));
    expect(channel('orders').hasSubscribers).toBe(false);
  });
});
