import type { HttpClient, IncomingResponse, OutgoingRequest } from './http-client.js';
import { SharedHttpWorker } from './shared-http-worker.js';
import { HTTP_WORKER_ENTRY } from './worker-entry-url.js';

/** The process's HTTP worker threads, by worker script (one in production). */
const SHARED_WORKERS = new Map<string, SharedHttpWorker>();
let nextOwner = 0;

/**
 * Closes, in the shared worker, the connections of a client that was dropped without `close()`
 * (its transport never shut down): otherwise they, and the thread if no other client is left,
 * would stay until the process ends. Idle, they keep no process alive; they hold memory.
 */
const DROPPED = new FinalizationRegistry<{
  readonly worker: SharedHttpWorker;
  readonly owner: number;
}>(({ worker, owner }) => worker.close(owner));

/**
 * Requests sent by the transport's own HTTP/1.1 client from the process's HTTP worker thread
 * (see {@link SharedHttpWorker}), with connections of this client's own there: the main thread
 * only copies the body into a message, and gzip runs in the worker too (with gzip about 30% of
 * the main thread's CPU of sending from there, without it about 80%; see the package README).
 */
export class WorkerHttpClient implements HttpClient {
  /** Gzip runs in the worker, so that none of it is on the main thread. */
  readonly compresses = true;
  /** The body is copied into the message before `request` returns. */
  readonly releasesBody = true;
  readonly #owner = ++nextOwner;
  readonly #worker: SharedHttpWorker;

  constructor(entry: URL = HTTP_WORKER_ENTRY) {
    let shared = SHARED_WORKERS.get(entry.href);
    if (shared === undefined) {
      shared = new SharedHttpWorker(entry);
      SHARED_WORKERS.set(entry.href, shared);
    }
    this.#worker = shared;
    DROPPED.register(this, { worker: shared, owner: this.#owner }, this);
  }

  request(request: OutgoingRequest): Promise<IncomingResponse> {
    return this.#worker.request(this.#owner, request);
  }

  close(): void {
    DROPPED.unregister(this);
    this.#worker.close(this.#owner);
  }
}
