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
import { createHttpTransport, type HttpTransportOptions } from '../src/index.js';
import { logPipeline } from './helpers/log-pipeline.js';
import { makeLogRecords } from './helpers/sdk-records.js';
import { type Responder, refusedUrl, TestServer } from './helpers/test-server.js';

// The sweep: under every kind of fault (retryable, throttled, permanent, hung, timed out,
// refused, redirected, and all of them mixed), nothing the reporter produces holds a configured
// credential: no error a send rejects with (message, stack, own properties, the whole cause
// chain), no diag line at DEBUG level with its arguments fully inspected, no stats object, no
// export result of the exporter, no URL it shows. The server echoes every credential it gets into
// its error bodies, and the test checks that it did get them, so an empty sweep proves something.

const TOKEN = 'Bearer s3cr3t-sweep-token';
const API_KEY = 'k3y-sweep-api-key';
const USER = 'sweeper';
const PASSWORD = 'p4ss-sweep-hunter2';
const QUERY_KEY = 'q-sweep-query-key';
const ROTATED = 'r0tating-sweep-token';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS = [
  's3cr3t-sweep-token',
  API_KEY,
  PASSWORD,
  QUERY_KEY,
  ROTATED,
  BASIC,
  `${USER}:`,
  encodeURIComponent(PASSWORD),
];

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

/** A hostile server's error body: every credential it received, quoted back. */
const echo = (status: number, headers: Record<string, string> = {}): Responder => {
  return (request) => ({
    status,
    headers: { 'content-type': 'text/plain', ...headers },
    body: `no: ${request.headers.authorization} ${request.headers['x-api-key']} ${request.url}`,
  });
};

/** Everything an error exposes: inspect with hidden fields, and each cause's text and fields. */
function exposed(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true }), String(error)];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(Object.entries(e)));
  }
  return parts.join('\n');
}

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
    name: 'mixed: 503, 429, 400, hangs and 200s (a small soak)',
    responder: (request, index) => MIXED[index % MIXED.length]?.(request, index) ?? 'hang',
    exportTimeoutMillis: 500,
    maxAttempts: 4,
    hangs: true,
    shows: 'HttpRequestError',
  },
];

describe.each([
  ['static headers', false],
  ['a headers function', true],
] as const)('with %s', (_, rotating) => {
  it.each(FAULTS)(
    '$name: no error, diag line, stats object or result holds a secret',
    async (fault) => {
      const base = fault.responder === undefined ? await refusedUrl() : server.url();
      if (fault.responder !== undefined) server.responder = fault.responder;
      const headers = { authorization: TOKEN, 'x-api-key': API_KEY };
      const http = createHttpTransport({
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
      for (const secret of SECRETS) expect(swept).not.toContain(secret);
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
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    },
  );
});
