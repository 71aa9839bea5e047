import type { SendContext, Transport } from '@telemetry-reporter/core';

/** What the HTTP transport sends: text (sent as UTF-8) or bytes. */
export type HttpPayload = string | Uint8Array;

/** Request headers: names to values. */
export type HttpHeaders = Readonly<Record<string, string>>;

/** A `fetch`-compatible function, for the `fetch` option. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Which thread sends the requests: the application's, a worker thread of the transport's, or
 * `'auto'`, the worker only where it pays (with gzip); see {@link HttpTransportOptions.thread}.
 */
export type HttpThread = 'main' | 'worker' | 'auto';

/** HTTP methods the transport sends a payload with. */
export type HttpMethod = 'POST' | 'PUT' | 'PATCH';

/** How the request body is compressed. */
export type HttpCompression = 'gzip' | 'none';

/** Options of `createHttpTransport`. */
export interface HttpTransportOptions {
  /**
   * Where payloads go: an absolute `http:` or `https:` URL. Credentials in it (`user:pass@`) are
   * sent as a Basic `Authorization` header (`fetch` refuses URLs that carry them). Errors
   * show the URL without credentials and query values (see `redactUrl`). Required.
   */
  url: string | URL;
  /**
   * The request method.
   * @default 'POST'
   */
  method?: HttpMethod;
  /**
   * Request headers (a plain object of names to strings; a `Headers` or a `Map` is refused), or
   * a function returning them (sync or async) that is called before every attempt, for tokens
   * that rotate; the attempt's `timeoutMillis` and the export deadline bound its wait too, and a
   * throw fails the attempt as retryable, its message summarised without the error itself.
   * Values never appear in errors or diagnostics. The transport
   * sets `content-length` and `content-encoding` itself; `content-type` and `user-agent` given
   * here win over {@link HttpTransportOptions.contentType} and
   * {@link HttpTransportOptions.userAgent}, and `authorization` over URL credentials.
   * @default {}
   */
  headers?: HttpHeaders | (() => HttpHeaders | Promise<HttpHeaders>);
  /**
   * `'gzip'` compresses every request body (off the main thread, with `node:zlib`) and sends
   * `content-encoding: gzip`.
   * @default 'none'
   */
  compression?: HttpCompression;
  /**
   * The deadline of one attempt, response body included, in milliseconds; an attempt that
   * passes it is aborted and retried. The export deadline of the processor bounds all attempts
   * together. An integer between 1 and 2147483647.
   * @default 10000
   */
  timeoutMillis?: number;
  /**
   * The `content-type` header.
   * @default the encoder's `contentType` as the delivery passes it (`context.contentType`);
   * without one, 'application/json' for string payloads, 'application/octet-stream' for bytes
   */
  contentType?: string;
  /**
   * The `user-agent` header.
   * @default 'telemetry-reporter/<version>'
   */
  userAgent?: string;
  /**
   * A `fetch` to send with instead of the transport's own HTTP/1.1 client, e.g. undici's with a
   * proxy `dispatcher`, or `globalThis.fetch`. Without it, the transport keeps its own keep-alive
   * connections (at most 64; idle ones closed after 4 s and never keeping the process alive),
   * which cost about a seventh of `fetch`'s main-thread CPU per request (without gzip). Cannot be
   * combined with `thread: 'worker'`; with `thread: 'auto'`, requests go from the main thread.
   * @default undefined (the transport's own HTTP/1.1 client)
   */
  fetch?: FetchFunction;
  /**
   * Where requests are sent from. `'main'`: the application's thread. `'worker'`: a worker
   * thread started at the first request (one per process, shared by every such transport, each
   * with connections of its own; 12-17 MiB of memory), where gzip, the socket writes and the
   * HTTP parsing run, and a large body's socket write no longer blocks the event loop. The main
   * thread only copies each body into a message: with gzip, about 30% of the main-thread CPU of
   * sending from there; without gzip about 80%, at twice the process CPU. `'auto'`: the worker
   * when `compression` is `'gzip'` (and no `fetch` is given), the main thread otherwise. The
   * worker never keeps the process alive while idle. Headers functions, gzip and every outcome
   * work as with `'main'`.
   * @default 'main'
   */
  thread?: HttpThread;
}

/**
 * A `Transport` over HTTP. `send` resolves on 2xx and rejects with a `RetryableError` (408, 429,
 * 5xx, network errors, attempt timeout), a `PayloadTooLargeError` (413) or a `PermanentError`
 * (other 4xx, 3xx), each with an `HttpRequestError` as its `cause`.
 */
export interface HttpTransport extends Transport<HttpPayload> {
  /** The target URL without credentials and query values, as errors show it. */
  readonly url: string;
  /** Always true: a body may be a string or its bytes. */
  readonly acceptsBytes: true;
  /**
   * True unless the transport sends with the `fetch` option: `send` keeps no reference to a
   * payload once settled, so the delivery may reuse its memory (see `Transport.releasesPayload`).
   * A `fetch` function may still be writing a body when its response arrives.
   */
  readonly releasesPayload: boolean;
  /** Sends one payload; see {@link HttpTransport}. */
  send(payload: HttpPayload, context: SendContext): Promise<void>;
  /**
   * Aborts requests still in flight and closes every connection, so that none keeps the process
   * alive; later sends reject with a `PermanentError`. Idempotent.
   */
  shutdown(): Promise<void>;
}
