import type { HttpMethod, HttpPayload } from '../types.js';

// What the main thread and the HTTP worker thread tell each other (see worker-http-client.ts).

/**
 * Main thread to worker: send a request, abort one, or close a client's connections. `owner`
 * names the client (one per transport), whose connections are its own.
 */
export type ToHttpWorker =
  | {
      readonly type: 'request';
      readonly id: number;
      readonly owner: number;
      /** The URL without credentials; a client's first request fixes its connections' protocol. */
      readonly url: string;
      readonly method: HttpMethod;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: HttpPayload;
      /** Gzip the body in the worker before sending it. */
      readonly gzip: boolean;
    }
  | { readonly type: 'abort'; readonly id: number }
  | { readonly type: 'close'; readonly owner: number };

/** Worker to main thread: a response, whole up to `body`, or why there is none. */
export type FromHttpWorker =
  | {
      readonly type: 'response';
      readonly id: number;
      readonly status: number;
      readonly statusText: string;
      readonly headers: Readonly<Record<string, string>>;
      /** The start of the body, up to RESPONSE_BODY_BYTES. */
      readonly body: Uint8Array;
      readonly truncated: boolean;
    }
  | {
      readonly type: 'failure';
      readonly id: number;
      /** What describeNetworkFailure found: an error object does not cross threads whole. */
      readonly message: string;
      readonly code: string | undefined;
      readonly malformedRequest: boolean;
    };

/**
 * How much of each response body the worker sends back: enough for the transport's error
 * excerpt, whatever the status (the worker does not know which bodies will be quoted).
 */
export const RESPONSE_BODY_BYTES = 1024;

/** The response headers the worker sends back: those the transport reads. */
export const RESPONSE_HEADERS: readonly string[] = ['content-type', 'retry-after'];
