/**
 * What went wrong with a request:
 * - `TR_HTTP_STATUS`: the server answered with a status other than 2xx;
 * - `TR_HTTP_NETWORK`: no answer (connection refused or reset, DNS failure, socket closed);
 * - `TR_HTTP_TIMEOUT`: the attempt passed `timeoutMillis` and was aborted;
 * - `TR_HTTP_HEADERS`: the `headers` function threw, did not settle within `timeoutMillis`, or
 *   returned an invalid header.
 */
export type HttpRequestErrorCode =
  | 'TR_HTTP_STATUS'
  | 'TR_HTTP_NETWORK'
  | 'TR_HTTP_TIMEOUT'
  | 'TR_HTTP_HEADERS';

/** Fields of an {@link HttpRequestError}. */
export interface HttpRequestErrorDetails {
  /** What went wrong. */
  readonly code: HttpRequestErrorCode;
  /** The request method. */
  readonly method: string;
  /** The target URL, already redacted. */
  readonly url: string;
  /** The response status, when there was a response. */
  readonly status?: number;
  /** The system or undici error code, when there was no response. */
  readonly networkCode?: string;
  /** The wait `Retry-After` asked for, in milliseconds. */
  readonly retryAfterMillis?: number;
  /** The start of a textual response body, already scrubbed of the request's secrets. */
  readonly responseBody?: string;
}

/**
 * The details of a failed request, as the `cause` of the `RetryableError`, `PermanentError` or
 * `PayloadTooLargeError` the transport throws. Holds nothing secret: the URL is redacted, no
 * request header is kept, the response body excerpt is scrubbed of header values and URL
 * credentials, and the underlying network error is summarised, not attached.
 */
export class HttpRequestError extends Error {
  /** Stable identifier for programmatic checks. */
  readonly code: HttpRequestErrorCode;
  /** The request method. */
  readonly method: string;
  /** The target URL without credentials and query values. */
  readonly url: string;
  /** The response status, for `TR_HTTP_STATUS`. */
  readonly status: number | undefined;
  /** The system or undici error code (`ECONNREFUSED`, `UND_ERR_SOCKET`), for `TR_HTTP_NETWORK`. */
  readonly networkCode: string | undefined;
  /** The wait `Retry-After` asked for, in milliseconds. */
  readonly retryAfterMillis: number | undefined;
  /** The start of a textual response body (at most 256 characters), for `TR_HTTP_STATUS`. */
  readonly responseBody: string | undefined;

  constructor(message: string, details: HttpRequestErrorDetails) {
    super(message);
    this.name = 'HttpRequestError';
    this.code = details.code;
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.networkCode = details.networkCode;
    this.retryAfterMillis = details.retryAfterMillis;
    this.responseBody = details.responseBody;
  }
}
