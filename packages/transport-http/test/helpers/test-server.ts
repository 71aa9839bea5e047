import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as the server saw it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as it arrived on the wire. */
  readonly rawBody: Buffer;
  /** The body, gunzipped when `content-encoding: gzip`. */
  readonly body: Buffer;
}

/**
 * How the server answers one request; `'hang'` reads the request and never answers, `'reset'`
 * reads it and destroys the connection without an answer.
 */
export type Reply =
  | {
      readonly status: number;
      /** The reason phrase; Node's default for the status when left out. */
      readonly statusText?: string;
      readonly headers?: Record<string, string>;
      readonly body?: string;
    }
  | 'hang'
  | 'reset';

/** Decides the reply to a request; `index` counts requests from 0. */
export type Responder = (request: ReceivedRequest, index: number) => Reply;

/**
 * A real HTTP server on 127.0.0.1 with an ephemeral port. Replies come from `replies` in order,
 * then from the responder (200 with an empty body by default). Every request and every socket
 * is recorded, so tests can check what arrived and that sockets were released.
 */
export class TestServer {
  readonly requests: ReceivedRequest[] = [];
  readonly replies: Reply[] = [];
  responder: Responder = () => ({ status: 200 });
  /** Sockets ever accepted, and how many of them have closed. */
  connections = 0;
  closedConnections = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Woken when a request arrives or a socket closes. */
  readonly #waiters: (() => void)[] = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<TestServer> {
    let self: TestServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (self === undefined) return;
        const rawBody = Buffer.concat(chunks);
        const request: ReceivedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawBody,
          body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(rawBody) : rawBody,
        };
        const index = self.requests.push(request) - 1;
        self.#wake();
        const reply = self.replies.shift() ?? self.responder(request, index);
        if (reply === 'hang') return;
        if (reply === 'reset') {
          req.socket.destroy();
          return;
        }
        if (reply.statusText === undefined) res.writeHead(reply.status, reply.headers);
        else res.writeHead(reply.status, reply.statusText, reply.headers);
        res.end(reply.body ?? '');
      });
    });
    self = new TestServer(server);
    const tracked = self;
    server.on('connection', (socket: Socket) => {
      tracked.connections++;
      tracked.#sockets.add(socket);
      socket.on('close', () => {
        tracked.closedConnections++;
        tracked.#sockets.delete(socket);
        tracked.#wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port><path>`. */
  url(path = '/v1/logs'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves once `count` sockets in all have closed. */
  async socketsClosed(count = 1): Promise<void> {
    while (this.closedConnections < count) await this.#event();
  }

  /**
   * Resolves once `count` requests in all have arrived whole: the event itself, with no polling
   * deadline that a loaded machine could overrun.
   */
  async requestsReceived(count = 1): Promise<void> {
    while (this.requests.length < count) await this.#event();
  }

  #event(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Bodies of every request, parsed as JSON. */
  jsonBodies<T = unknown>(): T[] {
    return this.requests.map((r) => JSON.parse(r.body.toString('utf8')) as T);
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A URL on 127.0.0.1 where nothing listens: a server's port, just closed. */
export async function refusedUrl(path = '/v1/logs'): Promise<string> {
  const server = await TestServer.start();
  const url = server.url(path);
  await server.stop();
  return url;
}
