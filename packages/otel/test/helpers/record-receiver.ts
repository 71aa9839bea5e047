import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers a request that carried `records` records. */
export type Answer = (res: ServerResponse, records: number) => void;

/**
 * A loopback backend for JSON-array payloads: counts records on arrival and answers as told.
 * Started on 127.0.0.1 with an ephemeral port by the test that uses it.
 */
export class RecordReceiver {
  records = 0;
  requests = 0;
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(answer: Answer): Promise<RecordReceiver> {
    let receiver: RecordReceiver | undefined;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const count = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[]).length;
        if (receiver) {
          receiver.requests++;
          receiver.records += count;
        }
        answer(res, count);
      });
    });
    receiver = new RecordReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ingest`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Answers 200 after `millis`: a slow but healthy backend. */
export const slowly =
  (millis: number): Answer =>
  (res) => {
    setTimeout(() => res.end('ok'), millis);
  };

/** Never answers: a hung backend. */
export const never: Answer = () => {};
