import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seeded } from './seeded-random.js';

/** How often the server misbehaves, as fractions of requests (decided per request). */
export interface FaultPlan {
  /** Never answered: the client's export deadline must abort them. */
  readonly hang: number;
  /** Answered 400 with a textual body echoing the request's credentials. */
  readonly reject400: number;
  /** Answered 503 with a textual body echoing the request's credentials. */
  readonly fail503: number;
  /** Answered 429 with `Retry-After: 0` or `Retry-After: 1` (seconds), half each. */
  readonly throttle429: number;
  /** Seed of the pseudo-random sequence that decides each request's fate. */
  readonly seed: number;
}

/** What the client must send on every request; a request without it is answered 401. */
export interface ExpectedCredentials {
  readonly authorization: string;
  readonly apiKey: string;
  /** The value of the `api_key` query parameter. */
  readonly queryKey: string;
}

/** The server's own view of the run. */
export interface ServerCounts {
  requests: number;
  /** 200 responses fully handed to the socket (`finish`), and the records they held. */
  answered200: number;
  acceptedRecords: number;
  answered503: number;
  answered429RetryAfter0: number;
  answered429RetryAfter1: number;
  answered400: number;
  hung: number;
  /** Requests without the expected credentials (should be 0: the sweep would be vacuous). */
  unauthorized: number;
  /** 200 responses whose delivery did not complete (the client went away first). */
  unfinished200: number;
  /** Records accepted twice (same `seq`), and records with a `seq` outside the run. */
  duplicateRecords: number;
  outOfRangeRecords: number;
  /** Bodies that were not a JSON array of records with a numeric `attributes.seq`. */
  malformedBodies: number;
}

/** A loopback HTTP server that ingests log records and misbehaves according to a plan. */
export interface FaultServer {
  readonly url: string;
  counts(): ServerCounts;
  /** Closes every connection (hung ones included) and the server. */
  close(): Promise<void>;
}

type Fault = 'hang' | 'reject400' | 'fail503' | 'throttle429';
const FAULTS: readonly Fault[] = ['hang', 'reject400', 'fail503', 'throttle429'];

/** Which fault a uniform draw in [0, 1) falls on, or `undefined`: answer 200. */
function fateOf(draw: number, plan: FaultPlan): Fault | undefined {
  let edge = 0;
  for (const fault of FAULTS) {
    edge += plan[fault];
    if (draw < edge) return fault;
  }
  return undefined;
}

/**
 * Starts the server on 127.0.0.1 with an ephemeral port. Accepted records are counted when the
 * 200 response has been handed to the socket (`res` emits `finish`), never before: a response the
 * client never got cannot be counted. `totalRecords` sizes the bitmap that detects duplicates.
 */
export async function startFaultServer(
  plan: FaultPlan,
  credentials: ExpectedCredentials,
  totalRecords: number,
): Promise<FaultServer> {
  const random = seeded(plan.seed);
  const seen = new Uint8Array(totalRecords);
  const sockets = new Set<Socket>();
  const counts: ServerCounts = {
    requests: 0,
    answered200: 0,
    acceptedRecords: 0,
    answered503: 0,
    answered429RetryAfter0: 0,
    answered429RetryAfter1: 0,
    answered400: 0,
    hung: 0,
    unauthorized: 0,
    unfinished200: 0,
    duplicateRecords: 0,
    outOfRangeRecords: 0,
    malformedBodies: 0,
  };

  const echo = (req: IncomingMessage): string =>
    // A hostile backend: it quotes every credential it received, so the client's scrubbing is
    // tested on every failure, not only on friendly servers.
    `rejected ${req.headers.authorization ?? ''} ${req.headers['x-api-key'] ?? ''} ${req.url ?? ''}`;

  const answer = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body = '',
  ) => res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);

  const accept = (res: ServerResponse, body: string): void => {
    let seqs: number[];
    try {
      seqs = seqsOf(JSON.parse(body));
    } catch {
      counts.malformedBodies++;
      answer(res, 422, {}, 'malformed');
      return;
    }
    res.on('finish', () => {
      counts.answered200++;
      counts.acceptedRecords += seqs.length;
      for (const seq of seqs) {
        if (!(seq >= 0 && seq < totalRecords)) counts.outOfRangeRecords++;
        else if (seen[seq] === 1) counts.duplicateRecords++;
        else seen[seq] = 1;
      }
    });
    res.on('close', () => {
      if (!res.writableFinished) counts.unfinished200++;
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      counts.requests++;
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('api_key');
      if (
        req.headers.authorization !== credentials.authorization ||
        req.headers['x-api-key'] !== credentials.apiKey ||
        query !== credentials.queryKey
      ) {
        counts.unauthorized++;
        answer(res, 401, {}, echo(req));
        return;
      }
      switch (fateOf(random(), plan)) {
        case 'hang':
          counts.hung++; // never answered; the client aborts and the socket closes
          return;
        case 'reject400':
          counts.answered400++;
          answer(res, 400, {}, echo(req));
          return;
        case 'fail503':
          counts.answered503++;
          answer(res, 503, {}, echo(req));
          return;
        case 'throttle429': {
          const retryAfter = random() < 0.5 ? '0' : '1';
          if (retryAfter === '0') counts.answered429RetryAfter0++;
          else counts.answered429RetryAfter1++;
          answer(res, 429, { 'retry-after': retryAfter }, echo(req));
          return;
        }
      }
      accept(res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The `attributes.seq` of every record of a payload; throws when it is not what we sent. */
function seqsOf(payload: unknown): number[] {
  if (!Array.isArray(payload)) throw new TypeError('not an array');
  return payload.map((record: unknown) => {
    const seq = (record as { attributes?: { seq?: unknown } } | null)?.attributes?.seq;
    if (typeof seq !== 'number') throw new TypeError('a record without seq');
    return seq;
  });
}
