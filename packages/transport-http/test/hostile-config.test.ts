import {
  BatchEngine,
  createJsonEncoder,
  MAX_TIMER_MILLIS,
  PermanentError,
  type SendContext,
  TransportDelivery,
  unaccountedRecords,
} from '@telemetry-reporter/core';
import { timeToSettle } from '@telemetry-reporter-internal/test-kit/fault-model';
import {
  casesFor,
  HOSTILE_VALUES,
  isValid,
} from '@telemetry-reporter-internal/test-kit/hostile-values';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHttpTransport,
  type FetchFunction,
  type HttpTransport,
  type HttpTransportOptions,
} from '../src/index.js';

// Hostile configuration of createHttpTransport: every option gets values out of range, of the
// wrong type, or that only look valid. Each is refused with a TypeError naming the option (a
// header value never echoed: it may be a secret), or accepted; an accepted one must never make
// a send hang or throw anything but the documented errors. No network: `fetch` is a stub.

const url = 'https://collector.example.com/v1/logs';
const SECRET = 'Bearer s3cr3t-t0ken';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function create(options: unknown): HttpTransport {
  return createHttpTransport(options as HttpTransportOptions);
}

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

const ok: FetchFunction = async () => new Response(null, { status: 204 });

/** A fetch that never answers until its signal aborts, as fetch does then. */
const hangingFetch: FetchFunction = (_url, init) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = init.signal as AbortSignal;
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/**
 * Five records through an engine and a retrying delivery to `transport`: flush and shutdown must
 * settle within the deadlines, every record accounted for, no timer left.
 */
async function expectLifecycle(transport: HttpTransport): Promise<void> {
  const delivery = new TransportDelivery<number, string>({
    transport,
    encoder: createJsonEncoder<number>(),
    retry: { maxAttempts: 3, initialDelayMillis: 10, maxDelayMillis: 100 },
  });
  const engine = new BatchEngine<number>({
    exportBatch: (batch, context) => delivery.deliver(batch, context),
    onShutdown: () => delivery.shutdown(),
    exportTimeoutMillis: 1000,
    shutdownTimeoutMillis: 1000,
  });
  for (let i = 0; i < 5; i++) engine.offer(i);
  expect(await timeToSettle(() => engine.flush(), 1000)).toBeDefined();
  expect(await timeToSettle(() => engine.shutdown(), 1000)).toBeDefined();
  const stats = engine.stats();
  expect(unaccountedRecords(stats)).toBe(0);
  expect(stats).toMatchObject({ received: 5, queued: 0, inFlight: 0 });
  expect(vi.getTimerCount()).toBe(0);
}

describe('options', () => {
  it.each(HOSTILE_VALUES.map((h) => [h.label, h] as const))(
    'refuses options %s',
    (_label, { value, echo }) => {
      const expected =
        typeof value === 'object' && value !== null
          ? 'url must be an absolute http: or https: URL, got undefined'
          : `createHttpTransport options must be an object with a url, got ${echo}`;
      expect(typeErrorOf(() => create(value))).toBe(expected);
    },
  );
});

describe('url', () => {
  it.each([
    ...HOSTILE_VALUES.map((h): [string, unknown, string] => [h.label, h.value, h.echo]),
    ['a blank string', ' ', "' '"],
    ['a scheme alone', 'http://', "'http://'"],
    ['a relative URL', '/v1/logs', "'/v1/logs'"],
    ['a file URL', 'file:///etc/passwd', "'file:///etc/passwd'"],
    ['a javascript URL', 'javascript:alert(1)', "'javascript:alert(1)'"],
    ['a websocket URL', 'ws://collector.example.com', "'ws://collector.example.com/'"],
    ['a URL object of another scheme', new URL('ftp://host/x'), "'ftp://host/x'"],
    ['a String object', new String(url), 'an object'],
  ])('refuses %s', (_label, value, echo) => {
    expect(typeErrorOf(() => create({ url: value }))).toBe(
      `url must be an absolute http: or https: URL, got ${echo}`,
    );
  });

  it('refuses a URL of another scheme without echoing its credentials', () => {
    const message = typeErrorOf(() => create({ url: 'ftp://admin:hunter2@host/x?token=abc' }));
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('abc');
  });

  it.each([
    ['upper-case scheme and host', 'HTTPS://COLLECTOR.EXAMPLE.COM/v1/logs'],
    ['credentials', 'https://admin:hunter2@collector.example.com/v1/logs'],
    ['an IPv6 host and a port', 'http://[::1]:4318/v1/logs'],
    ['a fragment', 'https://collector.example.com/v1/logs#frag'],
    ['a URL object', new URL(url)],
  ])('accepts %s, and sends still settle', async (_label, value) => {
    await expectLifecycle(create({ url: value, fetch: ok }));
  });
});

describe('timeoutMillis', () => {
  const cases = casesFor('millis1');

  it.each(cases.filter(([, value]) => !isValid('millis1', value)))(
    'refuses %s with a TypeError naming it and echoing the value',
    (_label, value, echo) => {
      const message = typeErrorOf(() => create({ url, timeoutMillis: value }));
      expect(message).toBe(
        `timeoutMillis must be an integer number of milliseconds between 1 and ${MAX_TIMER_MILLIS}, got ${echo}`,
      );
    },
  );

  it.each(cases.filter(([, value]) => isValid('millis1', value)))(
    'accepts %s, and a backend that never answers is still cut by the export deadline',
    async (_label, value) => {
      await expectLifecycle(create({ url, timeoutMillis: value, fetch: hangingFetch }));
      await expectLifecycle(create({ url, timeoutMillis: value, fetch: ok }));
    },
  );
});

describe.each([
  ['method', "'POST', 'PUT', 'PATCH'", ['post', 'GET', 'DELETE', ' POST']],
  ['compression', "'gzip', 'none'", ['GZIP', 'br', 'deflate', 'true']],
] as const)('%s', (option, allowed, words) => {
  it.each([
    ...HOSTILE_VALUES.map((h): [string, unknown, string] => [h.label, h.value, h.echo]),
    ...words.map((w): [string, unknown, string] => [`'${w}'`, w, `'${w}'`]),
  ])('refuses %s', (_label, value, echo) => {
    expect(typeErrorOf(() => create({ url, [option]: value }))).toBe(
      `${option} must be one of ${allowed}, got ${echo}`,
    );
  });
});

describe.each(['contentType', 'userAgent'])('%s', (option) => {
  it.each([
    ...HOSTILE_VALUES.filter((h) => h.value !== '10').map((h): [string, unknown, string] => [
      h.label,
      h.value,
      h.echo,
    ]),
    ['blank', '   ', "'   '"],
    ['a line break', 'a\r\nx-injected: 1', "'a\r\nx-injected: 1'"],
    ['a NUL', 'a\u0000b', "'a\u0000b'"],
    ['non-Latin-1 text', 'agent/\u2603', "'agent/\u2603'"],
  ])('refuses %s', (_label, value, echo) => {
    expect(typeErrorOf(() => create({ url, [option]: value }))).toBe(
      `${option} must be a non-empty string of Latin-1 characters without CR, LF or NUL, got ${echo}`,
    );
  });

  it('accepts any other non-empty string, and sends still settle', async () => {
    await expectLifecycle(create({ url, [option]: '10', fetch: ok }));
  });
});

describe('fetch', () => {
  it.each(
    HOSTILE_VALUES.filter((h) => typeof h.value !== 'function').map((h) => [h.label, h] as const),
  )('refuses %s', (_label, { value, echo }) => {
    expect(typeErrorOf(() => create({ url, fetch: value }))).toBe(
      `fetch must be a function, got ${echo}`,
    );
  });

  it.each<[string, FetchFunction]>([
    [
      'throws synchronously',
      () => {
        throw new TypeError('fetch exploded');
      },
    ],
    ['resolves to something that is no Response', async () => 42 as never],
    ['resolves to undefined', async () => undefined as never],
  ])('a fetch that %s fails the send, never the process', async (_label, fetch) => {
    await expectLifecycle(create({ url, fetch }));
  });
});

describe('headers', () => {
  it.each([
    ...HOSTILE_VALUES.filter((h) => typeof h.value !== 'function' && h.echo !== 'an object').map(
      (h): [string, unknown, string] => [h.label, h.value, h.echo],
    ),
    ['a Headers instance', new Headers({ authorization: SECRET }), 'a Headers'],
    ['a Map', new Map([['authorization', SECRET]]), 'a Map'],
  ])('refuses %s, without echoing any header value', (_label, value, echo) => {
    const message = typeErrorOf(() => create({ url, headers: value }));
    expect(message).toBe(
      `headers must be an object of header names to string values, or a function returning one, got ${echo}`,
    );
    expect(message).not.toContain(SECRET);
  });

  it.each(
    HOSTILE_VALUES.filter((h) => typeof h.value !== 'string').map((h) => [h.label, h] as const),
  )(
    'refuses a header value that is %s, naming the header and its type only',
    (_label, { value }) => {
      const message = typeErrorOf(() => create({ url, headers: { authorization: value } }));
      expect(message).toMatch(
        /^headers\['authorization'\] must be a string of Latin-1 characters without CR, LF or NUL, got a value of type \w+$/,
      );
    },
  );

  it.each([
    ['a line break', `${SECRET}\r\nx-injected: 1`],
    ['a NUL', `${SECRET}\u0000`],
    ['non-Latin-1 text', `${SECRET}\u2603`],
  ])('refuses a header value with %s without echoing it', (_label, value) => {
    const message = typeErrorOf(() => create({ url, headers: { authorization: value } }));
    expect(message).toBe(
      "headers['authorization'] must be a string of Latin-1 characters without CR, LF or NUL, got a string with a forbidden character",
    );
    expect(message).not.toContain('s3cr3t');
  });

  it.each([
    ...HOSTILE_VALUES.filter((h) => h.echo !== 'an object').map((h): [string, unknown] => [
      h.label,
      h.value,
    ]),
    ['a Headers instance', new Headers({ authorization: SECRET })],
    ['an object with a bad value', { authorization: `${SECRET}\n` }],
  ])(
    'a headers() function that returns %s fails the send as a PermanentError, never echoing values',
    async (_label, value) => {
      const transport = create({ url, fetch: ok, headers: () => value as never });
      const context: SendContext = {
        signal: new AbortController().signal,
        attempt: 1,
        recordCount: 1,
      };
      const error = await transport.send('[]', context).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PermanentError);
      expect(String((error as Error).message)).not.toContain('s3cr3t');
      await expectLifecycle(transport);
    },
  );
});
