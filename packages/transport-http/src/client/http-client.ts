import type { HttpMethod, HttpPayload } from '../types.js';

/** One request, as the transport hands it to a client. */
export interface OutgoingRequest {
  /** The URL without credentials. */
  readonly url: string;
  readonly method: HttpMethod;
  /** Lower-case names; `content-length` is the client's. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: HttpPayload;
  /**
   * True when the client is to gzip `body` before sending it (only asked of a client that
   * {@link HttpClient.compresses}); `content-encoding` is already among the headers.
   */
  readonly gzip?: boolean;
  /** Aborts the request, the response body included. */
  readonly signal: AbortSignal;
}

/** What a client read of the start of a body. */
export interface BodyStart {
  readonly bytes: Uint8Array;
  /** True when the body went on past `bytes`, or may have (it was cut or aborted). */
  readonly truncated: boolean;
}

/**
 * A response whose body is still to be read. Exactly one of `read` or `discard` must be called:
 * either releases the connection (for reuse when the body could be drained), and never throws.
 */
export interface IncomingResponse {
  readonly status: number;
  /** The reason phrase, unscrubbed; '' when there is none. */
  readonly statusText: string;
  /** A response header by lower-case name. */
  header(name: string): string | undefined;
  /** Reads up to `limit` bytes of the body, then releases the connection. */
  read(limit: number): Promise<BodyStart>;
  /** Releases the connection, reading the body (up to a limit) so that it can be reused. */
  discard(): Promise<void>;
}

/**
 * How requests go on the wire: our HTTP/1.1 on sockets by default, or a `fetch`. A
 * client only sends and reads; the transport classifies outcomes and builds every error.
 */
export interface HttpClient {
  /**
   * True when the client can gzip bodies itself, off the main thread (see
   * {@link OutgoingRequest.gzip}); otherwise the transport compresses before handing the body over.
   */
  readonly compresses?: boolean;
  /**
   * True when nothing of the client reads a request's body once the response was read or
   * discarded, or once `request` rejected: the transport can then let the body's memory be
   * reused (`releasesPayload`).
   */
  readonly releasesBody?: boolean;
  /**
   * Sends one request; resolves when the response head arrived (any status, redirects not
   * followed; the main thread's `node:http` client a turn of the event loop later), rejects
   * with what the network layer threw before any answer (the transport summarises it).
   */
  request(request: OutgoingRequest): Promise<IncomingResponse>;
  /** Closes every connection, in use or idle, so that none keeps the process alive. */
  close(): void;
}
