import { Worker } from 'node:worker_threads';
import type { HttpPayload } from '../types.js';
import type { BodyStart, HttpClient, IncomingResponse, OutgoingRequest } from './http-client.js';
import { HTTP_WORKER_ENTRY } from './worker-entry-url.js';
import type { FromHttpWorker, HttpWorkerData, ToHttpWorker } from './worker-messages.js';

/** A request waiting for the worker's answer. */
interface Pending {
  readonly resolve: (response: IncomingResponse) => void;
  readonly reject: (error: unknown) => void;
  /** Stops listening to the request's signal. */
  readonly release: () => void;
}

/**
 * Requests sent by `node:http` in a worker thread of its own (started at the first request): the
 * main thread only copies the body into a message, about a third of the CPU of sending it
 * itself (see the package README). The worker is referenced while requests are in flight, as a
 * socket would be, and never keeps the process alive when idle; one that dies is replaced at the
 * next request, its requests failing as network errors (retryable).
 */
export class WorkerHttpClient implements HttpClient {
  /** Gzip runs in the worker, so that none of it is on the main thread. */
  readonly compresses = true;
  readonly #url: string;
  readonly #entry: URL;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #nextId = 0;

  constructor(url: string, entry: URL = HTTP_WORKER_ENTRY) {
    this.#url = url;
    this.#entry = entry;
  }

  request(request: OutgoingRequest): Promise<IncomingResponse> {
    const { signal } = request;
    signal.throwIfAborted();
    const worker = this.#started();
    const id = ++this.#nextId;
    return new Promise<IncomingResponse>((resolve, reject) => {
      const onAbort = (): void => {
        this.#settle(id)?.reject(new DOMException('the request was aborted', 'AbortError'));
        worker.postMessage({ type: 'abort', id } satisfies ToHttpWorker);
      };
      const release = (): void => signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, { resolve, reject, release });
      if (this.#pending.size === 1) worker.ref();
      const message: ToHttpWorker = {
        type: 'request',
        id,
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: messageBody(request.body),
        gzip: request.gzip === true,
      };
      worker.postMessage(message);
    });
  }

  close(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll('the HTTP worker thread was closed');
    if (worker !== undefined) void worker.terminate().catch(() => {});
  }

  #started(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const workerData: HttpWorkerData = { url: this.#url };
    // No inherited execArgv: the app's `--import` / `--require` hooks (OpenTelemetry's own
    // register or instrumentation among them) must not run again in the worker, where they would
    // set up a second SDK and trace our own export requests; some flags (--input-type) even
    // stop a worker from starting.
    const worker = new Worker(this.#entry, { workerData, execArgv: [] });
    worker.on('message', (message: FromHttpWorker) => this.#answer(message));
    const lost = (why: string): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failAll(why);
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

  /** Takes the request `id` out of the pending ones; unreferences the worker when none is left. */
  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    pending.release();
    if (this.#pending.size === 0) this.#worker?.unref();
    return pending;
  }

  #failAll(why: string): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(new Error(why));
  }
}

/**
 * The body as the message carries it: copied, not transferred (the delivery may send the same
 * payload again, or spool it), and cut to its own bytes first when it is a view of a larger
 * buffer, which a message would otherwise copy whole.
 */
function messageBody(body: HttpPayload): HttpPayload {
  if (typeof body === 'string' || body.byteLength === body.buffer.byteLength) return body;
  return body.slice();
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
