import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import {
  PayloadTooLargeError,
  PermanentError,
  RetryableError,
  type SendContext,
} from '@telemetry-reporter/core';
import { nextTurn } from '@telemetry-reporter/core/internal';
import { FetchClient } from './client/fetch-client.js';
import type { HttpClient, IncomingResponse } from './client/http-client.js';
import { bodyExcerpt } from './client/response-body.js';
import { SocketHttpClient } from './client/socket-http-client.js';
import { WorkerHttpClient } from './client/worker-http-client.js';
import { HttpRequestError, type HttpRequestErrorDetails } from './http-request-error.js';
import {
  type HeadersFunction,
  type ResolvedHttpTransportOptions,
  resolveHttpTransportOptions,
} from './http-transport-options.js';
import { AttemptAbort, untilAborted } from './internal/attempt-abort.js';
import { checkHeaders, validHeaderValue } from './internal/headers.js';
import { describeNetworkFailure } from './internal/network-error.js';
import { scrubbedExcerpt, scrubSecrets } from './internal/scrub.js';
import { parseRetryAfterMillis } from './retry-after.js';
import { statusOutcome } from './status-outcome.js';
import type { HttpPayload, HttpTransport, HttpTransportOptions } from './types.js';

const gzip = promisify(gzipCallback);
/** How much of a reason phrase an error shows: a server may put anything there. */
const STATUS_TEXT_CHARS = 128;

/**
 * A `Transport` that sends each payload in one HTTP request, with an HTTP/1.1 client of its own
 * on kept-alive sockets, or with the `fetch` option when one is given, and turns the
 * outcome into what the retrying delivery understands; see {@link HttpTransport}. Options are
 * validated here: a bad one throws a `TypeError` that names it.
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const resolved = resolveHttpTransportOptions(options);
  return new ClassifyingHttpTransport(resolved, clientFor(resolved));
}

/**
 * A transport over `client`, whatever the options would choose: for tests that hold each client
 * to the same behaviour. Not exported by the package.
 */
export function createHttpTransportOver(
  options: HttpTransportOptions,
  client: HttpClient,
): HttpTransport {
  return new ClassifyingHttpTransport(resolveHttpTransportOptions(options), client);
}

/**
 * The `fetch` option's client, the worker thread's, or on the main thread our own HTTP/1.1 over
 * sockets (`node:http` is its test oracle).
 */
function clientFor(resolved: ResolvedHttpTransportOptions): HttpClient {
  if (resolved.fetch !== undefined) return new FetchClient(resolved.fetch);
  if (resolved.thread === 'worker') return new WorkerHttpClient();
  return new SocketHttpClient(resolved.url, { laterTurn: nextTurn });
}

/** What a batch id looks like (SendContext.batchId): anything else is not sent. */
const BATCH_ID = /^[0-9a-f]{32}$/;

/** The transport over either client: headers, gzip, timeouts, and the meaning of outcomes. */
class ClassifyingHttpTransport implements HttpTransport {
  readonly url: string;
  readonly acceptsBytes = true;
  readonly releasesPayload: boolean;
  readonly #options: ResolvedHttpTransportOptions;
  readonly #client: HttpClient;
  readonly #attempts = new Set<AttemptAbort>();
  /** `METHOD url`, redacted: how every message names the request. */
  readonly #target: string;
  #closed = false;
  /** Header values the headers function returned last, to scrub from later failures. */
  #lastFunctionSecrets: readonly string[] = [];

  constructor(options: ResolvedHttpTransportOptions, client: HttpClient) {
    this.#options = options;
    this.#client = client;
    // gzip, when the transport does it, has finished with the payload before `send` settles.
    this.releasesPayload = client.releasesBody === true;
    this.url = options.redactedUrl;
    this.#target = `${options.method} ${options.redactedUrl}`;
  }

  async send(payload: HttpPayload, context: SendContext): Promise<void> {
    if (this.#closed) {
      throw new PermanentError(`${this.#target}: the transport is shut down`);
    }
    const { signal } = context;
    signal.throwIfAborted();
    const attempt = new AttemptAbort(signal, this.#options.timeoutMillis);
    this.#attempts.add(attempt);
    try {
      const secrets = [...this.#options.secrets, ...this.#lastFunctionSecrets];
      const headers = await this.#headers(payload, secrets, attempt, context);
      const { body, gzipByClient } = await this.#body(payload, headers);
      let response: IncomingResponse;
      try {
        attempt.signal.throwIfAborted();
        response = await this.#client.request({
          url: this.#options.url,
          method: this.#options.method,
          headers,
          body,
          ...(gzipByClient ? { gzip: true } : {}),
          signal: attempt.signal,
        });
      } catch (error) {
        throw this.#requestFailure(error, attempt, signal, secrets);
      }
      await this.#checkResponse(response, secrets);
    } finally {
      attempt.dispose();
      this.#attempts.delete(attempt);
    }
  }

  async shutdown(): Promise<void> {
    this.#closed = true;
    for (const attempt of this.#attempts) attempt.abort('shutdown');
    // Idle kept-alive connections too: none may keep the process alive after shutdown.
    this.#client.close();
  }

  /** The request headers of one attempt; their values join `secrets`. */
  async #headers(
    payload: HttpPayload,
    secrets: string[],
    attempt: AttemptAbort,
    context: SendContext,
  ): Promise<Record<string, string>> {
    const options = this.#options;
    const { signal } = context;
    let user: Readonly<Record<string, string>>;
    if (typeof options.headers === 'function') {
      user = await this.#callHeadersFunction(options.headers, secrets, attempt, signal);
      const values = Object.values(user);
      secrets.push(...values);
      // Kept to scrub the message of a later failing call, which may repeat an old token.
      this.#lastFunctionSecrets = values;
    } else {
      user = options.headers;
    }
    const headers: Record<string, string> = {
      'content-type':
        options.contentType ??
        validHeaderValue(context.contentType) ??
        (typeof payload === 'string' ? 'application/json' : 'application/octet-stream'),
      'user-agent': options.userAgent,
    };
    if (options.urlAuthorization !== undefined) headers.authorization = options.urlAuthorization;
    // A batch with a spool has a stable id, the same on every attempt and replay: a receiver
    // that keeps recent keys can drop a repeat (at-least-once becomes exactly-once).
    if (typeof context.batchId === 'string' && BATCH_ID.test(context.batchId)) {
      headers['idempotency-key'] = context.batchId;
    }
    return Object.assign(headers, user);
  }

  /**
   * Calls the user's headers function, bounded by the attempt: a token service that never answers
   * must not hold the export slot past `timeoutMillis` or the export deadline.
   */
  async #callHeadersFunction(
    headersFunction: HeadersFunction,
    secrets: readonly string[],
    attempt: AttemptAbort,
    signal: AbortSignal,
  ): Promise<Record<string, string>> {
    let result: unknown;
    try {
      result = await untilAborted(headersFunction, attempt.signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason; // the export deadline passed: as fetch rejects
      if (attempt.cause === 'timeout') {
        const message = `${this.#target}: the headers function did not settle within ${this.#options.timeoutMillis} ms (timeoutMillis)`;
        throw new RetryableError(message, {
          cause: this.#error(message, { code: 'TR_HTTP_HEADERS' }),
        });
      }
      if (attempt.cause === 'shutdown') {
        throw new PermanentError(`${this.#target}: aborted, the transport was shut down`);
      }
      // The user's error is summarised, never attached: it may carry the very token it failed
      // to fetch, in a property or a cause we cannot scrub.
      const failure = describeNetworkFailure(error);
      const code = failure.code === undefined ? '' : ` (${scrubSecrets(failure.code, secrets)})`;
      const message = `${this.#target}: the headers function threw: ${scrubSecrets(failure.message, secrets)}${code}`;
      // A token service that is down now may be up at the next attempt.
      throw new RetryableError(message, {
        cause: this.#error(message, { code: 'TR_HTTP_HEADERS' }),
      });
    }
    try {
      return checkHeaders('headers()', result);
    } catch (error) {
      const message = `${this.#target}: ${error instanceof Error ? error.message : String(error)}`;
      throw new PermanentError(message, {
        cause: this.#error(message, { code: 'TR_HTTP_HEADERS' }),
      });
    }
  }

  /**
   * The body to hand the client, and whether the client is to gzip it: a client that compresses
   * itself (the worker thread's) gets the payload as it is.
   */
  async #body(
    payload: HttpPayload,
    headers: Record<string, string>,
  ): Promise<{ body: HttpPayload; gzipByClient: boolean }> {
    if (this.#options.compression !== 'gzip') return { body: payload, gzipByClient: false };
    headers['content-encoding'] = 'gzip';
    if (this.#client.compresses === true) return { body: payload, gzipByClient: true };
    return { body: await gzip(payload), gzipByClient: false };
  }

  /** The error to reject with when the request itself failed: no response at all. */
  #requestFailure(
    error: unknown,
    attempt: AttemptAbort,
    signal: AbortSignal,
    secrets: readonly string[],
  ): unknown {
    // The caller aborted (the export deadline passed): reject with its reason, as fetch does.
    if (signal.aborted) return signal.reason;
    if (attempt.cause === 'timeout') {
      const message = `${this.#target} timed out after ${this.#options.timeoutMillis} ms (timeoutMillis)`;
      return new RetryableError(message, {
        cause: this.#error(message, { code: 'TR_HTTP_TIMEOUT' }),
      });
    }
    if (attempt.cause === 'shutdown') {
      return new PermanentError(`${this.#target}: aborted, the transport was shut down`);
    }
    const failure = describeNetworkFailure(error);
    const detail = scrubSecrets(failure.message, secrets);
    const code = failure.code === undefined ? '' : ` (${failure.code})`;
    const message = `${this.#target} failed: ${detail}${code}`;
    const cause = this.#error(message, { code: 'TR_HTTP_NETWORK', networkCode: failure.code });
    return failure.malformedRequest
      ? new PermanentError(message, { cause })
      : new RetryableError(message, { cause });
  }

  /** Resolves on 2xx; otherwise throws what the status means. The body is always released. */
  async #checkResponse(response: IncomingResponse, secrets: readonly string[]): Promise<void> {
    const { status } = response;
    const outcome = statusOutcome(status);
    if (outcome === 'delivered') {
      await response.discard();
      return;
    }
    const responseBody = await bodyExcerpt(response, secrets);
    const retryAfterMillis =
      outcome === 'retryable' ? parseRetryAfterMillis(response.header('retry-after')) : undefined;
    const reason = scrubbedExcerpt(response.statusText, STATUS_TEXT_CHARS, secrets);
    const statusText = reason === undefined ? '' : ` ${reason}`;
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    const message = `HTTP ${status}${statusText} from ${this.#target}${redirect}${
      responseBody === undefined ? '' : `: ${responseBody}`
    }`;
    const cause = this.#error(message, {
      code: 'TR_HTTP_STATUS',
      status,
      retryAfterMillis,
      responseBody,
    });
    if (outcome === 'retryable') throw new RetryableError(message, { retryAfterMillis, cause });
    if (outcome === 'too_large') throw new PayloadTooLargeError(message, { cause });
    throw new PermanentError(message, { cause });
  }

  #error(
    message: string,
    details: Omit<HttpRequestErrorDetails, 'method' | 'url'>,
  ): HttpRequestError {
    return new HttpRequestError(message, {
      ...details,
      method: this.#options.method,
      url: this.#options.redactedUrl,
    });
  }
}
