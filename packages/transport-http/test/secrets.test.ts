import {
  isPayloadTooLargeError,
  isPermanentError,
  isRetryableError,
  type RetryableError,
  type SendContext,
} from '@telemetry-reporter/core';
import { captureDiag, type DiagCapture } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpTransportOptions } from '../src/index.js';
import { CLIENTS, type ClientOptions, createTransportOver } from './helpers/clients.js';
import { logPipeline } from './helpers/log-pipeline.js';
import { exposed, leakedFragments, trailingStartOf } from './helpers/secret-leaks.js';
import { type Reply, refusedUrl, TestServer } from './helpers/test-server.js';

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

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const context = (): SendContext => ({
  signal: new AbortController().signal,
  attempt: 1,
  recordCount: 1,
});

// Servers that echo a credential in another shape than the configured header value: without
// its scheme, trimmed, percent-encoded, JSON-escaped, decoded from Basic, in the reason phrase,
// or cut in two by the excerpt. Secrets here look random and are 16 characters or more, so the
// sweep can look for every 8-character piece of them (MIN_FRAGMENT_LENGTH), not only for the
// whole value.
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ci0xIn0.Zk3qW8vLx2TnR7pYc5HdJ0sBmA';
const KEY = 'ak/7Hq2+xVb9LmT4pZr8Nw3Y=Kd6'; // '/', '+' and '=' change when encoded
const SVC_USER = 'svc-ingest-7Qm';
const SVC_PASSWORD = 'Pw9vRt4kLz2QxB7mJd';
const SVC_BASIC = Buffer.from(`${SVC_USER}:${SVC_PASSWORD}`).toString('base64');
const ECHOED = [JWT, KEY, SVC_USER, SVC_PASSWORD, SVC_BASIC];

/** The value after the auth scheme of a header value, as a server quotes it. */
const credential = (value: string | string[] | undefined): string =>
  String(value).trim().split(/\s+/)[1] ?? '';

interface Echo {
  readonly name: string;
  readonly headers: Record<string, string>;
  readonly reply: (request: { headers: Record<string, string | string[] | undefined> }) => Reply;
  /** How the send must fail. */
  readonly outcome: (error: unknown) => boolean;
}

const text = { 'content-type': 'text/plain' };
const bearer = { authorization: `Bearer ${JWT}`, 'x-api-key': KEY };

const ECHOES: readonly Echo[] = [
  {
    name: 'the token without its scheme, in a 401',
    headers: bearer,
    reply: (r) => ({
      status: 401,
      headers: text,
      body: `token ${credential(r.headers.authorization)} has expired`,
    }),
    outcome: isPermanentError,
  },
  {
    name: 'the whole header values, in a 400',
    headers: bearer,
    reply: (r) => ({
      status: 400,
      headers: text,
      body: `got ${r.headers.authorization} and ${r.headers['x-api-key']}`,
    }),
    outcome: isPermanentError,
  },
  {
    name: 'a value fetch trimmed before sending',
    headers: { authorization: `  Bearer ${JWT} \t`, 'x-api-key': ` ${KEY}  ` },
    reply: (r) => ({
      status: 403,
      headers: text,
      body: `[${r.headers.authorization}] [${r.headers['x-api-key']}] ${credential(r.headers.authorization)}`,
    }),
    outcome: isPermanentError,
  },
  {
    name: 'percent-encoded and form-encoded, in a 400',
    headers: bearer,
    reply: (r) => ({
      status: 400,
      headers: text,
      body: `?key=${encodeURIComponent(String(r.headers['x-api-key']))}&auth=${encodeURIComponent(
        String(r.headers.authorization),
      ).replaceAll('%20', '+')}`,
    }),
    outcome: isPermanentError,
  },
  {
    name: 'JSON-escaped, slashes too, in a 422',
    headers: bearer,
    reply: (r) => ({
      status: 422,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: `bad key ${r.headers['x-api-key']}` }).replaceAll('/', '\\/'),
    }),
    outcome: isPermanentError,
  },
  {
    name: 'the user and password of a Basic credential, decoded',
    headers: { authorization: `Basic ${SVC_BASIC}` },
    reply: (r) => {
      const pair = Buffer.from(credential(r.headers.authorization), 'base64').toString();
      const [user, password] = pair.split(':');
      return {
        status: 401,
        headers: text,
        body: `${pair} denied: user ${user}, password ${password}`,
      };
    },
    outcome: isPermanentError,
  },
  {
    name: 'the token in the reason phrase',
    headers: bearer,
    reply: (r) => ({
      status: 401,
      statusText: `Token ${credential(r.headers.authorization)} Expired`,
    }),
    outcome: isPermanentError,
  },
  {
    name: 'a 503 with Retry-After',
    headers: bearer,
    reply: (r) => ({
      status: 503,
      statusText: `Busy ${r.headers['x-api-key']}`,
      headers: { ...text, 'retry-after': '0' },
      body: `overloaded, retry later with ${credential(r.headers.authorization)}`,
    }),
    outcome: (e) => isRetryableError(e) && (e as RetryableError).retryAfterMillis === 0,
  },
  {
    name: 'a 413',
    headers: bearer,
    reply: (r) => ({
      status: 413,
      headers: text,
      body: `payload from ${credential(r.headers.authorization)} is too large`,
    }),
    outcome: isPayloadTooLargeError,
  },
];

let client: ClientOptions = {};

/** A transport over the client under test; an explicit `fetch` option wins. */
const create = (options: HttpTransportOptions) => createTransportOver(client, options);

describe.each(CLIENTS)('over %s', (_name, clientOptions) => {
  beforeEach(() => {
    client = clientOptions;
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
      const transport = create(options(server.url()));
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
        transport: create(options(server.url())),
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
      const transport = create({
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
      const transport = create({
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
      const error = await create({ url: url.href, headers: { 'x-shard': '7' } })
        .send('[]', context())
        .catch((e: unknown) => e);
      expect((error as Error).message).toContain(`connect ECONNREFUSED 127.0.0.1:${url.port}`);
    });
  });

  describe('URL credentials', () => {
    it('are sent as a Basic authorization header when no header overrides them', async () => {
      const transport = create({ url: secretUrl(server.url()) });
      await transport.send('[]', context());
      expect(server.requests[0]?.headers.authorization).toBe(`Basic ${BASIC}`);
      expect(server.requests[0]?.url).not.toContain(PASSWORD);
    });
  });

  describe('no server at all', () => {
    it('a refused connection: the error, its causes and diag hold no secret', async () => {
      const url = await refusedUrl();
      const error = await create(options(url))
        .send('[]', context())
        .catch((e: unknown) => e);
      const text = exposed(error);
      expect(text).toContain('ECONNREFUSED');
      expectNoSecrets(text);

      const { processor, provider, emit } = logPipeline({
        transport: create(options(url)),
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
      const error = await create({ ...options(server.url()), timeoutMillis: 50 })
        .send('[]', context())
        .catch((e: unknown) => e);
      const text = exposed(error);
      expect(text).toContain('timed out');
      expectNoSecrets(text);
    });
  });

  describe('servers that echo secrets in other shapes', () => {
    it.each(ECHOES)('$name: no piece of a secret in the error', async (echo) => {
      server.responder = (request) => echo.reply(request);
      const error = await create({ url: server.url(), headers: echo.headers })
        .send('[]', context())
        .catch((e: unknown) => e);
      expect(echo.outcome(error)).toBe(true);
      const shown = exposed(error);
      expect(shown).toContain('[REDACTED]'); // the server did echo, and it was scrubbed
      expect(leakedFragments(shown, ECHOED)).toEqual([]);
    });

    it('a network error message that quotes the token', async () => {
      const error = await create({
        url: server.url(),
        headers: bearer,
        fetch: async (_url, init) => {
          const sent = (init.headers as Record<string, string>).authorization;
          throw new TypeError('fetch failed', {
            cause: Object.assign(new Error(`socket closed while sending ${credential(sent)}`), {
              code: 'ECONNRESET',
            }),
          });
        },
      })
        .send('[]', context())
        .catch((e: unknown) => e);
      expect(isRetryableError(error)).toBe(true);
      expect((error as Error).message).toContain('socket closed while sending [REDACTED]');
      expect(leakedFragments(exposed(error), ECHOED)).toEqual([]);
    });

    it('through the pipeline: no diag line, cause chain or stats holds a piece of one', async () => {
      let index = 0;
      server.responder = (request) => {
        const echo = ECHOES[index++ % ECHOES.length] as Echo;
        return echo.reply(request);
      };
      const { processor, provider, emit } = logPipeline({
        transport: create({ url: server.url(), headers: bearer }),
        retry: { maxAttempts: 2, initialDelayMillis: 1, maxDelayMillis: 5 },
        processor: { maxExportBatchSize: 10 },
      });
      emit(100);
      await provider.forceFlush();
      await provider.shutdown();
      expect(server.requests.length).toBeGreaterThanOrEqual(ECHOES.length);
      expect(diag.all.join('\n')).toContain('[REDACTED]');
      const swept = `${diag.all.join('\n')}\n${JSON.stringify(processor.stats())}`;
      expect(leakedFragments(swept, ECHOED)).toEqual([]);
    });
  });

  describe('a secret cut by the excerpt', () => {
    /** The `responseBody` of the error a send gets for `body`. */
    async function excerptFor(body: string, headers = bearer): Promise<string | undefined> {
      server.replies.push({ status: 400, headers: text, body });
      const error = await create({ url: server.url(), headers })
        .send('[]', context())
        .catch((e: unknown) => e);
      const cause = (error as Error).cause as { responseBody?: string };
      return cause.responseBody;
    }

    it('across the 256-character cut, at every offset: replaced whole, no start left', async () => {
      const after = ' and more text after it';
      for (let kept = 1; kept < JWT.length; kept++) {
        const pad = 'x'.repeat(256 - kept);
        const excerpt = await excerptFor(`${pad}${JWT}${after}`);
        const whole = `${pad}[REDACTED]${after}`;
        // a marker the cut goes through is shown whole
        const rest = after.slice(0, Math.max(0, kept - '[REDACTED]'.length));
        expect(excerpt).toBe(whole.length <= 256 ? whole : `${pad}[REDACTED]${rest}...`);
      }
    });

    it('across the end of what is read (1 KiB), at every offset: no start of 4 or more left', async () => {
      for (let kept = 1; kept < JWT.length; kept++) {
        // whitespace collapses, so the start of the token read last lands inside the excerpt
        const excerpt = await excerptFor(`${' '.repeat(1024 - kept)}${JWT}${'y'.repeat(100)}`);
        const shown = excerpt ?? '';
        expect(trailingStartOf(shown.replace(/\.\.\.$/, ''), JWT)).toBe('');
        expect(leakedFragments(shown, [JWT])).toEqual([]);
        if (kept >= 4) expect(shown).toBe('[REDACTED]...');
      }
    });

    it('a start of a secret the server itself cut is replaced at the cut too', async () => {
      const pad = 'x'.repeat(240);
      const excerpt = await excerptFor(`${pad}${JWT.slice(0, 30)} ${'z'.repeat(50)}`);
      expect(excerpt).toBe(`${pad}[REDACTED]...`);
    });

    it('leaves text that only shares three characters with a secret alone', async () => {
      const pad = 'x'.repeat(253);
      expect(await excerptFor(`${pad}eyJ${'z'.repeat(50)}`)).toBe(`${pad}eyJ...`);
    });

    it('in the reason phrase, cut at 128 characters', async () => {
      server.replies.push({ status: 401, statusText: `${'r'.repeat(120)} ${JWT}` });
      const error = await create({ url: server.url(), headers: bearer })
        .send('[]', context())
        .catch((e: unknown) => e);
      expect((error as Error).message).toContain(`HTTP 401 ${'r'.repeat(120)} [REDACTED]... from`);
      expect(leakedFragments(exposed(error), [JWT])).toEqual([]);
    });
  });
});
