export {
  HttpRequestError,
  type HttpRequestErrorCode,
  type HttpRequestErrorDetails,
} from './http-request-error.js';
export { createHttpTransport } from './http-transport.js';
export { HTTP_TRANSPORT_DEFAULTS } from './http-transport-options.js';
export { REDACTED, redactUrl } from './redact-url.js';
export { parseRetryAfterMillis } from './retry-after.js';
export { type StatusOutcome, statusOutcome } from './status-outcome.js';
export type {
  FetchFunction,
  HttpCompression,
  HttpHeaders,
  HttpMethod,
  HttpPayload,
  HttpThread,
  HttpTransport,
  HttpTransportOptions,
} from './types.js';
export { VERSION } from './version.js';
