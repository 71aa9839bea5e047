// One request and its answer on a kept-alive socket, for SocketHttpClient: the head and body
// written in one go, the answer read as it arrives, and the connection handed back only once the
// body was read and the request's body written, so that nothing of one exchange reaches the next.

import type { Socket } from 'node:net';
import {
  codeOf,
  IDLE_SOCKET_TIMEOUT_MILLIS,
  requestAborted,
  STALE_CONNECTION_CODES,
  StaleConnectionError,
  WRITE_AT_ONCE_BYTES,
} from './connection-limits.js';
import type { BodyStart, IncomingResponse } from './http-client.js';
import { BodyReader, headEnd, parseHead, type ResponseHead } from './http1-response.js';
import { DRAIN_LIMIT_BYTES } from './response-body.js';

/** One kept-alive socket and the exchange it carries, if any. */
export class Connection {
  readonly socket: Socket;
  /** True once it carried a request: a reset before any answer may be the server's idle close. */
  reused: boolean = false;
  /** How long it may idle; a server's shorter `Keep-Alive: timeout` lowers it. */
  idleMillis: number = IDLE_SOCKET_TIMEOUT_MILLIS;
  exchange: Exchange | undefined;
  #error: Error | undefined;

  constructor(socket: Socket, onClose: () => void) {
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
export interface ExchangeOutcome {
  resolve(response: IncomingResponse): void;
  reject(error: unknown): void;
  /**
   * Hands the connection back once the body was read and the request's body written. Shared by
   * every exchange of a client, never a closure over one request: whatever keeps a finished
   * exchange reachable for a while (see `consume`) must not keep its payload too (measured: every
   * string payload promoted to the old generation, three times the full collections).
   */
  release(connection: Connection, reusable: boolean): void;
}

/** One request and its response on a connection. */
export class Exchange {
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
  /** Who waits in `consume`, and for how much of the body. */
  #consumer: { readonly keep: number; readonly resolve: (start: BodyStart) => void } | undefined;

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
    // Fields and a method, not a closure stored in a field: V8 allocates a function assigned to
    // a property in the old generation, where, dead, it stays a root for young collections and
    // kept every finished exchange (and what it reached) alive into the old generation.
    return new Promise<BodyStart>((resolve) => {
      this.#consumer = { keep, resolve };
      this.#tryFinish();
    });
  }

  #tryFinish(): void {
    const consumer = this.#consumer;
    if (consumer === undefined || this.#complete === undefined || !this.#written) return;
    this.#consumer = undefined;
    const complete = this.#complete === true;
    const head = this.#head as ResponseHead;
    this.#releaseSignal();
    const reusable =
      complete && head.keepAlive && !this.#overrun && !this.#connection.socket.destroyed;
    this.#outcome.release(this.#connection, reusable);
    const { keep, resolve } = consumer;
    // Only what is handed back: a slice of a larger copy would carry all of it across threads.
    const bytes = Buffer.concat(this.#chunks, Math.min(this.#kept, keep));
    this.#chunks.length = 0;
    resolve({ bytes, truncated: !complete || this.#seen > keep });
  }

  /** Ends the exchange as its signal's abort does. */
  abort(): void {
    this.#onAbort();
  }

  readonly #onAbort = (): void => {
    // An error of our own, never read as a stale connection; the transport reports the abort.
    this.#connection.socket.destroy(requestAborted());
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
