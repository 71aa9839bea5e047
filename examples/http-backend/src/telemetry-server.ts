import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { WireBatch, WireEvent } from './wire-format.js';

const PATH = '/api/v1/telemetry';

/** A running telemetry backend. */
export interface TelemetryServer {
  /** `http://127.0.0.1:<port>/api/v1/telemetry`. */
  readonly url: string;
  /** Every event accepted, in arrival order. */
  readonly received: readonly WireEvent[];
  /** How many requests were answered with each status. */
  readonly statuses: ReadonlyMap<number, number>;
  close(): Promise<void>;
}

/**
 * A small telemetry backend on node:http, on 127.0.0.1 and a port the OS picks. It takes
 * `POST /api/v1/telemetry` with a bearer token and a JSON `WireBatch`, gzipped or not. Like a
 * service that has just started, it answers its first request with 503, so the demo shows a retry.
 */
export async function startTelemetryServer(token: string): Promise<TelemetryServer> {
  const received: WireEvent[] = [];
  const statuses = new Map<number, number>();

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url !== PATH) return reply(res, 404, { error: 'not found' });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return reply(res, 401, { error: 'bad token' }); // permanent: the batch is `rejected`
    }
    if (statuses.size === 0) return reply(res, 503, { error: 'warming up' }); // retried
    let batch: WireBatch;
    try {
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      batch = JSON.parse(text.toString('utf8')) as WireBatch;
      if (!Array.isArray(batch.events)) throw new TypeError('events must be an array');
    } catch (error) {
      return reply(res, 400, { error: String(error) });
    }
    received.push(...batch.events);
    reply(res, 202, { accepted: batch.events.length });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 500, { error: 'internal' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    received,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // fetch keeps idle keep-alive sockets open
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
