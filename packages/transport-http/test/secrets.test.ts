import { inspect } from 'node:util';
import type { SendContext } from '@telemetry-reporter/core';
import { captureDiag, type DiagCapture } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpTransportOptions } from '../src/index.js';
import { logPipeline } from './helpers/log-pipeline.js';
import { refusedUrl, TestServer } from './helpers/test-server.js';

// Header values and URL credentials must never reach an error (message, properties, cause
// chain), diag output or stats, whatever fails: a refusing server that even echoes them back,
// or no server at all.

const TOKEN = 'Bearer s3cr3t-token';
const API_KEY = 'k3y-0f-mine';
const USER = 'admin';
const PASSWORD = 'hunter2-pw';
const QUERY_KEY = 'q-s3cret-key';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS = ['s3cr3t-token', API_KEY, PASSWORD, QUERY_KEY, BASIC, `${USER}:`];

let server: TestServer;
let diag: DiagCapture;

beforeEach(async () => {
  server = await TestServer.start();
  diag = captureDiag();
});

afterEach(async () => {
  diag.restore();
  await server.stop();
});

function secretUrl(base: string): string {
  const url = new URL(base);
  url.username = USER;
  url.password = PASSWORD;
  url.search = `?api_key=${QUERY_KEY}&dataset=prod`;
  return url.href;
}

function options(base: string): HttpTransportOptions {
  return { url: secretUrl(base), headers: { authorization: TOKEN, 'x-api-key': API_KEY } };
}

/** Everything an error exposes: message, stack, own properties, and the same for each cause. */
function exposed(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true }), String(error)];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(Object.entries(e)));
  }
  return parts.join('\n');
}

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const context = (): SendContext => ({
  signal: new AbortController().signal,
  attempt: 1,
  recordCount: 1,
});

describe('a refused request', () => {
  beforeEach(() => {
    // A hostile server: echoes every credential it got into a textual error body.
    server.responder = (request) => ({
      status: 401,
      headers: { 'content-type': 'text/plain' },
      body: `denied: ${request.headers.authorization} ${request.headers['x-api-key']} ${request.url}`,
    });
  });

  it('sends the credentials, and its error holds none of them', async () => {
    const transport = createHttpTransport(options(server.url()));
    const error = await transport.send('[]', context()).catch((e: unknown) => e);
    // the server did get them: the explicit header wins over URL credentials
    expect(server.requests[0]?.headers.authorization).toBe(TOKEN);
    expect(server.requests[0]?.headers['x-api-key']).toBe(API_KEY);
    expect(server.requests[0]?.url).toBe(`/v1/logs?api_key=${QUERY_KEY}&dataset=prod`);
    const text = exposed(error);
    expect(text).toContain('HTTP 401');
    expect(text).toContain('denied: [REDACTED] [REDACTED]');
    expectNoSecrets(text);
    expect(transport.url).toBe(
      `http://[REDACTED]@127.0.0.1:${server.port}/v1/logs?api_key=[REDACTED]&dataset=[REDACTED]`,
    );
  });

  it('neither diag output nor stats hold them', async () => {
    const { processor, provider, emit } = logPipeline({
      transport: createHttpTransport(options(server.url())),
    });
    emit(5);
    await provider.forceFlush();
    expect(processor.stats().dropped.rejected).toBe(5);
    expect(diag.warn.join('\n')).toContain('5 records rejected');
    expect(diag.all.join('\n')).toContain('HttpRequestError'); // the sweep sees the cause chain
    expectNoSecrets(diag.all.join('\n'));
    expectNoSecrets(JSON.stringify(processor.stats()));
    await provider.shutdown();
  });

  it('tokens from a headers function are scrubbed too', async () => {
    let n = 0;
    const transport = createHttpTransport({
      url: server.url(),
      headers: () => ({ authorization: `Bearer rotating-${++n}-s3cr3t` }),
    });
    const error = await transport.send('[]', context()).catch((e: unknown) => e);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer rotating-1-s3cr3t');
    expect(exposed(error)).not.toContain('rotating-1-s3cr3t');
  });
});

describe('a headers function that throws', () => {
  it('is summarised, scrubbed of the tokens it returned before, and never attached', async () => {
    const token = 'Bearer rotating-s3cr3t-token';
    let calls = 0;
    const transport = createHttpTransport({
      url: server.url(),
      headers: () => {
        if (++calls === 1) return { authorization: token };
        // a token client's error: the token in its message, a property and its cause
        throw Object.assign(new Error(`refresh failed for ${token}`), {
          token,
          cause: new Error(`expired: ${token}`),
        });
      },
    });
    await transport.send('[]', context());
    const error = await transport.send('[]', context()).catch((e: unknown) => e);
    expect((error as Error).message).toContain('the headers function threw: expired: [REDACTED]');
    expect(exposed(error)).not.toContain('rotating-s3cr3t-token');
  });
});

describe('scrubbing', () => {
  it('leaves values too short to be credentials alone, so messages stay readable', async () => {
    const url = new URL(await refusedUrl());
    url.search = '?v=1&region=eu';
    const error = await createHttpTransport({ url: url.href, headers: { 'x-shard': '7' } })
      .send('[]', context())
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(`connect ECONNREFUSED 127.0.0.1:${url.port}`);
  });
});

describe('URL credentials', () => {
  it('are sent as a Basic authorization header when no header overrides them', async () => {
    const transport = createHttpTransport({ url: secretUrl(server.url()) });
    await transport.send('[]', context());
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(server.requests[0]?.url).not.toContain(PASSWORD);
  });
});

describe('no server at all', () => {
  it('a refused connection: the error, its causes and diag hold no secret', async () => {
    const url = await refusedUrl();
    const error = await createHttpTransport(options(url))
      .send('[]', context())
      .catch((e: unknown) => e);
    const text = exposed(error);
    expect(text).toContain('ECONNREFUSED');
    expectNoSecrets(text);

    const { processor, provider, emit } = logPipeline({
      transport: createHttpTransport(options(url)),
      retry: { maxAttempts: 2, initialDelayMillis: 1, maxDelayMillis: 5 },
    });
    emit(3);
    await provider.forceFlush();
    expect(processor.stats().dropped.retries_exhausted).toBe(3);
    expect(diag.all.join('\n')).toContain('ECONNREFUSED');
    expectNoSecrets(diag.all.join('\n'));
    await provider.shutdown();
  });

  it('a timed-out attempt: the error holds no secret', async () => {
    server.responder = () => 'hang';
    const error = await createHttpTransport({ ...options(server.url()), timeoutMillis: 50 })
      .send('[]', context())
      .catch((e: unknown) => e);
    const text = exposed(error);
    expect(text).toContain('timed out');
    expectNoSecrets(text);
  });
});
