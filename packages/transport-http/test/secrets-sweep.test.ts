import { inspect } from 'node:util';
import {
  type ReporterStats,
  type SendContext,
  type Transport,
  TransportLogRecordExporter,
  unaccountedRecords,
} from '@telemetry-reporter/otel';
import { captureDiag, type DiagCapture } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createHttpTransport,
  type FetchFunction,
  type HttpTransportOptions,
} from '../src/index.js';
import { CLIENTS, createTransportOver } from './helpers/clients.js';
import { logPipeline } from './helpers/log-pipeline.js';
import { makeLogRecords } from './helpers/sdk-records.js';
import { exposed, leakedFragments } from './helpers/secret-leaks.js';
import { type Responder, refusedUrl, TestServer } from './helpers/test-server.js';

// The sweep: under every kind of fault (retryable, throttled, permanent, hung, timed out,
// refused, redirected, and all of them mixed), nothing the reporter produces holds a configured
// credential: no error a send rejects with (message, stack, own properties, the whole cause
// chain), no diag line at DEBUG level with its arguments fully inspected, no stats object, no
// export result of the exporter, no URL it shows. The server echoes every credential it gets into
// its error bodies and reason phrases, whole, without the auth scheme, percent-encoded and cut in
// two by the excerpt, and the test checks that it did get them, so an empty sweep proves
// something. The secrets look random and are 16 characters or more: the sweep looks for every
// 8-character piece of them (MIN_FRAGMENT_LENGTH), not only for the whole value.

const BEARER = 'Zk3qW8vLx2TnR7pYc5HdJ0sBmA-sweep';
const TOKEN = `Bearer ${BEARER}`;
const API_KEY = 'k3y/Qh7+Vd2mLp9XwR4tNc8=sweep';
const USER = 'sw33per-Jx4Kq';
const PASSWORD = 'p4ss-Gt6Vb1Nz8Hy3Rm';
const QUERY_KEY = 'q-Wc5Xn2Lk9Pd7Fs4';
const ROTATED = 'r0t-Yb8Mv3Qa6Tz1Kw';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS = [BEARER, API_KEY, USER, PASSWORD, QUERY_KEY, ROTATED, BASIC];

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

/**
 * A hostile server's error: every credential it received, quoted back in the body whole,
 * without the auth scheme and percent-encoded, and the token in the reason phrase; then the
 * token once more, cut in two by the end of what the transport reads (1 KiB), at an offset that
 * changes with every request. The padding before it is whitespace, which the excerpt collapses,
 * so that the cut lands inside the 256 characters an error shows.
 */
const echo = (status: number, headers: Record<string, string> = {}): Responder => {
  return (request, index) => {
    const authorization = String(request.headers.authorization);
    const apiKey = String(request.headers['x-api-key']);
    const bare = authorization.split(' ')[1] ?? '';
    const quoted = `no: ${authorization} ${apiKey} ${request.url} token ${bare} ${encodeURIComponent(apiKey)} ${request.headers['x-rotated']}`;
    const kept = 1 + (index % (bare.length - 1));
    return {
      status,
      statusText: `Token ${bare} Rejected`,
      headers: { 'content-type': 'text/plain', ...headers },
      body: `${quoted}${' '.repeat(1024 - kept - quoted.length)}${bare} and more`,
    };
  };
};

/** A fetch that fails as undici does, its cause quoting the credentials it was handed. */
const echoingNetworkFailure: FetchFunction = async (_url, init) => {
  const headers = init.headers as Record<string, string>;
  const bare = headers.authorization?.split(' ')[1];
  throw new TypeError('fetch failed', {
    cause: Object.assign(
      new Error(`other side closed (${bare}, ${headers['x-api-key']}, ${headers['x-rotated']})`),
      { code: 'UND_ERR_SOCKET' },
    ),
  });
};

/** Passes sends through, keeping what every rejection exposes. */
class SweptTransport implements Transport<string> {
  readonly errors: string[] = [];
  readonly #inner: Transport<string>;

  constructor(inner: Transport<string>) {
    this.#inner = inner;
  }

  async send(payload: string, context: SendContext): Promise<void> {
    try {
      await this.#inner.send(payload, context);
    } catch (error) {
      this.errors.push(exposed(error));
      throw error;
    }
  }

  async shutdown(): Promise<void> {
    await this.#inner.shutdown?.();
  }
}

const statsText = (stats: ReporterStats): string =>
  `${JSON.stringify(stats)}\n${inspect(stats, { depth: 10 })}`;

interface Fault {
  readonly name: string;
  /** How the server answers; `undefined`: nothing listens at the URL. */
  readonly responder?: Responder;
  readonly transport?: Partial<HttpTransportOptions>;
  readonly exportTimeoutMillis?: number;
  readonly maxAttempts?: number;
  /** The drop reason every record must end with (the mixed run checks only the identity). */
  readonly reason?: keyof ReporterStats['dropped'];
  /** Whether some request is never answered (an export without a deadline would wait forever). */
  readonly hangs?: boolean;
  /** Text the diag output must show, so the sweep covers the failure's own words. */
  readonly shows: string;
}

const ok: Responder = () => ({ status: 200 });
/** The mixed run's cycle of answers: 30% 503, 5% each of 429, 400 and hangs, the rest 200. */
const MIXED: readonly Responder[] = [
  echo(503),
  ok,
  ok,
  echo(400),
  echo(503),
  ok,
  echo(429, { 'retry-after': '0' }),
  ok,
  ok,
  () => 'hang',
  ok,
  echo(503),
  ok,
  ok,
  ok,
  echo(503),
  ok,
  ok,
  echo(503),
  echo(503),
];

const FAULTS: readonly Fault[] = [
  { name: 'retryable: 503', responder: echo(503), reason: 'retries_exhausted', shows: 'HTTP 503' },
  {
    name: 'throttled: 429 with Retry-After: 0',
    responder: echo(429, { 'retry-after': '0' }),
    reason: 'retries_exhausted',
    shows: 'HTTP 429',
  },
  { name: 'permanent: 400', responder: echo(400), reason: 'rejected', shows: 'HTTP 400' },
  { name: 'permanent: 401', responder: echo(401), reason: 'rejected', shows: 'HTTP 401' },
  {
    name: 'redirect: 307 to a URL holding the credentials',
    responder: (request) => ({
      status: 307,
      headers: { location: `http://evil.example${request.url}` },
    }),
    reason: 'rejected',
    shows: 'redirects are not followed',
  },
  {
    name: 'hang: aborted by the export deadline',
    responder: () => 'hang',
    hangs: true,
    exportTimeoutMillis: 300,
    reason: 'export_timeout',
    shows: 'export_timeout',
  },
  {
    name: 'hang: each attempt aborted by timeoutMillis',
    responder: () => 'hang',
    hangs: true,
    transport: { timeoutMillis: 50 },
    reason: 'retries_exhausted',
    shows: 'timed out after 50 ms',
  },
  { name: 'refused: nothing listens', reason: 'retries_exhausted', shows: 'ECONNREFUSED' },
  {
    name: 'network failure quoting the credentials (a fetch of the user)',
    transport: { fetch: echoingNetworkFailure },
    reason: 'retries_exhausted',
    shows: 'other side closed ([REDACTED], [REDACTED], ',
  },
  {
    name: 'retryable: 503 with Retry-After',
    responder: echo(503, { 'retry-after': '0' }),
    reason: 'retries_exhausted',
    shows: 'HTTP 503 Token [REDACTED] Rejected',
  },
  { name: 'too large: 413', responder: echo(413), reason: 'rejected', shows: 'payload too large' },
  {
    name: 'mixed: 503, 429, 400, hangs and 200s (a small soak)',
    responder: (request, index) => MIXED[index % MIXED.length]?.(request, index) ?? 'hang',
    exportTimeoutMillis: 500,
    maxAttempts: 4,
    hangs: true,
    shows: 'HttpRequestError',
  },
];

/**
 * The mixed run waits out real 500 ms export deadlines on a real server: seconds on a loaded
 * machine. A hang guard only.
 */
const HANG_GUARD = { timeout: 30_000 };

describe.each(
  CLIENTS.flatMap(([name, client]) => [
    [`static headers over ${name}`, false, client] as const,
    [`a headers function over ${name}`, true, client] as const,
  ]),
)('with %s', HANG_GUARD, (_, rotating, client) => {
  it.each(FAULTS)(
    '$name: no error, diag line, stats object or result holds a secret',
    async (fault) => {
      const base = fault.responder === undefined ? await refusedUrl() : server.url();
      if (fault.responder !== undefined) server.responder = fault.responder;
      const headers = { authorization: TOKEN, 'x-api-key': API_KEY };
      const http = createTransportOver(client, {
        url: secretUrl(base),
        headers: rotating ? () => ({ ...headers, 'x-rotated': ROTATED }) : headers,
        ...fault.transport,
      });
      const transport = new SweptTransport(http);
      const { processor, provider, emit } = logPipeline({
        transport,
        retry: { maxAttempts: fault.maxAttempts ?? 3, initialDelayMillis: 1, maxDelayMillis: 5 },
        processor: {
          maxExportBatchSize: 50,
          maxConcurrentExports: 4,
          exportTimeoutMillis: fault.exportTimeoutMillis ?? 5_000,
        },
      });
      const snapshots: ReporterStats[] = [];
      emit(fault.name.startsWith('mixed') ? 2_000 : 100);
      snapshots.push(processor.stats());
      await provider.forceFlush();
      snapshots.push(processor.stats());
      await provider.shutdown();
      const stats = processor.stats();
      snapshots.push(stats);

      // The failure happened, as intended, with the credentials on the wire.
      expect(unaccountedRecords(stats)).toBe(0);
      if (fault.reason !== undefined) expect(stats.dropped[fault.reason]).toBe(stats.received);
      if (fault.responder !== undefined) {
        const first = server.requests[0];
        expect(first?.headers.authorization).toBe(TOKEN);
        expect(first?.headers['x-api-key']).toBe(API_KEY);
        if (rotating) expect(first?.headers['x-rotated']).toBe(ROTATED);
        expect(first?.url).toContain(QUERY_KEY);
      }
      expect(transport.errors.length).toBeGreaterThan(0);
      expect(diag.all.join('\n')).toContain(fault.shows);

      const swept = [...transport.errors, ...diag.all, ...snapshots.map(statsText), http.url].join(
        '\n',
      );
      expect(leakedFragments(swept, SECRETS)).toEqual([]);
    },
  );
});

describe('the exporter under a foreign processor', () => {
  it.each(FAULTS.filter((f) => f.responder !== undefined && f.hangs !== true))(
    '$name: the export result and its error hold no secret',
    async (fault) => {
      server.responder = fault.responder as Responder;
      const exporter = new TransportLogRecordExporter({
        transport: createHttpTransport({
          url: secretUrl(server.url()),
          headers: { authorization: TOKEN, 'x-api-key': API_KEY },
        }),
        retry: { maxAttempts: 2, initialDelayMillis: 1, maxDelayMillis: 5 },
      });
      const result = await new Promise<unknown>((resolve) =>
        exporter.export(makeLogRecords(5), resolve),
      );
      await exporter.shutdown();
      const text = `${exposed(result)}\n${exposed((result as { error?: unknown }).error)}\n${diag.all.join('\n')}`;
      expect(leakedFragments(text, SECRETS)).toEqual([]);
    },
  );
});
