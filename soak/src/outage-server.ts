import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExpectedCredentials } from './fault-server.js';
import { type LedgerCounts, OutageLedger } from './outage-ledger.js';

/**
 * How the backend behaves now:
 * - `up`: stores every payload and answers 200; once it has been down, one answer in
 *   `loseEvery` is lost on purpose (stored, then the connection dropped): the client must
 *   retry, and the copy is what at-least-once delivery looks like;
 * - `refuse`: not listening at all; every connection is refused;
 * - `unavailable`: listening, and every request is answered 503 after `unavailableDelayMillis`,
 *   as an overloaded backend does: the exports hold their slots while they wait.
 */
export type Availability = 'up' | 'refuse' | 'unavailable';

/** What the outage server counted, besides its ledger. */
export interface OutageServerCounts extends LedgerCounts {
  requests: number;
  answered200: number;
  answered503: number;
  /** Payloads stored whose 200 was never sent (the connection was dropped instead). */
  answersLost: number;
  /** Requests without the expected credentials. */
  unauthorized: number;
  /** Times the listener was closed (`refuse`) and opened again. */
  relistens: number;
}

export interface OutageServer {
  readonly url: string;
  readonly availability: Availability;
  /** Switches the behaviour; resolves once the listener is closed or listening again. */
  setAvailability(availability: Availability): Promise<void>;
  counts(): OutageServerCounts;
  close(): Promise<void>;
}

/** What the server needs to know about the run. */
export interface OutageServerConfig {
  /** Record ids run from 0 to `totalRecords - 1`. */
  readonly totalRecords: number;
  /** Once back up, every `loseEvery`-th payload stored loses its answer (0: none). Counted, not
   * drawn at random: a small run must lose some, and the same ones each time. */
  readonly loseEvery: number;
  /** How long a 503 takes. */
  readonly unavailableDelayMillis: number;
  readonly credentials: ExpectedCredentials;
}

/**
 * Starts the server on 127.0.0.1, `up`. `refuse` closes the listener and every open connection
 * (a kept-alive socket would otherwise still be served); leaving it listens again on the same
 * port, so that the emitters, configured once with the URL, find the backend back.
 */
export async function startOutageServer(config: OutageServerConfig): Promise<OutageServer> {
  const ledger = new OutageLedger(config.totalRecords);
  const sockets = new Set<Socket>();
  let availability: Availability = 'up';
  /** Payloads stored since the backend came back from its outage; `undefined` before. */
  let storedSinceBack: number | undefined;
  const counts = {
    requests: 0,
    answered200: 0,
    answered503: 0,
    answersLost: 0,
    unauthorized: 0,
    relistens: 0,
  };

  const authorized = (req: IncomingMessage): boolean => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('api_key');
    const { credentials } = config;
    return (
      req.headers.authorization === credentials.authorization &&
      req.headers['x-api-key'] === credentials.apiKey &&
      query === credentials.queryKey
    );
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    counts.requests++;
    if (!authorized(req)) {
      counts.unauthorized++;
      res.writeHead(401).end();
      return;
    }
    if (availability !== 'up') {
      setTimeout(() => {
        counts.answered503++;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      }, config.unavailableDelayMillis);
      return;
    }
    const ids = ledger.parse(body);
    if (ids === undefined) {
      res.writeHead(422).end();
      return;
    }
    const header = req.headers['idempotency-key'];
    ledger.store(ids, typeof header === 'string' ? header : undefined);
    if (storedSinceBack !== undefined) storedSinceBack++;
    if (
      storedSinceBack !== undefined &&
      config.loseEvery > 0 &&
      storedSinceBack % config.loseEvery === 0
    ) {
      // Stored, but the client never learns it: it retries the same batch under the same key.
      counts.answersLost++;
      req.socket.destroy();
      return;
    }
    counts.answered200++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    return closed;
  };

  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get availability() {
      return availability;
    },
    async setAvailability(next: Availability) {
      if (next === availability) return;
      const wasRefusing = availability === 'refuse';
      if (next === 'up') storedSinceBack ??= 0;
      availability = next;
      if (next === 'refuse') await stopListening();
      else if (wasRefusing) {
        await listen(port);
        counts.relistens++;
      }
    },
    counts: () => ({ ...ledger.counts(), ...counts }),
    close: async () => {
      if (availability !== 'refuse') await stopListening();
    },
  };
}
