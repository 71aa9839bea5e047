import { validateHeaderName, validateHeaderValue } from 'node:http';
import * as net from 'node:net';
import {
  byteLength,
  codeOf,
  IDLE_SOCKET_TIMEOUT_MILLIS,
  MAX_SOCKETS,
  STALE_CONNECTION_CODES,
  StaleConnectionError,
  WRITE_AT_ONCE_BYTES,
} from './connection-limits.js';
import type { BodyStart, HttpClient, IncomingResponse, OutgoingRequest } from './http-client.js';
import { BodyReader, headEnd, parseHead, type ResponseHead } from './http1-response.js';
import type { NodeHttpClientOptions } from './node-http-client.js';
import { DRAIN_LIMIT_BYTES } from './response-body.js';

/**
 * HTTP/1.1 for `http:` URLs on the main thread, written straight on kept-alive `net.Socket`s:
 * one corked write of head and body, the answer's head and body framing read by
 * `http1-response.ts`. It does what {@link NodeHttpClient} does (at most {@link MAX_SOCKETS}
 * connections, idle ones unref'd and closed after {@link IDLE_SOCKET_TIMEOUT_MILLIS}, a stale one
 * retired and its request sent again, bodies drained up to 64 KiB, the same later turns) for
 * about 40% of its main-thread CPU per request in a loop, and 70% within a running pipeline
 * (packages/transport-http/README.md, docs/benchmarks.md): `node:http`'s request, agent and
 * stream layers run a few hundred times a minute, never hot enough for V8 to optimize them.
 * `node:https` stays the client of `https:` URLs (TLS session reuse, ALPN), and `node:http` the
 * oracle its tests compare it with. The worker thread uses both the same way.
 */
export class SocketHttpClient implements HttpClient {
  readonly releasesBody = true;
  readonly #host: string;
  readonly #port: number;
  /** The URL's origin: every request goes to it. */
  readonly #origin: string;
  readonly #hostHeader: string;
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
    if (parsed.protocol !== 'http:') {
      throw new TypeError(`SocketHttpClient takes http: URLs only, got ${parsed.protocol}`);
    }
    this.#host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = parsed.port === '' ? 80 : Number(parsed.port);
    this.#origin = parsed.origin;
    this.#hostHeader = parsed.host;
    this.#laterTurn = options.laterTurn;
  }

  async request(request: OutgoingRequest): Promise<IncomingResponse> {
    // As NodeHttpClient: a reset of a reused connection before any answer means the server had
    // closed it; the request never reached it and goes again, each try retiring one connection.
    for (let tries = 1; ; tries++) {
      try {
        return await this.#exchange(request);
      } catch (error) {
        if (!(error instanceof StaleConnectionError)) throw error;
        if (tries > MAX_SOCKETS || request.signal.aborted) throw error.cause;
      }
    }
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
        release: (reusable) => this.#release(connection, reusable),
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
        reject(new DOMException('the request was aborted', 'AbortError'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #connect(): Connection {
    const socket = net.connect({
      host: this.#host,
      port: this.#port,
      noDelay: true,
      // As Node's agent with keepAlive: TCP probes notice a peer that vanished.
      keepAlive: true,
      keepAliveInitialDelay: 1000,
    });
    const connection = new Connection(socket, () => this.#forget(connection));
    this.#connections.add(connection);
    return connection;
  }

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

/** One kept-alive socket and the exchange it carries, if any. */
class Connection {
  readonly socket: net.Socket;
  /** True once it carried a request: a reset before any answer may be the server's idle close. */
  reused = false;
  /** How long it may idle; a server's shorter `Keep-Alive: timeout` lowers it. */
  idleMillis = IDLE_SOCKET_TIMEOUT_MILLIS;
  exchange: Exchange | undefined;
  #error: Error | undefined;

  constructor(socket: net.Socket, onClose: () => void) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      if (this.exchange === undefined) socket.destroy();
      else this.exchange.data(chunk);
    });
    socket.on('error', (error: Error) => {
      this.#error ??= error;
    });
    socket.on('timeout', () => socket.destroy()); // set only while idle
    socket.on('close', () => {
      onClose();
      this.exchange?.closed(this.#error);
    });
  }

  /** Busy again: it keeps the process alive while a request is in flight, as a socket would. */
  take(): this {
    this.socket.setTimeout(0);
    this.socket.ref();
    return this;
  }

  idle(): void {
    this.socket.unref();
    this.socket.setTimeout(this.idleMillis);
  }
}

/** What an exchange reports to its request and to the pool. */
interface ExchangeOutcome {
  resolve(response: IncomingResponse): void;
  reject(error: unknown): void;
  /** Hands the connection back once the body was read and the request's body written. */
  release(reusable: boolean): void;
}

/** One request and its response on a connection. */
class Exchange {
  readonly #connection: Connection;
  readonly #signal: AbortSignal;
  readonly #laterTurn: (() => Promise<void>) | undefined;
  readonly #outcome: ExchangeOutcome;
  /** Bytes of the head read so far, until it is complete. */
  #pending: Buffer | undefined;
  #sawBytes = false;
  #head: ResponseHead | undefined;
  #reader: BodyReader | undefined;
  /** The response, once its head arrived: what the server answered stands from then on. */
  #answered: SocketResponse | undefined;
  #settled = false;
  /** The body kept for `read`, up to {@link DRAIN_LIMIT_BYTES}, and how much arrived in all. */
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #seen = 0;
  /** `true` once the body ended by its framing, `false` once cut or closed short. */
  #complete: boolean | undefined;
  /** Bytes arrived past the body: the connection cannot carry another request. */
  #overrun = false;
  /** The request's body was handed to the system, or never will be. */
  #written = false;
  #finish: (() => void) | undefined;

  constructor(
    connection: Connection,
    signal: AbortSignal,
    laterTurn: (() => Promise<void>) | undefined,
    outcome: ExchangeOutcome,
  ) {
    this.#connection = connection;
    this.#signal = signal;
    this.#laterTurn = laterTurn;
    this.#outcome = outcome;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  send(head: string, body: string | Uint8Array, bodyBytes: number): void {
    const { socket } = this.#connection;
    const write = (): void => {
      socket.cork();
      socket.write(head, 'latin1');
      const onWritten = (): void => {
        this.#written = true;
        this.#tryFinish();
      };
      if (typeof body === 'string') socket.write(body, 'utf8', onWritten);
      else socket.write(body, onWritten);
      socket.uncork();
    };
    const laterTurn = this.#laterTurn;
    if (laterTurn === undefined || bodyBytes <= WRITE_AT_ONCE_BYTES) {
      write();
      return;
    }
    // As NodeHttpClient: a large body is written on a later turn than the request was made on.
    laterTurn()
      .then(() => {
        if (!socket.destroyed) write();
      })
      .catch((error: unknown) => {
        socket.destroy(error instanceof Error ? error : new Error(String(error)));
      });
  }

  data(chunk: Buffer): void {
    this.#sawBytes = true;
    try {
      if (this.#reader === undefined) {
        const rest = this.#readHead(chunk);
        if (rest === undefined || this.#reader === undefined) return;
        chunk = rest;
      }
      this.#readBody(this.#reader, chunk);
    } catch (error) {
      this.#connection.socket.destroy(error as Error);
    }
  }

  /** The bytes after the head once it is complete (1xx heads skipped), or `undefined`. */
  #readHead(chunk: Buffer): Buffer | undefined {
    let bytes = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const end = headEnd(bytes);
      if (end < 0) {
        this.#pending = bytes;
        return undefined;
      }
      const head = parseHead(bytes.toString('latin1', 0, end - 4));
      bytes = bytes.subarray(end);
      if (head.status >= 200) {
        this.#pending = undefined;
        this.#head = head;
        this.#connection.idleMillis = idleMillisOf(head);
        this.#reader = new BodyReader(head.framing, (body) => this.#keep(body));
        this.#announce(new SocketResponse(head, this));
        return bytes;
      }
      if (head.status === 101) throw new Error('the server switched protocols unasked');
      // 1xx: an interim answer (103 Early Hints, say); the final one follows.
    }
  }

  #readBody(reader: BodyReader, bytes: Buffer): void {
    if (this.#complete !== undefined) {
      if (bytes.length > 0) this.#overrun = true;
      return;
    }
    const used = reader.push(bytes);
    if (used < bytes.length) this.#overrun = true;
    if (reader.done && this.#complete === undefined) this.#bodyEnded(true);
  }

  #keep(bytes: Buffer): void {
    this.#seen += bytes.length;
    if (this.#kept < DRAIN_LIMIT_BYTES) {
      this.#chunks.push(bytes);
      this.#kept += bytes.length;
    }
    if (this.#seen > DRAIN_LIMIT_BYTES && this.#complete === undefined) {
      this.#bodyEnded(false);
      this.#connection.socket.destroy();
    }
  }

  #announce(response: SocketResponse): void {
    this.#answered = response;
    const laterTurn = this.#laterTurn;
    if (laterTurn === undefined) {
      this.#resolve(response);
      return;
    }
    // As NodeHttpClient: what follows runs on a turn of its own, apart from the parsing.
    const handOn = (): void => this.#resolve(response);
    laterTurn().then(handOn, handOn);
  }

  #resolve(response: SocketResponse): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#outcome.resolve(response);
  }

  closed(error: Error | undefined): void {
    this.#written = true; // nothing more will be
    if (this.#answered !== undefined) {
      const reader = this.#reader as BodyReader;
      if (this.#complete === undefined)
        this.#bodyEnded(error === undefined && reader.endsWithClose);
      this.#resolve(this.#answered); // an answer waiting for its turn stands
      this.#tryFinish();
      return;
    }
    if (this.#settled) return;
    this.#settled = true;
    this.#releaseSignal();
    const failure = error ?? hangUp();
    const stale =
      this.#connection.reused && !this.#sawBytes && STALE_CONNECTION_CODES.has(codeOf(failure));
    this.#outcome.reject(stale ? new StaleConnectionError(failure) : failure);
  }

  #bodyEnded(complete: boolean): void {
    this.#complete = complete;
    this.#tryFinish();
  }

  /** Called by the response's `read` or `discard`: resolves once the connection can be let go. */
  consume(keep: number): Promise<BodyStart> {
    return new Promise<BodyStart>((resolve) => {
      this.#finish = () => {
        const complete = this.#complete === true;
        const head = this.#head as ResponseHead;
        this.#releaseSignal();
        const reusable =
          complete && head.keepAlive && !this.#overrun && !this.#connection.socket.destroyed;
        this.#outcome.release(reusable);
        const bytes = Buffer.concat(this.#chunks, this.#kept).subarray(0, keep);
        resolve({ bytes, truncated: !complete || this.#seen > keep });
      };
      this.#tryFinish();
    });
  }

  #tryFinish(): void {
    const finish = this.#finish;
    if (finish === undefined || this.#complete === undefined || !this.#written) return;
    this.#finish = undefined;
    finish();
  }

  /** Ends the exchange as its signal's abort does. */
  abort(): void {
    this.#onAbort();
  }

  readonly #onAbort = (): void => {
    // An error of our own, never read as a stale connection; the transport reports the abort.
    this.#connection.socket.destroy(new DOMException('the request was aborted', 'AbortError'));
  };

  #releaseSignal(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
  }
}

class SocketResponse implements IncomingResponse {
  readonly status: number;
  readonly statusText: string;
  readonly #head: ResponseHead;
  readonly #exchange: Exchange;

  constructor(head: ResponseHead, exchange: Exchange) {
    this.#head = head;
    this.#exchange = exchange;
    this.status = head.status;
    this.statusText = head.statusText;
  }

  header(name: string): string | undefined {
    return this.#head.headers.get(name);
  }

  read(limit: number): Promise<BodyStart> {
    return this.#exchange.consume(limit);
  }

  async discard(): Promise<void> {
    await this.#exchange.consume(0);
  }
}

/**
 * How long a connection may idle after this response: {@link IDLE_SOCKET_TIMEOUT_MILLIS}, or a
 * second short of the server's `Keep-Alive: timeout=<s>` when that is less.
 */
function idleMillisOf(head: ResponseHead): number {
  const hint = /(?:^|,)\s*timeout=(\d+)/.exec(head.headers.get('keep-alive') ?? '')?.[1];
  if (hint === undefined) return IDLE_SOCKET_TIMEOUT_MILLIS;
  return Math.min(IDLE_SOCKET_TIMEOUT_MILLIS, Number(hint) * 1000 - 1000);
}

/** What Node calls a connection closed before its answer. */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
