import { describe, expect, it } from 'vitest';
import {
  createHttpTransport,
  HTTP_TRANSPORT_DEFAULTS,
  type HttpTransportOptions,
} from '../src/index.js';

const url = 'https://collector.example.com/v1/logs';

function create(options: unknown): unknown {
  return createHttpTransport(options as HttpTransportOptions);
}

describe('createHttpTransport options', () => {
  it('has documented defaults', () => {
    expect(HTTP_TRANSPORT_DEFAULTS).toEqual({
      method: 'POST',
      compression: 'none',
      timeoutMillis: 10_000,
      userAgent: expect.stringMatching(/^telemetry-reporter\/\d+\.\d+\.\d+/),
      thread: 'main',
    });
    expect(Object.isFrozen(HTTP_TRANSPORT_DEFAULTS)).toBe(true);
  });

  it('accepts a URL object and shows the URL redacted', () => {
    const transport = createHttpTransport({ url: new URL('https://u:p@h.example/x?k=v') });
    expect(transport.url).toBe('https://[REDACTED]@h.example/x?k=[REDACTED]');
  });

  it.each([
    [undefined, 'createHttpTransport options must be an object with a url, got undefined'],
    [{}, 'url must be an absolute http: or https: URL, got undefined'],
    [{ url: 42 }, 'url must be an absolute http: or https: URL, got 42'],
    [{ url: '/v1/logs' }, "url must be an absolute http: or https: URL, got '/v1/logs'"],
    [{ url: 'ftp://host/x' }, "url must be an absolute http: or https: URL, got 'ftp://host/x'"],
    [{ url, method: 'GET' }, "method must be one of 'POST', 'PUT', 'PATCH', got 'GET'"],
    [{ url, compression: 'br' }, "compression must be one of 'gzip', 'none', got 'br'"],
    [
      { url, timeoutMillis: 0 },
      'timeoutMillis must be an integer number of milliseconds between 1 and 2147483647, got 0',
    ],
    [
      { url, timeoutMillis: 1.5 },
      'timeoutMillis must be an integer number of milliseconds between 1 and 2147483647, got 1.5',
    ],
    [
      { url, timeoutMillis: '1000' },
      "timeoutMillis must be an integer number of milliseconds between 1 and 2147483647, got '1000'",
    ],
    [
      { url, contentType: '' },
      "contentType must be a non-empty string of Latin-1 characters without CR, LF or NUL, got ''",
    ],
    [
      { url, userAgent: 'a\nb' },
      "userAgent must be a non-empty string of Latin-1 characters without CR, LF or NUL, got 'a\nb'",
    ],
    [{ url, fetch: 'fetch' }, "fetch must be a function, got 'fetch'"],
    [{ url, thread: 'fiber' }, "thread must be one of 'main', 'worker', 'auto', got 'fiber'"],
    [
      { url, thread: 'worker', fetch: globalThis.fetch },
      "thread 'worker' sends with the transport's own client in a worker thread and cannot use the fetch option; leave out one of them",
    ],
    [
      { url, headers: ['authorization', 'x'] },
      'headers must be an object of header names to string values, or a function returning one, got an array',
    ],
    [{ url, headers: { 'bad name': 'x' } }, "headers has an invalid header name 'bad name'"],
    [
      { url, headers: { 'Content-Length': '10' } },
      "headers['Content-Length'] is set by the transport itself; remove it",
    ],
    [
      { url, headers: { 'content-encoding': 'br' } },
      "headers['content-encoding'] is set by the transport itself; remove it",
    ],
    [
      { url, headers: { Authorization: 'a', authorization: 'b' } },
      "headers has the header 'authorization' twice (header names are case-insensitive)",
    ],
    [
      { url, headers: { 'x-api-key': 42 } },
      "headers['x-api-key'] must be a string of Latin-1 characters without CR, LF or NUL, got a value of type number",
    ],
  ])('rejects %o: %s', (options, message) => {
    expect(() => create(options)).toThrow(new TypeError(message));
  });

  it.each([['Bearer s3cr3t\r\nx-injected: 1'], ['Bearer s3cr3t\u0000'], ['Bearer s3cr3t\u2028']])(
    'names a bad header value without echoing it (%j)',
    (value) => {
      let error: unknown;
      try {
        create({ url, headers: { authorization: value } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe(
        "headers['authorization'] must be a string of Latin-1 characters without CR, LF or NUL, got a string with a forbidden character",
      );
    },
  );

  it.each([
    ['ftp://admin:hunter2@collector.example.com/v1/logs'],
    ['ftp://admin:hunter2@collector.example.com/v1/logs?api_key=abc123'],
    ['https//admin:hunter2@collector.example.com?token=abc123'],
  ])('never echoes URL credentials or query values in a URL error (%s)', (shown) => {
    let message = '';
    try {
      create({ url: shown });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^url must be an absolute http: or https: URL, got '/);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('abc123');
    expect(message).toContain('[REDACTED]');
  });
});
