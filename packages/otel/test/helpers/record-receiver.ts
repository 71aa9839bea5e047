import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the receiver parsed it: its headers and its JSON array of records. */
export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: readonly unknown[];
}

/**
 * How the receiver answers a request that carried `records` records; `request` is the request
 * itself, for answers that look at more than the count.
 */
export type Answer = (res: ServerResponse, records: number, request: ReceivedRequest) => void;

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
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
        const count = body.length;
        if (receiver) {
          receiver.requests++;
          receiver.records += count;
        }
        answer(res, count, { headers: req.headers, body });
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

/** One request a {@link SwitchableBackend} saw: its idempotency key and the ids of its records. */
export interface Delivery {
  /** The `idempotency-key` header, if any. */
  readonly key: string | undefined;
  /** The bodies of its records (the spool tests emit one unique id per record as the body). */
  readonly ids: readonly string[];
}

/**
 * A backend that is down (503 "down") or up (200), switched by the test, and that keeps every
 * request it saw by idempotency key, for the at-least-once and de-duplication checks of the
 * spool tests. Use `backend.answer` as the receiver's {@link Answer}.
 */
export class SwitchableBackend {
  /** Up: requests are accepted (200). Down: answered 503. */
  up = false;
  /**
   * While down, requests of a key other than the first `hangAfterKeys` distinct keys seen while
   * down are never answered: their sends stay in flight (a hung backend).
   */
  hangAfterKeys = Number.POSITIVE_INFINITY;
  /**
   * While up, the first accepted request of this many more batches (idempotency keys) is
   * recorded and then answered 503: the backend stored it but its answer was lost (a proxy timed
   * out), so the sender sends it again, under the same key.
   */
  loseAnswers = 0;
  /** Called on every request, before it is answered. */
  onRequest: (() => void) | undefined;
  /** Requests answered 503 while down (hung ones included). */
  readonly refused: Delivery[] = [];
  /** Requests accepted while up, lost answers included. */
  readonly accepted: Delivery[] = [];
  /** The distinct record ids of `refused`. */
  readonly refusedIds = new Set<string>();
  /** The distinct record ids of `accepted`. */
  readonly acceptedIds = new Set<string>();
  /** Keys seen while down, in the order they first came. */
  readonly #downKeys = new Map<string | undefined, number>();
  /** Keys whose answer was lost once. */
  readonly #lostKeys = new Set<string | undefined>();
  readonly #waiters = new Set<() => void>();

  readonly answer: Answer = (res, _records, request) => {
    this.onRequest?.();
    const header = request.headers['idempotency-key'];
    const delivery: Delivery = {
      key: typeof header === 'string' ? header : undefined,
      ids: request.body.map((record) => String((record as { body?: unknown }).body)),
    };
    if (this.up) {
      this.accepted.push(delivery);
      for (const id of delivery.ids) this.acceptedIds.add(id);
      if (this.loseAnswers > 0 && !this.#lostKeys.has(delivery.key)) {
        this.loseAnswers--;
        this.#lostKeys.add(delivery.key);
        res.statusCode = 503;
        res.end('answer lost');
      } else {
        res.end('ok');
      }
    } else {
      this.refused.push(delivery);
      for (const id of delivery.ids) this.refusedIds.add(id);
      if (!this.#downKeys.has(delivery.key)) this.#downKeys.set(delivery.key, this.#downKeys.size);
      if ((this.#downKeys.get(delivery.key) ?? 0) < this.hangAfterKeys) {
        res.statusCode = 503;
        res.end('down');
      }
    }
    for (const wake of [...this.#waiters]) wake();
  };

  /** Resolves once `predicate` holds, checked now and after every request. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        if (!predicate()) return;
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
    });
  }
}
