import { describeValue, millisOption, oneOf } from '@telemetry-reporter/core/internal';
import { checkHeaders, checkHeaderValueOption } from './internal/headers.js';
import { redactUrl } from './redact-url.js';
import type {
  FetchFunction,
  HttpCompression,
  HttpHeaders,
  HttpMethod,
  HttpThread,
  HttpTransportOptions,
} from './types.js';
import { VERSION } from './version.js';

/** The defaults of {@link HttpTransportOptions}. */
export const HTTP_TRANSPORT_DEFAULTS: Readonly<{
  method: HttpMethod;
  compression: HttpCompression;
  timeoutMillis: number;
  userAgent: string;
  thread: HttpThread;
}> = Object.freeze({
  method: 'POST',
  compression: 'none',
  thread: 'main',
  timeoutMillis: 10_000,
  userAgent: `telemetry-reporter/${VERSION}`,
});

const METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH'];
const COMPRESSIONS: readonly HttpCompression[] = ['gzip', 'none'];
const THREADS: readonly HttpThread[] = ['main', 'worker', 'auto'];

/** A function that returns headers for each attempt. */
export type HeadersFunction = () => HttpHeaders | Promise<HttpHeaders>;

/** {@link HttpTransportOptions} validated, with defaults applied and the URL taken apart. */
export interface ResolvedHttpTransportOptions {
  /** The URL requests go to, without credentials. */
  readonly url: string;
  /** The URL as errors show it. */
  readonly redactedUrl: string;
  readonly method: HttpMethod;
  /** Static headers (lower-case names) or the function that returns them. */
  readonly headers: Readonly<Record<string, string>> | HeadersFunction;
  /** The Basic `authorization` value built from URL credentials, if there were any. */
  readonly urlAuthorization: string | undefined;
  /** Every secret known at construction, to scrub from text we did not write. */
  readonly secrets: readonly string[];
  readonly compression: HttpCompression;
  readonly timeoutMillis: number;
  readonly contentType: string | undefined;
  readonly userAgent: string;
  /** The `fetch` to send with; `undefined`: our own HTTP/1.1 client. */
  readonly fetch: FetchFunction | undefined;
  /** `'auto'` decided: the thread requests go from, unless `fetch` is given (which wins). */
  readonly thread: Exclude<HttpThread, 'auto'>;
}

/**
 * Applies defaults, then validates. Throws a `TypeError` naming the option and echoing the bad
 * value, except secrets: a URL is echoed redacted, a header value not at all.
 */
export function resolveHttpTransportOptions(
  options: HttpTransportOptions,
): ResolvedHttpTransportOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `createHttpTransport options must be an object with a url, got ${describeValue(options)}`,
    );
  }
  const url = parseUrl(options.url);
  const secrets = urlSecrets(url);
  let urlAuthorization: string | undefined;
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    urlAuthorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    secrets.push(urlAuthorization, user, password);
  }
  const redactedUrl = redactUrl(url);
  url.username = '';
  url.password = '';
  url.hash = '';

  let headers: ResolvedHttpTransportOptions['headers'];
  if (typeof options.headers === 'function') {
    headers = options.headers;
  } else {
    headers = Object.freeze(checkHeaders('headers', orDefault(options.headers, {})));
    secrets.push(...Object.values(headers));
  }
  const fetch: unknown = options.fetch;
  if (fetch !== undefined && typeof fetch !== 'function') {
    throw new TypeError(`fetch must be a function, got ${describeValue(fetch)}`);
  }
  const compression = oneOf(
    'compression',
    orDefault(options.compression, HTTP_TRANSPORT_DEFAULTS.compression),
    COMPRESSIONS,
  );
  const thread = oneOf(
    'thread',
    orDefault(options.thread, HTTP_TRANSPORT_DEFAULTS.thread),
    THREADS,
  );
  if (thread === 'worker' && fetch !== undefined) {
    throw new TypeError(
      "thread 'worker' sends with the transport's own client in a worker thread and cannot use the fetch option; leave out one of them",
    );
  }
  return Object.freeze({
    url: url.href,
    redactedUrl,
    method: oneOf('method', orDefault(options.method, HTTP_TRANSPORT_DEFAULTS.method), METHODS),
    headers,
    urlAuthorization,
    secrets: Object.freeze(secrets.filter((s) => s !== '')),
    compression,
    timeoutMillis: millisOption(
      'timeoutMillis',
      orDefault(options.timeoutMillis, HTTP_TRANSPORT_DEFAULTS.timeoutMillis),
      1,
    ),
    contentType:
      options.contentType === undefined
        ? undefined
        : checkHeaderValueOption('contentType', options.contentType),
    userAgent: checkHeaderValueOption(
      'userAgent',
      orDefault(options.userAgent, HTTP_TRANSPORT_DEFAULTS.userAgent),
    ),
    fetch: fetch as FetchFunction | undefined,
    thread: threadFor(thread, compression),
  });
}

/**
 * `'auto'` decided by what the worker saves the main thread, measured with
 * bench/http-client-cost.mjs: about 70% of a request's CPU with gzip (zlib compresses in the
 * thread pool, but its stream's bookkeeping runs on the caller's thread), about 20% without, at
 * twice the process CPU, so only gzip pays for the thread.
 */
function threadFor(thread: HttpThread, compression: HttpCompression): Exclude<HttpThread, 'auto'> {
  if (thread !== 'auto') return thread;
  return compression === 'gzip' ? 'worker' : 'main';
}

/** Only a missing option takes its default: `null` is a mistake, reported as one. */
function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function parseUrl(value: unknown): URL {
  let url: URL | undefined;
  if (value instanceof URL) url = new URL(value.href);
  else if (typeof value === 'string' && URL.canParse(value)) url = new URL(value);
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const shown =
      typeof value === 'string' || value instanceof URL
        ? `'${redactUrl(value)}'`
        : describeValue(value);
    throw new TypeError(`url must be an absolute http: or https: URL, got ${shown}`);
  }
  return url;
}

/** Credentials and query values of `url`, raw and decoded: all may be secrets. */
function urlSecrets(url: URL): string[] {
  const secrets = [url.username, url.password];
  for (const value of url.searchParams.values()) secrets.push(value);
  for (const pair of url.search.slice(1).split('&')) {
    const at = pair.indexOf('=');
    if (at >= 0) secrets.push(pair.slice(at + 1));
  }
  return secrets;
}
