// What the main thread's and the worker's clients share: how many connections, how long they
// idle, when a body waits a turn, and which failure of a reused connection is worth a retry.

/**
 * Connections per transport, at most. The processor's `maxConcurrentExports` (plus a spool's one
 * replay) already bounds the requests in flight; a lower cap here would queue a request behind
 * hung ones, where its export deadline could pass before it ever reached the server.
 */
export const MAX_SOCKETS: number = 64;
/**
 * How long an idle connection is kept: below the shortest common server idle timeout (Node's
 * `keepAliveTimeout`, 5 s), so that we close it before the server does, mid-request. A shorter
 * `Keep-Alive: timeout=<s>` from the server wins (Node's agent reads it).
 */
export const IDLE_SOCKET_TIMEOUT_MILLIS: number = 4000;
/**
 * Given a later turn (the main thread's clients), a body of more than this many bytes is written on
 * a later turn of the event loop than the one that built its request. Building a request
 * (`http.request`: options, headers, an agent's socket) takes 0.07-0.15 ms of the main thread
 * (p50, up to 0.28 ms p99), and writing a 110 KB body to a loopback socket 0.1-0.17 ms (up to
 * 0.33 ms p99); in one task they made one of the longest tasks an export adds
 * (docs/benchmarks.md). A smaller body is written at once: its write costs little, and waiting a
 * turn would only delay it.
 */
export const WRITE_AT_ONCE_BYTES: number = 16 * 1024;
/** Errors of a kept-alive connection the server closed just as we reused it. */
export const STALE_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

/** A reset of a reused connection before any response: safe to send again at once. */
export class StaleConnectionError extends Error {
  constructor(cause: Error) {
    super('the kept-alive connection was closed by the server', { cause });
  }
}

/**
 * Runs `exchange` and runs it again while it fails with a {@link StaleConnectionError}: a server
 * may close an idle connection just as we reuse it, so the request never reached it and goes
 * again at once on another connection. Each try retires one stale connection, so at most
 * {@link MAX_SOCKETS} retries; an aborted request is not tried again.
 */
export async function sendAgainIfStale<T>(
  signal: AbortSignal,
  exchange: () => Promise<T>,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await exchange();
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      if (tries > MAX_SOCKETS || signal.aborted) throw error.cause;
    }
  }
}

/**
 * What a client fails a request with when its signal aborts: always an error of our own, never
 * read as a stale connection; the transport reports the signal's reason.
 */
export function requestAborted(): DOMException {
  return new DOMException('the request was aborted', 'AbortError');
}

/** Bytes of a body as it goes on the wire. */
export function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
}

/** The string `code` of an error, or ''. */
export function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}
