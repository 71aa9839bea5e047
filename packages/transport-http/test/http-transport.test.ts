import { gunzipSync } from 'node:zlib';
import {
  isPayloadTooLargeError,
  isPermanentError,
  isRetryableError,
  type RetryableError,
  type SendContext,
} from '@telemetry-reporter/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpRequestError, type HttpTransportOptions, VERSION } from '../src/index.js';
import { CLIENTS, type ClientOptions, createTransportOver } from './helpers/clients.js';
import { refusedUrl, TestServer } from './helpers/test-server.js';

let server: TestServer;

beforeEach(async () => {
  server = await TestServer.start();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.stop();
});

function context(signal: AbortSignal = new AbortController().signal): SendContext {
  return { signal, attempt: 1, recordCount: 1 };
}

let client: ClientOptions = {};

function transport(options: Partial<HttpTransportOptions> = {}) {
  return createTransportOver(client, { url: server.url(), ...options });
}

/** The rejection of `promise`; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

function httpCause(error: Error): HttpRequestError {
  expect(error.cause).toBeInstanceOf(HttpRequestError);
  return error.cause as HttpRequestError;
}

describe.each(CLIENTS)('over %s', (_name, clientOptions) => {
  beforeEach(() => {
    client = clientOptions;
  });

  describe('a 2xx answer', () => {
    it('delivers: one POST with the payload, content-type and user-agent', async () => {
      await transport().send('[{"n":1}]', context());
      expect(server.requests).toHaveLength(1);
      const [request] = server.requests;
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/v1/logs');
      expect(request?.body.toString()).toBe('[{"n":1}]');
      expect(request?.headers['content-type']).toBe('application/json');
      expect(request?.headers['user-agent']).toBe(`telemetry-reporter/${VERSION}`);
    });

    it.each([200, 202, 204])('treats %i as delivered', async (status) => {
      server.replies.push({ status });
      await expect(transport().send('[]', context())).resolves.toBeUndefined();
    });

    it('sends bytes as application/octet-stream unless told otherwise', async () => {
      await transport().send(new Uint8Array([1, 2, 3]), context());
      await transport({ contentType: 'application/x-protobuf' }).send(
        new Uint8Array([4]),
        context(),
      );
      expect(server.requests.map((r) => r.headers['content-type'])).toEqual([
        'application/octet-stream',
        'application/x-protobuf',
      ]);
      expect([...(server.requests[0]?.body ?? [])]).toEqual([1, 2, 3]);
    });

    it('labels a payload with the content type its encoder states, unless the option says otherwise', async () => {
      const json = { ...context(), contentType: 'application/json' };
      await transport().send(new Uint8Array([0x5b, 0x5d]), json);
      await transport({ contentType: 'application/x-ndjson' }).send('{}\n', json);
      // A value no header may carry falls back to the payload's kind, and the request goes out.
      await transport().send(new Uint8Array([1]), { ...context(), contentType: 'bad\r\nvalue' });
      expect(server.requests.map((r) => r.headers['content-type'])).toEqual([
        'application/json',
        'application/x-ndjson',
        'application/octet-stream',
      ]);
      expect(transport().acceptsBytes).toBe(true);
    });

    it('says it keeps no payload past a send, except through a fetch function', () => {
      // fetch may still be writing a body when its response arrives: nothing tells us when not.
      expect(transport().releasesPayload).toBe(client.fetch === undefined);
      expect(transport({ fetch: globalThis.fetch }).releasesPayload).toBe(false);
    });

    it('uses the method, user agent and headers it is given; headers win', async () => {
      await transport({
        method: 'PUT',
        userAgent: 'checkout/2.0',
        headers: { 'X-Tenant': 'acme', 'Content-Type': 'application/x-ndjson' },
      }).send('{}\n', context());
      const [request] = server.requests;
      expect(request?.method).toBe('PUT');
      expect(request?.headers['user-agent']).toBe('checkout/2.0');
      expect(request?.headers['x-tenant']).toBe('acme');
      expect(request?.headers['content-type']).toBe('application/x-ndjson');
    });

    it('sends the batch id as idempotency-key, the same on every attempt; none without one', async () => {
      const batchId = '0123456789abcdef0123456789abcdef';
      const http = transport();
      await http.send('[]', { ...context(), batchId });
      await http.send('[]', { ...context(), attempt: 2, batchId });
      await http.send('[]', context());
      // not an id (a caller's mistake): not sent rather than sent malformed
      await http.send('[]', { ...context(), batchId: 'x\r\ninjected: 1' });
      expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual([
        batchId,
        batchId,
        undefined,
        undefined,
      ]);
    });

    it('reads a successful body to its end, so the connection is reused', async () => {
      server.responder = () => ({ status: 200, body: '{"partialSuccess":{}}'.repeat(100) });
      const http = transport();
      for (let i = 0; i < 3; i++) {
        await http.send('[]', context());
        // undici hands the socket back to its pool a tick after the body ended
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(server.requests).toHaveLength(3);
      expect(server.connections).toBe(1);
    });
  });

  describe('gzip', () => {
    it('compresses the body and says so', async () => {
      const payload = JSON.stringify(
        Array.from({ length: 200 }, (_, i) => ({ n: i, text: 'same' })),
      );
      await transport({ compression: 'gzip' }).send(payload, context());
      const [request] = server.requests;
      expect(request?.headers['content-encoding']).toBe('gzip');
      expect(request?.rawBody.length).toBeLessThan(payload.length / 4);
      expect(gunzipSync(request?.rawBody ?? Buffer.alloc(0)).toString()).toBe(payload);
    });
  });

  describe('retryable answers', () => {
    it.each([408, 429, 500, 502, 503, 504, 507, 522])('%i is retryable', async (status) => {
      server.replies.push({ status });
      const error = await rejection(transport().send('[]', context()));
      expect(isRetryableError(error)).toBe(true);
      expect(error.message).toContain(`HTTP ${status}`);
      expect(httpCause(error)).toMatchObject({ code: 'TR_HTTP_STATUS', status, method: 'POST' });
    });

    it('carries Retry-After in seconds', async () => {
      server.replies.push({ status: 429, headers: { 'retry-after': '2' } });
      const error = await rejection(transport().send('[]', context()));
      expect((error as RetryableError).retryAfterMillis).toBe(2000);
      expect(httpCause(error).retryAfterMillis).toBe(2000);
    });

    it('carries Retry-After given as an HTTP date', async () => {
      // The clock stands still on a whole second (HTTP dates have no milliseconds), so the wait
      // is exact, however long the request takes on a loaded machine; timers stay real.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2030-05-01T12:00:00.000Z'));
      const at = new Date(Date.now() + 5000);
      server.replies.push({ status: 503, headers: { 'retry-after': at.toUTCString() } });
      const error = await rejection(transport().send('[]', context()));
      expect((error as RetryableError).retryAfterMillis).toBe(5000);
    });

    it('ignores a malformed Retry-After', async () => {
      server.replies.push({ status: 503, headers: { 'retry-after': 'soon' } });
      const error = await rejection(transport().send('[]', context()));
      expect((error as RetryableError).retryAfterMillis).toBeUndefined();
    });
  });

  describe('permanent answers', () => {
    it.each([400, 401, 403, 404, 422, 501])('%i is permanent', async (status) => {
      server.replies.push({ status });
      const error = await rejection(transport().send('[]', context()));
      expect(isPermanentError(error)).toBe(true);
      expect(isPayloadTooLargeError(error)).toBe(false);
      expect(httpCause(error).status).toBe(status);
    });

    it('quotes the start of a textual error body', async () => {
      server.replies.push({
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: 'field "ts" is required', padding: 'x'.repeat(5000) }),
      });
      const error = await rejection(transport().send('[]', context()));
      expect(error.message).toContain('field \\"ts\\" is required');
      expect(httpCause(error).responseBody?.length).toBeLessThanOrEqual(259);
    });

    it('does not quote a binary error body', async () => {
      server.replies.push({
        status: 400,
        headers: { 'content-type': 'application/x-protobuf' },
        body: '\u0008\u0003\u0012\u0004oops',
      });
      const error = await rejection(transport().send('[]', context()));
      expect(httpCause(error).responseBody).toBeUndefined();
      expect(error.message).toBe(`HTTP 400 Bad Request from POST ${server.url()}`);
    });

    it('413 asks the delivery to split the batch', async () => {
      server.replies.push({ status: 413 });
      const error = await rejection(transport().send('[]', context()));
      expect(isPayloadTooLargeError(error)).toBe(true);
    });

    it('does not follow a redirect: it could carry credentials elsewhere', async () => {
      const elsewhere = await TestServer.start();
      try {
        server.replies.push({ status: 307, headers: { location: elsewhere.url() } });
        const error = await rejection(
          transport({ headers: { 'x-api-key': 'k' } }).send('[]', context()),
        );
        expect(isPermanentError(error)).toBe(true);
        expect(error.message).toContain('redirects are not followed');
        expect(elsewhere.requests).toHaveLength(0);
      } finally {
        await elsewhere.stop();
      }
    });
  });

  describe('no answer', () => {
    it('a refused connection is retryable and names the code', async () => {
      const url = await refusedUrl();
      const error = await rejection(createTransportOver(client, { url }).send('[]', context()));
      expect(isRetryableError(error)).toBe(true);
      expect(error.message).toContain('ECONNREFUSED');
      expect(httpCause(error)).toMatchObject({
        code: 'TR_HTTP_NETWORK',
        networkCode: 'ECONNREFUSED',
      });
    });

    it('a connection reset before the answer is retryable', async () => {
      server.responder = () => 'hang';
      const http = transport();
      const sent = rejection(http.send('[]', context()));
      await server.requestsReceived(1);
      await server.stop(); // destroys the socket under the waiting request
      const error = await sent;
      expect(isRetryableError(error)).toBe(true);
      expect(httpCause(error).code).toBe('TR_HTTP_NETWORK');
      server = await TestServer.start(); // for afterEach
    });

    it('an attempt past timeoutMillis is aborted, retryable, and its socket closed', async () => {
      // The attempt's timer on the fake clock, the request real: a loaded machine can stretch
      // neither the wait nor the check that the attempt lasted its whole timeout.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      server.responder = () => 'hang';
      let settled = false;
      const sent = rejection(transport({ timeoutMillis: 200 }).send('[]', context())).finally(
        () => {
          settled = true;
        },
      );
      await server.requestsReceived(1);
      await vi.advanceTimersByTimeAsync(199);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await sent;
      expect(isRetryableError(error)).toBe(true);
      expect(error.message).toContain('timed out after 200 ms');
      expect(httpCause(error).code).toBe('TR_HTTP_TIMEOUT');
      await server.socketsClosed(1);
    });

    it('the caller aborting rejects with its reason and closes the socket', async () => {
      server.responder = () => 'hang';
      const controller = new AbortController();
      const sent = rejection(transport().send('[]', context(controller.signal)));
      await server.requestsReceived(1);
      const reason = new Error('export deadline');
      controller.abort(reason);
      expect(await sent).toBe(reason);
      await server.socketsClosed(1);
    });

    it('an already aborted signal sends nothing', async () => {
      const reason = new Error('too late');
      await expect(transport().send('[]', context(AbortSignal.abort(reason)))).rejects.toBe(reason);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('headers as a function', () => {
    it('is called before every attempt, for tokens that rotate', async () => {
      let token = 0;
      const http = transport({ headers: async () => ({ authorization: `Bearer t${++token}` }) });
      await http.send('[]', context());
      await http.send('[]', context());
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([
        'Bearer t1',
        'Bearer t2',
      ]);
    });

    it('a throwing function makes the attempt retryable, summarised, never attached', async () => {
      const failure = Object.assign(new Error('token service down'), {
        code: 'ETOKEN',
        cause: new Error('upstream said: refresh_token=r3fr3sh'),
      });
      const error = await rejection(
        transport({
          headers: () => {
            throw failure;
          },
        }).send('[]', context()),
      );
      expect(isRetryableError(error)).toBe(true);
      // the innermost message and the code, as for a network failure; no foreign error in the chain
      expect(error.message).toBe(
        `POST ${server.url()}: the headers function threw: upstream said: refresh_token=r3fr3sh (ETOKEN)`,
      );
      expect(httpCause(error).code).toBe('TR_HTTP_HEADERS');
      expect(httpCause(error).cause).toBeUndefined();
      expect(server.requests).toHaveLength(0);
    });

    it('scrubs the tokens it returned before from the message of a later throw', async () => {
      let calls = 0;
      const http = transport({
        headers: () => {
          if (++calls === 1) return { authorization: 'Bearer 0ld-t0k3n' };
          throw new Error('could not refresh Bearer 0ld-t0k3n');
        },
      });
      await http.send('[]', context());
      const error = await rejection(http.send('[]', context()));
      expect(error.message).toContain('could not refresh [REDACTED]'); // the whole header value
      expect(error.message).not.toContain('0ld-t0k3n');
    });

    it('a function that never settles fails the attempt at timeoutMillis, retryable', async () => {
      const error = await rejection(
        transport({ headers: () => new Promise(() => {}), timeoutMillis: 50 }).send(
          '[]',
          context(),
        ),
      );
      expect(isRetryableError(error)).toBe(true);
      expect(error.message).toBe(
        `POST ${server.url()}: the headers function did not settle within 50 ms (timeoutMillis)`,
      );
      expect(httpCause(error).code).toBe('TR_HTTP_HEADERS');
      expect(server.requests).toHaveLength(0);
    });

    it('a function that never settles gives way to the export deadline, with its reason', async () => {
      const controller = new AbortController();
      const sent = rejection(
        transport({ headers: () => new Promise(() => {}) }).send('[]', context(controller.signal)),
      );
      const reason = new Error('export deadline');
      controller.abort(reason);
      expect(await sent).toBe(reason);
    });

    it('a function that never settles gives way to shutdown, permanently', async () => {
      const http = transport({ headers: () => new Promise(() => {}) });
      const sent = rejection(http.send('[]', context()));
      await http.shutdown();
      const error = await sent;
      expect(isPermanentError(error)).toBe(true);
      expect(error.message).toContain('the transport was shut down');
    });

    it('an invalid result is permanent and names the header, not its value', async () => {
      const error = await rejection(
        transport({ headers: () => ({ authorization: 'Bearer abc\r\nx-evil: 1' }) }).send(
          '[]',
          context(),
        ),
      );
      expect(isPermanentError(error)).toBe(true);
      expect(error.message).toContain("headers()['authorization']");
      expect(error.message).not.toContain('abc');
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('shutdown', () => {
    it('aborts requests in flight and refuses later sends', async () => {
      server.responder = () => 'hang';
      const http = transport();
      const sent = rejection(http.send('[]', context()));
      await server.requestsReceived(1);
      await http.shutdown();
      expect(isPermanentError(await sent)).toBe(true);
      await server.socketsClosed(1);
      const later = await rejection(http.send('[]', context()));
      expect(later.message).toContain('shut down');
      expect(server.requests).toHaveLength(1);
    });
  });
});
