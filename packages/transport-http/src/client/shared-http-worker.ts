import { Worker } from 'node:worker_threads';
import type { HttpPayload } from '../types.js';
import { requestAborted } from './connection-limits.js';
import type { BodyStart, IncomingResponse, OutgoingRequest } from './http-client.js';
import type { FromHttpWorker, ToHttpWorker } from './worker-messages.js';

/** A request waiting for the worker's answer. */
interface Pending {
  /** The client that sent it. */
  readonly owner: number;
  readonly resolve: (response: IncomingResponse) => void;
  readonly reject: (error: unknown) => void;
  /** Stops listening to the request's signal. */
  readonly release: () => void;
}

/**
 * The one HTTP worker thread of a process (per worker script), shared by every transport with
 * `thread: 'worker'`: the logs and the traces exporter pay for one thread, not two. Each client
 * keeps connections of its own in the worker. The thread starts at the first request, stops
 * when its last client closes, is referenced only while a request is in flight (as a socket
 * would be), and is replaced at the next request if it dies, its requests failing as network
 * errors.
 */
export class SharedHttpWorker {
  readonly #entry: URL;
  readonly #pending = new Map<number, Pending>();
  /** Clients that sent a request and are not closed. */
  readonly #clients = new Set<number>();
  #worker: Worker | undefined;
  #nextId = 0;

  constructor(entry: URL) {
    this.#entry = entry;
  }

  request(owner: number, request: OutgoingRequest): Promise<IncomingResponse> {
    const { signal } = request;
    signal.throwIfAborted();
    const worker = this.#started();
    const id = ++this.#nextId;
    const body = messageBody(request.body);
    const message: ToHttpWorker = {
      type: 'request',
      id,
      owner,
      url: request.url,
      method: request.method,
      headers: request.headers,
      body,
      gzip: request.gzip === true,
    };
    try {
      // A copy of our own moves to the worker instead of being copied once more.
      worker.postMessage(
        message,
        body === request.body ? [] : [(body as Uint8Array<ArrayBuffer>).buffer],
      );
    } catch (error) {
      return Promise.reject(error); // nothing was registered: nothing to undo
    }
    this.#clients.add(owner);
    return this.#answerTo(id, owner, signal, worker);
  }

  /**
   * The answer to request `id`, once posted. Apart from `request` so that none of its closures
   * reaches the payload: a settled entry can stay reachable for young collections a while (as
   * an exchange can on the main thread), and must not keep the body it was sent with.
   */
  #answerTo(
    id: number,
    owner: number,
    signal: AbortSignal,
    worker: Worker,
  ): Promise<IncomingResponse> {
    return new Promise<IncomingResponse>((resolve, reject) => {
      const onAbort = (): void => {
        this.#settle(id)?.reject(requestAborted());
        worker.postMessage({ type: 'abort', id } satisfies ToHttpWorker);
      };
      const release = (): void => signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, { owner, resolve, reject, release });
      if (this.#pending.size === 1) worker.ref();
    });
  }

  /** Fails the client's requests and closes its connections; the last client stops the thread. */
  close(owner: number): void {
    for (const [id, pending] of [...this.#pending]) {
      if (pending.owner === owner) {
        this.#settle(id)?.reject(new Error('the HTTP worker thread was closed'));
        // A request still being gzipped would otherwise be sent once it is, on a connection
        // opened anew for the client just closed, which would then stay open.
        this.#worker?.postMessage({ type: 'abort', id } satisfies ToHttpWorker);
      }
    }
    if (!this.#clients.delete(owner)) return;
    const worker = this.#worker;
    if (worker === undefined) return;
    if (this.#clients.size > 0) {
      worker.postMessage({ type: 'close', owner } satisfies ToHttpWorker);
      return;
    }
    this.#worker = undefined;
    void worker.terminate().catch(() => {});
  }

  #started(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    // No inherited execArgv: the app's `--import` / `--require` hooks (OpenTelemetry's own
    // register or instrumentation among them) must not run again in the worker, where they would
    // set up a second SDK and trace our own export requests; some flags (--input-type) even
    // stop a worker from starting.
    const worker = new Worker(this.#entry, { execArgv: [] });
    worker.on('message', (message: FromHttpWorker) => this.#answer(message));
    const lost = (why: string): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      // Every client starts over on a new thread, with connections of its own again.
      this.#clients.clear();
      for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(new Error(why));
    };
    worker.on('error', (error: Error) => lost(`the HTTP worker thread failed: ${error.message}`));
    worker.on('exit', (code: number) => lost(`the HTTP worker thread exited with code ${code}`));
    // After the listeners: adding a 'message' listener references the worker again.
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #answer(message: FromHttpWorker): void {
    const pending = this.#settle(message.id);
    if (pending === undefined) return; // aborted already
    if (message.type === 'response') {
      pending.resolve(new BufferedResponse(message));
      return;
    }
    pending.reject(
      message.malformedRequest
        ? new TypeError(message.message)
        : Object.assign(
            new Error(message.message),
            message.code === undefined ? {} : { code: message.code },
          ),
    );
  }

  /** Takes request `id` out of the pending ones; unreferences the worker when none is left. */
  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    pending.release();
    if (this.#pending.size === 0) this.#worker?.unref();
    return pending;
  }
}

/**
 * The body as the message carries it. The payload itself is copied, never transferred: the
 * delivery may send it again, spool it, or reuse its memory. A view of a larger buffer (a pooled
 * payload) is first cut to its own bytes, which a message would otherwise copy whole; that copy
 * is ours to transfer.
 */
function messageBody(body: HttpPayload): HttpPayload {
  if (typeof body === 'string' || body.byteLength === body.buffer.byteLength) return body;
  // Not `slice()`: on a Buffer it makes another view of the same memory.
  const own = new Uint8Array(body.byteLength);
  own.set(body);
  return own;
}

/** A response the worker read already: its head and the start of its body. */
class BufferedResponse implements IncomingResponse {
  readonly status: number;
  readonly statusText: string;
  readonly #message: Extract<FromHttpWorker, { type: 'response' }>;

  constructor(message: Extract<FromHttpWorker, { type: 'response' }>) {
    this.#message = message;
    this.status = message.status;
    this.statusText = message.statusText;
  }

  header(name: string): string | undefined {
    return this.#message.headers[name];
  }

  read(limit: number): Promise<BodyStart> {
    const { body, truncated } = this.#message;
    return Promise.resolve({
      bytes: body.subarray(0, limit),
      truncated: truncated || body.byteLength > limit,
    });
  }

  discard(): Promise<void> {
    return Promise.resolve();
  }
}
