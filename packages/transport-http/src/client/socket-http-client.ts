import { validateHeaderName, validateHeaderValue } from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  byteLength,
  IDLE_SOCKET_TIMEOUT_MILLIS,
  MAX_SOCKETS,
  requestAborted,
  sendAgainIfStale,
} from './connection-limits.js';
import type { HttpClient, IncomingResponse, OutgoingRequest } from './http-client.js';
import { Connection, Exchange } from './http1-exchange.js';
import type { NodeHttpClientOptions } from './node-http-client.js';

/**
 * HTTP/1.1 written straight on kept-alive `net.Socket`s (`tls.TLSSocket`s for `https:`): one
 * corked write of head and body (`http1-exchange.ts`), the answer's head and body framing read
 * by `http1-response.ts`. It does what {@link NodeHttpClient} does (at most {@link MAX_SOCKETS}
 * connections, idle ones unref'd and closed after {@link IDLE_SOCKET_TIMEOUT_MILLIS}, a stale one
 * retired and its request sent again, bodies drained up to 64 KiB, the same later turns) for
 * about 40% of its main-thread CPU per request in a loop, and 70% within a running pipeline
 * (packages/transport-http/README.md, docs/benchmarks.md): `node:http`'s request, agent and
 * stream layers run a few hundred times a minute, never hot enough for V8 to optimize them.
 * `https:` URLs go over `node:tls` with SNI and the last session resumed (and dropped when a
 * handshake fails), as `node:https`'s agent does. `node:http` / `node:https` ({@link NodeHttpClient}) are the oracle its tests compare
 * it with. The worker thread uses it the same way.
 */
export class SocketHttpClient implements HttpClient {
  readonly releasesBody = true;
  readonly #host: string;
  readonly #port: number;
  /** The URL's origin: every request goes to it. */
  readonly #origin: string;
  readonly #hostHeader: string;
  /** TLS for an `https:` URL, with the `ca` to trust, if any; `undefined` for `http:`. */
  readonly #tls: { readonly ca?: string | Buffer } | undefined;
  /** The last TLS session the server gave, to resume on the next connection, as Node's agent does. */
  #tlsSession: Buffer | undefined;
  readonly #laterTurn: (() => Promise<void>) | undefined;
  /** Every open connection, idle or busy. */
  readonly #connections = new Set<Connection>();
  /** Idle connections, the most recently used last: they are taken first, the rest idle out. */
  readonly #idle: Connection[] = [];
  /** Requests waiting for a connection while {@link MAX_SOCKETS} are busy. */
  readonly #waiting: Waiter[] = [];
  /** The last URL requested and its request target (path and query). */
  #target: { readonly url: string; readonly path: string } | undefined;
  #closed = false;

  constructor(url: string, options: NodeHttpClientOptions = {}) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`SocketHttpClient takes http: and https: URLs, got ${parsed.protocol}`);
    }
    const secure = parsed.protocol === 'https:';
    this.#tls = secure ? (options.ca === undefined ? {} : { ca: options.ca }) : undefined;
    this.#host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port);
    this.#origin = parsed.origin;
    this.#hostHeader = parsed.host;
    this.#laterTurn = options.laterTurn;
  }

  request(request: OutgoingRequest): Promise<IncomingResponse> {
    return sendAgainIfStale(request.signal, () => this.#exchange(request));
  }

  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.fail(shutDown());
    for (const connection of this.#connections) connection.socket.destroy();
  }

  async #exchange(request: OutgoingRequest): Promise<IncomingResponse> {
    const { signal } = request;
    signal.throwIfAborted();
    const bodyBytes = byteLength(request.body);
    // Built first: a header value Node would refuse fails the request before any connection.
    const head = this.#head(request, bodyBytes);
    const connection = await this.#acquire(signal);
    return new Promise<IncomingResponse>((resolve, reject) => {
      const exchange = new Exchange(connection, signal, this.#laterTurn, {
        resolve,
        reject,
        release: this.#releaseConnection,
      });
      connection.exchange = exchange;
      // Aborted while the connection was being taken (a turn of microtasks at least): a listener
      // added now would never fire. Nothing is sent; the connection is closed, which rejects.
      if (signal.aborted) exchange.abort();
      else exchange.send(head, request.body, bodyBytes);
    });
  }

  /** Request line and header fields, checked as `node:http` checks them, in its words. */
  #head(request: OutgoingRequest, bodyBytes: number): string {
    let head = `${request.method} ${this.#pathOf(request.url)} HTTP/1.1\r\nHost: ${this.#hostHeader}\r\n`;
    const { headers } = request;
    for (const name in headers) {
      const value = headers[name] as string;
      validateHeaderName(name);
      validateHeaderValue(name, value);
      head += `${name}: ${value}\r\n`;
    }
    return `${head}Content-Length: ${bodyBytes}\r\nConnection: keep-alive\r\n\r\n`;
  }

  #pathOf(url: string): string {
    if (this.#target?.url !== url) {
      const parsed = new URL(url);
      if (parsed.origin !== this.#origin) {
        throw new TypeError(`this client sends to ${this.#origin}, not ${parsed.origin}`);
      }
      this.#target = { url, path: `${parsed.pathname}${parsed.search}` };
    }
    return this.#target.path;
  }

  /** An idle connection, a new one, or the next one freed once {@link MAX_SOCKETS} are busy. */
  #acquire(signal: AbortSignal): Connection | Promise<Connection> {
    if (this.#closed) throw shutDown();
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle.take();
    if (this.#connections.size < MAX_SOCKETS) return this.#connect();
    return new Promise<Connection>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (connection) => {
          signal.removeEventListener('abort', onAbort);
          resolve(connection);
        },
        fail: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(requestAborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #connect(): Connection {
    let socket: net.Socket;
    if (this.#tls === undefined) {
      socket = net.connect({
        host: this.#host,
        port: this.#port,
        noDelay: true,
        // As Node's agent with keepAlive: TCP probes notice a peer that vanished.
        keepAlive: true,
        keepAliveInitialDelay: 1000,
      });
    } else {
      const offered = this.#tlsSession;
      // As node:https: SNI for a host name, never for an address (RFC 6066), and no ALPN, which
      // a server that lists only h2 would refuse though it serves HTTP/1.1.
      const secure = tls.connect({
        host: this.#host,
        port: this.#port,
        ...(net.isIP(this.#host) === 0 ? { servername: this.#host } : {}),
        ...(offered === undefined ? {} : { session: offered }),
        ...this.#tls,
      });
      let secured = false;
      secure.once('secureConnect', () => {
        secured = true;
      });
      secure.on('session', (session: Buffer) => {
        this.#tlsSession = session;
      });
      // A handshake that failed may have failed on the session offered (a server's session
      // store gone, say): the next connection starts afresh rather than fail the same way.
      secure.once('close', () => {
        if (!secured && this.#tlsSession === offered) this.#tlsSession = undefined;
      });
      secure.setNoDelay(true);
      secure.setKeepAlive(true, 1000);
      socket = secure;
    }
    const connection = new Connection(socket, () => this.#forget(connection));
    this.#connections.add(connection);
    return connection;
  }

  /** {@link SocketHttpClient.#release} for every exchange: no closure holds a request. */
  readonly #releaseConnection = (connection: Connection, reusable: boolean): void =>
    this.#release(connection, reusable);

  /** After a response was read: the connection serves a waiter, idles, or is closed. */
  #release(connection: Connection, reusable: boolean): void {
    connection.exchange = undefined;
    if (!reusable || this.#closed || connection.idleMillis <= 0) {
      connection.socket.destroy();
      return;
    }
    connection.reused = true;
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) {
      waiter.grant(connection);
      return;
    }
    connection.idle();
    this.#idle.push(connection);
  }

  /** A connection closed: it leaves the pool, and a waiter gets a new one in its place. */
  #forget(connection: Connection): void {
    this.#connections.delete(connection);
    const at = this.#idle.indexOf(connection);
    if (at >= 0) this.#idle.splice(at, 1);
    const waiter = this.#waiting.shift();
    if (waiter !== undefined && !this.#closed) waiter.grant(this.#connect());
  }
}

interface Waiter {
  grant(connection: Connection): void;
  fail(error: Error): void;
}

function shutDown(): Error {
  return new Error('the HTTP client was closed');
}
