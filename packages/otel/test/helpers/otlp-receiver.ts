import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

interface OtlpLogsRequest {
  resourceLogs?: {
    resource?: { attributes?: { key: string; value: Record<string, unknown> }[] };
    scopeLogs?: { logRecords?: { body?: { stringValue?: string } }[] }[];
  }[];
}

/** A loopback OTLP/HTTP JSON receiver for logs, started on 127.0.0.1 with an ephemeral port. */
export class OtlpReceiver {
  readonly requests: OtlpLogsRequest[] = [];
  /** Status codes to answer with, in order; 200 once they run out. */
  readonly statuses: number[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const status = receiver?.statuses.shift() ?? 200;
        if (status === 200)
          receiver?.requests.push(JSON.parse(body.toString('utf8')) as OtlpLogsRequest);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    receiver = new OtlpReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1/logs`;
  }

  /** Bodies of every log record received, in arrival order. */
  bodies(): (string | undefined)[] {
    return this.requests.flatMap((r) =>
      (r.resourceLogs ?? []).flatMap((rl) =>
        (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((l) => l.body?.stringValue)),
      ),
    );
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}
