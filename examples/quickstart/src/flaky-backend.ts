import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the embedded backend saw, from its own point of view. */
export interface BackendCounts {
  requests: number;
  accepted: number;
  answered503: number;
  answered429: number;
  answered400: number;
}

/** A running embedded backend: where to send, what it counted, and how to stop it. */
export interface FlakyBackend {
  /** `http://127.0.0.1:<port><path>`. */
  readonly url: string;
  readonly counts: Readonly<BackendCounts>;
  close(): Promise<void>;
}

/**
 * Starts an HTTP backend on 127.0.0.1 (a port the OS picks) that misbehaves the way real ones do:
 * every 5th request gets a 503, every 13th a 429 with `Retry-After: 1`, every 17th a 400 for a
 * batch it does not like. Chosen by request number rather than at random, so every run tells the
 * same story. Any other request is a JSON array of records, counted as accepted.
 */
export async function startFlakyBackend(path: string): Promise<FlakyBackend> {
  const counts: BackendCounts = {
    requests: 0,
    accepted: 0,
    answered503: 0,
    answered429: 0,
    answered400: 0,
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req); // read it even when refusing, as a real server would
    const n = ++counts.requests;
    await new Promise((resolve) => setTimeout(resolve, 5)); // ingest time
    if (req.method !== 'POST' || req.url !== path) {
      res.writeHead(404).end();
    } else if (n % 5 === 0) {
      counts.answered503++;
      res.writeHead(503).end('overloaded');
    } else if (n % 13 === 0) {
      counts.answered429++;
      // Retry-After is in whole seconds: the retry of this batch waits at least 1 s.
      res.writeHead(429, { 'retry-after': '1' }).end('slow down');
    } else if (n % 17 === 0) {
      counts.answered400++;
      res.writeHead(400).end('bad batch');
    } else {
      const records = JSON.parse(body) as unknown[];
      counts.accepted += records.length;
      res.writeHead(200).end();
    }
  };

  const server = createServer((req, res) => {
    answer(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // fetch keeps idle keep-alive sockets open
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
