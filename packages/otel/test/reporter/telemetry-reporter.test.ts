import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLogRecordExporter, resourceFromAttributes } from '#sdk';
import {
  createTelemetryReporter,
  type ExceptionBody,
  type LogRecordJson,
  type ReporterStats,
  type TelemetryReporter,
  type TelemetryReporterOptions,
  unaccountedRecords,
} from '../../src/index.js';
import { ReporterFacade } from '../../src/reporter/reporter-facade.js';
import { MemoryTransport } from '../helpers/memory-transport.js';
import { sdk } from '../helpers/reporter-sdk.js';

function expectAccounted(stats: ReporterStats): ReporterStats {
  expect(unaccountedRecords(stats), JSON.stringify(stats)).toBe(0);
  return stats;
}

function reporterFor(
  transport: MemoryTransport,
  options: Partial<TelemetryReporterOptions> = {},
): TelemetryReporter {
  return createTelemetryReporter({ transport, sdk, ...options } as TelemetryReporterOptions);
}

/** A transport whose sends wait until the test releases them, oldest first. */
function gatedTransport(): { transport: MemoryTransport; release(): void; waiting(): number } {
  const gates: (() => void)[] = [];
  const transport = new MemoryTransport(() => new Promise<void>((resolve) => gates.push(resolve)));
  return { transport, release: () => gates.shift()?.(), waiting: () => gates.length };
}

/** A transport that hangs until the export's signal aborts. */
function hungTransport(): MemoryTransport {
  return new MemoryTransport(
    (_payload, { signal }) =>
      new Promise<void>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      ),
  );
}

/** Settles `promise` into a readable slot, for checking it at exact fake-timer instants. */
function track<T>(promise: Promise<T>): { readonly value: T | undefined } {
  const slot: { value: T | undefined } = { value: undefined };
  void promise.then((value) => {
    slot.value = value;
  });
  return slot;
}

beforeEach(() => {
  // Resource detection reads these; the suite must not depend on the machine's environment.
  vi.stubEnv('OTEL_SERVICE_NAME', '');
  vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', '');
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('log', () => {
  it('ships eventName, severity, body, attributes and resource through the transport', async () => {
    const transport = new MemoryTransport();
    const reporter = reporterFor(transport, {
      serviceName: 'checkout',
      resource: { 'deployment.environment.name': 'test' },
    });
    reporter.log('order.placed', 'info', { orderId: 42 }, { 'http.route': '/checkout' });
    reporter.log('cache.miss', 'debug');
    reporter.log('payment.declined', 18, 'card expired');
    expect(await reporter.flush()).toBe(true);
    const records = transport.records<LogRecordJson>();
    expect(records).toMatchObject([
      {
        eventName: 'order.placed',
        severityNumber: 9,
        severityText: 'INFO',
        body: { orderId: 42 },
        attributes: { 'http.route': '/checkout' },
        resource: expect.objectContaining({
          'service.name': 'checkout',
          'deployment.environment.name': 'test',
          'telemetry.sdk.language': 'nodejs',
        }),
        scope: { name: '@telemetry-reporter/otel' },
      },
      { eventName: 'cache.miss', severityNumber: 5, severityText: 'DEBUG', attributes: {} },
      { eventName: 'payment.declined', severityNumber: 18, severityText: 'ERROR2' },
    ]);
    expect(records[1]).not.toHaveProperty('body');
    expect(records[2]?.body).toBe('card expired');
    expect(expectAccounted(reporter.stats())).toMatchObject({ received: 3, exported: 3 });
  });

  it.each([
    ['trace', 1, 'TRACE'],
    ['debug', 5, 'DEBUG'],
    ['info', 9, 'INFO'],
    ['warn', 13, 'WARN'],
    ['error', 17, 'ERROR'],
    ['fatal', 21, 'FATAL'],
    ['WARN', 13, 'WARN'],
    [1, 1, 'TRACE'],
    [12, 12, 'INFO4'],
    [24, 24, 'FATAL4'],
    ['notice', undefined, 'notice'],
    [0, undefined, undefined],
    [25, undefined, undefined],
    [2.5, undefined, undefined],
    [Number.NaN, undefined, undefined],
    [null, undefined, undefined],
  ])('maps severity %o to number %o and text %o', async (severity, number, text) => {
    const exporter = new InMemoryLogRecordExporter();
    const reporter = createTelemetryReporter({ exporter, sdk });
    reporter.log('e', severity as never);
    expect(await reporter.flush()).toBe(true);
    const [record] = exporter.getFinishedLogRecords();
    expect(record?.severityNumber).toBe(number);
    expect(record?.severityText).toBe(text);
  });

  it('never throws: a record the SDK cannot build counts as encoding_failed', async () => {
    const transport = new MemoryTransport();
    const reporter = reporterFor(transport);
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('hostile metadata');
        },
      },
    );
    const circular: Record<string, unknown> = { id: 1 };
    circular.self = circular;
    expect(reporter.log('bad.metadata', 'info', 'x', hostile)).toBeUndefined();
    reporter.log('circular.body', 'info', circular); // built fine, fails to encode later
    reporter.log('ok.1', 'info', 1);
    reporter.log('ok.2', 'info', 2);
    expect(await reporter.flush()).toBe(true);
    expect(transport.records<LogRecordJson>().map((r) => r.eventName)).toEqual(['ok.1', 'ok.2']);
    expect(expectAccounted(reporter.stats())).toMatchObject({
      received: 4,
      exported: 2,
      dropped: expect.objectContaining({ encoding_failed: 2 }),
    });
  });

  it('queues on the caller stack, with no timer per record', () => {
    vi.useFakeTimers();
    const reporter = reporterFor(new MemoryTransport());
    reporter.log('first', 'info');
    const timers = vi.getTimerCount();
    for (let i = 0; i < 999; i++) reporter.log('next', 'info', i);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(timers);
    // counted before log() returned: nothing was awaited (a full batch already left the queue
    // for its export slot, which starts on a microtask)
    const { received, queued, inFlight, exported } = reporter.stats();
    expect({ received, pending: queued + inFlight, exported }).toEqual({
      received: 1000,
      pending: 1000,
      exported: 0,
    });
  });

  it('keeps working when its methods are detached', async () => {
    const transport = new MemoryTransport();
    const { log, logException, flush, stats } = reporterFor(transport);
    log('detached', 'warn');
    logException(new Error('detached'));
    expect(await flush()).toBe(true);
    expect(stats().exported).toBe(2);
  });
});

describe('logException', () => {
  it('ships an error with a cause chain and a circular property, without throwing', async () => {
    const transport = new MemoryTransport();
    const reporter = reporterFor(transport);
    const root = Object.assign(new TypeError('socket hang up'), { code: 'ECONNRESET' });
    const middle = new Error('fetch failed', { cause: root });
    const outer = new Error('payment service unavailable', { cause: middle });
    Object.assign(outer, { self: outer, request: { error: outer } });
    expect(reporter.logException(outer, undefined, { 'order.id': 7 })).toBeUndefined();
    expect(await reporter.flush()).toBe(true);
    const [record] = transport.records<LogRecordJson>();
    expect(record).toMatchObject({
      eventName: 'exception',
      severityNumber: 17,
      severityText: 'ERROR',
      attributes: {
        'exception.type': 'Error',
        'exception.message': 'payment service unavailable',
        'order.id': 7,
      },
      body: {
        type: 'Error',
        message: 'payment service unavailable',
        causes: [
          { type: 'Error', message: 'fetch failed' },
          { type: 'TypeError', message: 'socket hang up', code: 'ECONNRESET' },
        ],
      } satisfies ExceptionBody,
    });
    expect(record?.attributes['exception.stacktrace']).toBe(
      `${outer.stack}\nCaused by: ${middle.stack}\nCaused by: ${root.stack}`,
    );
    expect(expectAccounted(reporter.stats())).toMatchObject({
      exported: 1,
      dropped: expect.objectContaining({ encoding_failed: 0 }),
    });
  });

  it('stops a cause chain that loops back, and cuts one longer than 8', async () => {
    const transport = new MemoryTransport();
    const reporter = reporterFor(transport);
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    let long = new Error('cause 20');
    for (let i = 19; i >= 0; i--) long = new Error(`cause ${i}`, { cause: long });
    reporter.logException(b, 'fatal');
    reporter.logException(long);
    expect(await reporter.flush()).toBe(true);
    const [looped, cut] = transport.records<LogRecordJson>();
    expect(looped?.severityNumber).toBe(21);
    expect(looped?.body).toMatchObject({ causes: [{ type: 'Error', message: 'a' }] });
    expect(looped?.attributes['exception.stacktrace']).toMatch(
      /\nCaused by: \[circular reference to Error: b\]$/,
    );
    const body = cut?.body as ExceptionBody;
    expect(body.causes?.map((c) => c.message)).toEqual(
      Array.from({ length: 8 }, (_, i) => `cause ${i + 1}`),
    );
    expect(body.causesTruncated).toBe(true);
    expect(cut?.attributes['exception.stacktrace']).toMatch(
      /\nCaused by: \[further causes omitted\]$/,
    );
  });

  it.each([
    ['a string', 'boom', { type: 'string', message: 'boom' }],
    ['a number', 42, { type: 'number', message: '42' }],
    ['null', null, { type: 'null', message: 'null' }],
    [
      'an error-like object',
      { code: 'E_QUOTA', message: 'over quota' },
      { type: 'Object', message: 'over quota', code: 'E_QUOTA' },
    ],
    [
      'a proxy that throws on every read',
      new Proxy(
        {},
        {
          get() {
            throw new Error('no');
          },
        },
      ),
      { type: 'Object', message: '[a value that cannot be printed]' },
    ],
    [
      'an error whose message getter throws',
      Object.defineProperty(new RangeError(), 'message', {
        get() {
          throw new Error('no');
        },
      }),
      { type: 'RangeError', message: '[a value that cannot be printed]' },
    ],
  ])('records %s', async (_label, thrown, expected) => {
    const transport = new MemoryTransport();
    const reporter = reporterFor(transport);
    reporter.logException(thrown);
    expect(await reporter.flush()).toBe(true);
    const [record] = transport.records<LogRecordJson>();
    expect(record?.body).toEqual(expected);
    expect(record?.attributes).toMatchObject({
      'exception.type': expected.type,
      'exception.message': expected.message,
      'exception.stacktrace': expect.any(String),
    });
  });
});

describe('flush, waitUntilDrained and stop', () => {
  it('flush resolves true once everything logged before it is delivered', async () => {
    vi.useFakeTimers();
    const { transport, release } = gatedTransport();
    const reporter = reporterFor(transport, { maxExportBatchSize: 2 });
    for (let i = 0; i < 3; i++) reporter.log('e', 'info', i);
    const flushed = track(reporter.flush());
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.attempts).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed.value).toBeUndefined(); // the partial batch is in flight now
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed.value).toBe(true);
    expect(transport.records()).toHaveLength(3);
  });

  it('flush resolves false at its timeout and loses nothing', async () => {
    vi.useFakeTimers();
    const { transport, release } = gatedTransport();
    const reporter = reporterFor(transport);
    reporter.log('a', 'info');
    reporter.log('b', 'info');
    const flushed = track(reporter.flush(100));
    await vi.advanceTimersByTimeAsync(99);
    expect(flushed.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(flushed.value).toBe(false);
    expect(expectAccounted(reporter.stats()).inFlight).toBe(2);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(expectAccounted(reporter.stats()).exported).toBe(2);
  });

  it('waitUntilDrained also waits for records logged after the call; flush does not', async () => {
    vi.useFakeTimers();
    const { transport, release } = gatedTransport();
    const reporter = reporterFor(transport);
    reporter.log('before', 'info');
    const drained = track(reporter.waitUntilDrained());
    const flushed = track(reporter.flush());
    await vi.advanceTimersByTimeAsync(0);
    reporter.log('after', 'info');
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed.value).toBe(true);
    expect(drained.value).toBeUndefined();
    expect(transport.attempts).toHaveLength(2); // 'after' went out at once, not after the delay
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(drained.value).toBe(true);
    expect(transport.records<LogRecordJson>().map((r) => r.eventName)).toEqual(['before', 'after']);
    expect(reporter.stats()).toMatchObject({ queued: 0, inFlight: 0 });
  });

  it('waitUntilDrained resolves false at its timeout while records keep coming', async () => {
    vi.useFakeTimers();
    const { transport, release } = gatedTransport();
    const reporter = reporterFor(transport);
    await expect(reporter.waitUntilDrained(10)).resolves.toBe(true); // nothing pending
    const timer = setInterval(() => {
      reporter.log('tick', 'info');
      release();
    }, 100);
    reporter.log('first', 'info');
    const drained = track(reporter.waitUntilDrained(1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(drained.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(drained.value).toBe(false);
    clearInterval(timer);
    expect(expectAccounted(reporter.stats()).exported).toBeGreaterThanOrEqual(9);
  });

  it('stop drains, shuts the transport down once, and is idempotent', async () => {
    const transport = new MemoryTransport();
    const reporter = reporterFor(transport);
    for (let i = 0; i < 3; i++) reporter.log('e', 'info', i);
    const first = reporter.stop();
    reporter.log('late', 'info'); // refused at once, before the drain finished
    expect(reporter.stop(5)).toBe(first);
    expect(await first).toBe(true);
    expect(transport.records()).toHaveLength(3);
    expect(transport.shutdownCalls).toBe(1);
    reporter.logException(new Error('later still'));
    expect(expectAccounted(reporter.stats())).toMatchObject({
      received: 5,
      exported: 3,
      dropped: expect.objectContaining({ already_shutdown: 2 }),
    });
    await expect(reporter.flush()).resolves.toBe(true);
  });

  it('stop(timeoutMillis) gives up at its deadline and counts the rest as shutdown_timeout', async () => {
    vi.useFakeTimers();
    const transport = hungTransport();
    const reporter = reporterFor(transport, { shutdownTimeoutMillis: 30_000 });
    for (let i = 0; i < 3; i++) reporter.log('e', 'info', i);
    const stopped = track(reporter.stop(1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(stopped.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped.value).toBe(false);
    expect(transport.attempts[0]?.context.signal.aborted).toBe(true);
    expect(expectAccounted(reporter.stats())).toMatchObject({
      queued: 0,
      inFlight: 0,
      dropped: expect.objectContaining({ shutdown_timeout: 3 }),
    });
  });

  it('counts records logged after the provider itself was shut down', async () => {
    const diag = captureDiag();
    try {
      const reporter = reporterFor(new MemoryTransport());
      await reporter.loggerProvider.shutdown();
      reporter.log('late', 'info');
      expect(expectAccounted(reporter.stats()).dropped.already_shutdown).toBe(1);
      await expect(reporter.stop()).resolves.toBe(true);
      // the SDK warns when its provider is shut down twice; stop() does not do that
      expect(diag.warn.filter((line) => line.includes('only be called once'))).toEqual([]);
    } finally {
      diag.restore();
    }
  });

  it('rejects a bad timeout with a TypeError and keeps running', async () => {
    const transport = new MemoryTransport();
    const reporter = reporterFor(transport);
    await expect(reporter.flush(-1)).rejects.toThrow(
      new TypeError(
        'timeoutMillis must be an integer number of milliseconds between 0 and 2147483647, got -1',
      ),
    );
    await expect(reporter.waitUntilDrained(Number.NaN)).rejects.toThrow(TypeError);
    await expect(reporter.stop(1.5)).rejects.toThrow('timeoutMillis must be an integer');
    reporter.log('still running', 'info');
    await expect(reporter.stop()).resolves.toBe(true);
    expect(transport.records()).toHaveLength(1);
  });
});

describe('options', () => {
  const transport = new MemoryTransport();
  const exporter = new InMemoryLogRecordExporter();
  it.each([
    [
      'no options',
      undefined,
      'createTelemetryReporter options must be an object with a transport or an exporter, got undefined',
    ],
    [
      'neither transport nor exporter',
      { sdk },
      'createTelemetryReporter needs exactly one of transport and exporter, got neither',
    ],
    [
      'both transport and exporter',
      { transport, exporter, sdk },
      'createTelemetryReporter needs exactly one of transport and exporter, got both',
    ],
    [
      'retry with an exporter',
      { exporter, retry: false, sdk },
      'retry applies to a transport; an exporter encodes, retries and buffers on its own',
    ],
    [
      'an encoder with an exporter',
      { exporter, encoder: { encode: () => ({}) }, sdk },
      'encoder applies to a transport; an exporter encodes, retries and buffers on its own',
    ],
    [
      'a transport without send',
      { transport: {}, sdk },
      'transport must be an object with a send(payload, context) method',
    ],
    [
      'an empty serviceName',
      { transport, sdk, serviceName: '' },
      "serviceName must be a non-empty string, got ''",
    ],
    [
      'a numeric loggerName',
      { transport, sdk, loggerName: 42 },
      'loggerName must be a non-empty string, got 42',
    ],
    [
      'a string resource',
      { transport, sdk, resource: 'checkout' },
      "resource must be an attributes object or an OpenTelemetry Resource, got 'checkout'",
    ],
    [
      'an array resource',
      { transport, sdk, resource: [] },
      'resource must be an attributes object or an OpenTelemetry Resource, got an array',
    ],
    [
      'maxQueueSize 0',
      { transport, sdk, maxQueueSize: 0 },
      'maxQueueSize must be an integer >= 1, got 0',
    ],
    [
      'an unknown overflowPolicy',
      { transport, sdk, overflowPolicy: 'drop_random' },
      'overflowPolicy must be one of',
    ],
    [
      'retry.maxAttempts 0',
      { transport, sdk, retry: { maxAttempts: 0 } },
      'retry.maxAttempts must be an integer >= 1, got 0',
    ],
    [
      'an empty sdk',
      { transport, sdk: {} },
      'sdk lacks logs.LoggerProvider, resources.defaultResource, resources.resourceFromAttributes, resources.detectResources, resources.envDetector',
    ],
    [
      'an sdk without envDetector',
      { transport, sdk: { logs: sdk.logs, resources: { ...sdk.resources, envDetector: 1 } } },
      'sdk lacks resources.envDetector',
    ],
  ])('rejects %s with a TypeError naming the option', (_label, bad, message) => {
    expect(() => createTelemetryReporter(bad as never)).toThrow(TypeError);
    expect(() => createTelemetryReporter(bad as never)).toThrow(message);
  });

  it('refuses a processor that is not one of this package, echoing it (internal guard)', () => {
    const provider = new sdk.logs.LoggerProvider({} as never);
    expect(
      () => new ReporterFacade(provider as never, { stats: () => ({}) } as never, 'x'),
    ).toThrow(
      new TypeError(
        'processor must be a ReporterLogRecordProcessor of this package, got an object',
      ),
    );
  });

  it('passes the batching options to its processor', () => {
    const reporter = reporterFor(new MemoryTransport(), {
      maxQueueSize: 4096,
      maxExportBatchSize: 256,
      scheduledDelayMillis: 200,
      overflowPolicy: 'drop_oldest',
    });
    expect(reporter.processor.options).toMatchObject({
      maxQueueSize: 4096,
      maxExportBatchSize: 256,
      scheduledDelayMillis: 200,
      overflowPolicy: 'drop_oldest',
    });
  });

  it('retries through the transport with its retry options', async () => {
    vi.useFakeTimers();
    let failures = 1;
    const transport = new MemoryTransport(() => {
      if (failures-- > 0) throw new Error('503');
    });
    const reporter = reporterFor(transport, {
      retry: { initialDelayMillis: 100, maxDelayMillis: 100 },
    });
    reporter.log('e', 'info');
    const flushed = track(reporter.flush());
    await vi.advanceTimersByTimeAsync(100);
    expect(flushed.value).toBe(true);
    expect(expectAccounted(reporter.stats())).toMatchObject({ exported: 1, retries: 1 });
  });

  it('ships through any OpenTelemetry exporter instead of a transport', async () => {
    const memory = new InMemoryLogRecordExporter();
    const reporter = createTelemetryReporter({ exporter: memory, sdk, loggerName: 'billing' });
    reporter.log('invoice.sent', 'info', { id: 'inv-1' });
    expect(await reporter.flush()).toBe(true);
    const [record] = memory.getFinishedLogRecords();
    expect(record).toMatchObject({
      eventName: 'invoice.sent',
      body: { id: 'inv-1' },
      instrumentationScope: { name: 'billing' },
    });
  });
});

describe('resource', () => {
  async function resourceOf(options: Partial<TelemetryReporterOptions>) {
    const memory = new InMemoryLogRecordExporter();
    const reporter = createTelemetryReporter({ exporter: memory, sdk, ...options } as never);
    reporter.log('e', 'info');
    await reporter.flush();
    return memory.getFinishedLogRecords()[0]?.resource.attributes;
  }

  it('merges the default, the attributes given, the environment and serviceName, as NodeSDK does', async () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'team=payments,deployment.environment.name=staging');
    const resource = { 'deployment.environment.name': 'code', 'cloud.region': 'eu-west-1' };
    expect(await resourceOf({ resource })).toMatchObject({
      'service.name': 'from-env',
      'deployment.environment.name': 'staging',
      'cloud.region': 'eu-west-1',
      team: 'payments',
      'telemetry.sdk.language': 'nodejs',
    });
    expect(await resourceOf({ resource, serviceName: 'checkout' })).toMatchObject({
      'service.name': 'checkout',
    });
  });

  it('defaults to the SDK default resource', async () => {
    expect(await resourceOf({})).toMatchObject({
      'service.name': expect.stringMatching(/^unknown_service/),
      'telemetry.sdk.name': 'opentelemetry',
    });
  });

  it('uses an OpenTelemetry Resource in place of the default', async () => {
    const attributes = await resourceOf({
      resource: resourceFromAttributes({ 'service.name': 'given' }),
    });
    expect(attributes).toEqual({ 'service.name': 'given' });
  });
});
