import * as http from 'node:http';
import * as https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import {
  byteLength,
  codeOf,
  IDLE_SOCKET_TIMEOUT_MILLIS,
  MAX_SOCKETS,
  requestAborted,
  STALE_CONNECTION_CODES,
  StaleConnectionError,
  sendAgainIfStale,
  WRITE_AT_ONCE_BYTES,
} from './connection-limits.js';
import type { BodyStart, HttpClient, IncomingResponse, OutgoingRequest } from './http-client.js';
import { DRAIN_LIMIT_BYTES } from './response-body.js';

export {
  IDLE_SOCKET_TIMEOUT_MILLIS,
  MAX_SOCKETS,
  WRITE_AT_ONCE_BYTES,
} from './connection-limits.js';

/** How a {@link NodeHttpClient} shares the event loop. */
export interface NodeHttpClientOptions {
  /**
   * Resolves on a later turn of the event loop (the main thread's client: core's `nextTurn`, the
   * turns encoding slices take too). A body of more than {@link WRITE_AT_ONCE_BYTES} is written
   * after one, and a response is handed on after one, so that neither shares a task with
   * `node:http`'s own work. Left out, both happen at once, as in the worker thread, whose loop
   * serves no application.
   */
  readonly laterTurn?: () => Promise<void>;
  /**
   * Certificates to trust for `https:` URLs instead of Node's own store (for tests: the
   * transport's options have none; `NODE_EXTRA_CA_CERTS` adds to the store).
   */
  readonly ca?: string | Buffer;
}

/**
 * The test oracle of {@link SocketHttpClient}, which replaced it: requests through `node:http` /
 * `node:https` with a keep-alive agent of its own. About a third
 * of the main-thread CPU of `fetch` per request without gzip, half to two thirds with it (see
 * bench/http-client-cost.mjs and the README), connections
 * reused, at most {@link MAX_SOCKETS} of them, idle ones unref'd so that they never keep the
 * process alive, and all of them destroyed by `close()`.
 */
export class NodeHttpClient implements HttpClient {
  /** A response is read only once the body was written or the request destroyed. */
  readonly releasesBody = true;
  readonly #agent: http.Agent;
  readonly #send: typeof http.request;
  readonly #laterTurn: (() => Promise<void>) | undefined;
  /** The last URL requested, parsed: a transport sends every request to one URL. */
  #target: { readonly url: string; readonly options: http.RequestOptions } | undefined;

  constructor(url: string, options: NodeHttpClientOptions = {}) {
    this.#laterTurn = options.laterTurn;
    const agentOptions: http.AgentOptions = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      maxFreeSockets: MAX_SOCKETS,
      timeout: IDLE_SOCKET_TIMEOUT_MILLIS,
      // The most recently used connection first, so that the others idle out.
      scheduling: 'lifo',
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    };
    const secure = new URL(url).protocol === 'https:';
    this.#agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.#send = secure ? https.request : http.request;
  }

  request(request: OutgoingRequest): Promise<IncomingResponse> {
    return sendAgainIfStale(request.signal, () => this.#exchange(request));
  }

  close(): void {
    this.#agent.destroy();
  }

  /**
   * Host, port and path of `url`, parsed once: given the URL string, `http.request` would parse
   * it on every request, a good share of the request's cost on the main thread.
   */
  #optionsOf(url: string): http.RequestOptions {
    if (this.#target?.url !== url) this.#target = { url, options: urlToHttpOptions(new URL(url)) };
    return this.#target.options;
  }

  #exchange(request: OutgoingRequest): Promise<IncomingResponse> {
    const { signal } = request;
    signal.throwIfAborted();
    const bodyBytes = byteLength(request.body);
    return new Promise<IncomingResponse>((resolve, reject) => {
      let outgoing: http.ClientRequest;
      try {
        outgoing = this.#send({
          ...this.#optionsOf(request.url),
          method: request.method,
          headers: { ...request.headers, 'content-length': bodyBytes },
          agent: this.#agent,
        });
      } catch (error) {
        reject(error); // an invalid header character: Node refuses to build the request
        return;
      }
      const onAbort = (): void => {
        // Always an error of our own: without one Node reports the abort as a reset, which
        // must not read as a stale connection. The transport rejects with the signal's reason.
        outgoing.destroy(requestAborted());
      };
      // Removed once the body is read or discarded: the signal bounds the body too.
      const release = (): void => signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
      let failed = false;
      /** The response, once its head arrived: what the server answered stands from then on. */
      let answered: NodeResponse | undefined;
      outgoing.on('error', (error: Error) => {
        failed = true;
        release();
        if (answered !== undefined) {
          // A reset or an abort after the answer, even one still waiting for its turn below:
          // it is handed on now, and reading its body meets the close. Rejecting here would
          // lose what the server said, and a reused connection's request would go again.
          resolve(answered);
          return;
        }
        reject(
          outgoing.reusedSocket && STALE_CONNECTION_CODES.has(codeOf(error))
            ? new StaleConnectionError(error)
            : error,
        );
      });
      const laterTurn = this.#laterTurn;
      outgoing.on('response', (incoming: http.IncomingMessage) => {
        // From here on errors surface while the body is read; the listener above stays, so an
        // error after the response is never unhandled, and settles nothing twice.
        const response = new NodeResponse(incoming, outgoing, release);
        answered = response;
        if (laterTurn === undefined) {
          resolve(response);
          return;
        }
        // What follows (the body read, the send and its export settled, the next export
        // started) is about as long again as Node's parsing of the response that runs first:
        // on a turn of its own, neither makes a long task (docs/benchmarks.md). The response
        // waits unread meanwhile.
        const handOn = (): void => resolve(response);
        laterTurn().then(handOn, handOn);
      });
      const { body } = request;
      if (laterTurn === undefined || bodyBytes <= WRITE_AT_ONCE_BYTES) {
        outgoing.end(body);
        return;
      }
      laterTurn()
        .then(() => {
          // Aborted, timed out or shut down meanwhile (destroyed at once), or failed by its
          // socket (an error, before Node marks it destroyed): that already settled the request.
          if (failed || outgoing.destroyed) return;
          outgoing.end(body);
        })
        // Out of the executor, a throw would reject nothing: it fails the request instead.
        .catch((error: unknown) => {
          outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
        });
    });
  }
}

class NodeResponse implements IncomingResponse {
  readonly status: number;
  readonly statusText: string;
  readonly #incoming: http.IncomingMessage;
  readonly #outgoing: http.ClientRequest;
  readonly #release: () => void;

  constructor(incoming: http.IncomingMessage, outgoing: http.ClientRequest, release: () => void) {
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.#release = release;
    this.status = incoming.statusCode ?? 0;
    this.statusText = incoming.statusMessage ?? '';
    incoming.on('error', () => {}); // a reset while reading: consume() sees the 'close'
  }

  header(name: string): string | undefined {
    const value = this.#incoming.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  read(limit: number): Promise<BodyStart> {
    return this.#consume(limit);
  }

  async discard(): Promise<void> {
    await this.#consume(0);
  }

  /**
   * Keeps the first `keep` bytes and reads on to the end, so that the connection goes back to
   * the agent; a body past {@link DRAIN_LIMIT_BYTES} is cut and its connection destroyed.
   */
  #consume(keep: number): Promise<BodyStart> {
    const incoming = this.#incoming;
    return new Promise<BodyStart>((resolve) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let seen = 0;
      const finish = (complete: boolean): void => {
        incoming.off('data', onData);
        incoming.off('end', onEnd);
        incoming.off('close', onClose);
        if (!complete) this.#outgoing.destroy();
        const bytes = Buffer.concat(chunks, kept).subarray(0, keep);
        afterBodyWritten(this.#outgoing, () => {
          this.#release();
          resolve({ bytes, truncated: !complete || seen > keep });
        });
      };
      const onData = (chunk: Buffer): void => {
        seen += chunk.length;
        if (kept < keep) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        if (seen > DRAIN_LIMIT_BYTES) finish(false);
      };
      const onEnd = (): void => finish(true);
      // 'close' before 'end': aborted, reset, or destroyed by the signal.
      const onClose = (): void => finish(false);
      if (incoming.readableEnded || incoming.destroyed) {
        finish(incoming.readableEnded);
        return;
      }
      incoming.on('data', onData);
      incoming.on('end', onEnd);
      incoming.on('close', onClose);
    });
  }
}

/**
 * Calls `then` once the request's body was handed to the system in full, or the request was
 * destroyed: a server may answer before it read the body, and a payload reused while Node still
 * writes it would send another batch's bytes. The request's abort listener stays until then, so
 * a server that answers and never reads on holds the attempt until its timeout at most.
 */
function afterBodyWritten(outgoing: http.ClientRequest, then: () => void): void {
  if (outgoing.writableFinished || outgoing.destroyed) {
    then();
    return;
  }
  const done = (): void => {
    outgoing.off('finish', done);
    outgoing.off('close', done);
    then();
  };
  outgoing.on('finish', done);
  outgoing.on('close', done);
}
