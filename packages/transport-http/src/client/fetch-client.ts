import { describeValue } from '@telemetry-reporter/core/internal';
import type { FetchFunction } from '../types.js';
import type { BodyStart, HttpClient, IncomingResponse, OutgoingRequest } from './http-client.js';
import { DRAIN_LIMIT_BYTES } from './response-body.js';

/** Requests through a `fetch` function: the `fetch` option, e.g. undici's with a proxy. */
export class FetchClient implements HttpClient {
  readonly #fetch: FetchFunction;

  constructor(fetch: FetchFunction) {
    this.#fetch = fetch;
  }

  async request(request: OutgoingRequest): Promise<IncomingResponse> {
    const response = await this.#fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      // A redirect could carry custom credential headers to another origin: not followed.
      redirect: 'manual',
    });
    if (!isResponse(response)) {
      // No cause: the transport reports it as a malformed request, which no retry fixes.
      throw new TypeError(`fetch resolved to ${describeValue(response)}, not a Response`);
    }
    return new FetchResponse(response);
  }

  close(): void {
    // The fetch owns its connections; aborting the requests in flight is all we can do.
  }
}

function isResponse(value: unknown): value is Response {
  const response = value as Partial<Response> | null | undefined;
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof response.status === 'number' &&
    typeof response.headers?.get === 'function'
  );
}

class FetchResponse implements IncomingResponse {
  readonly #response: Response;

  constructor(response: Response) {
    this.#response = response;
  }

  get status(): number {
    return this.#response.status;
  }

  get statusText(): string {
    return typeof this.#response.statusText === 'string' ? this.#response.statusText : '';
  }

  header(name: string): string | undefined {
    return this.#response.headers.get(name) ?? undefined;
  }

  read(limit: number): Promise<BodyStart> {
    return readUpTo(this.#response, limit);
  }

  async discard(): Promise<void> {
    // Reading a small body to its end lets undici reuse the connection; cancelling releases it.
    await readUpTo(this.#response, DRAIN_LIMIT_BYTES);
  }
}

/** Up to `limit` bytes of the body, then the rest cancelled. Never throws. */
async function readUpTo(response: Response, limit: number): Promise<BodyStart> {
  const body = response.body;
  if (body === null || body === undefined) return { bytes: new Uint8Array(0), truncated: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    reader = body.getReader();
    while (true) {
      if (total >= limit) {
        truncated = true;
        break;
      }
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // aborted or reset while reading: what arrived may end inside a secret
    truncated = true;
  } finally {
    await reader?.cancel().catch(() => {});
  }
  return { bytes: Buffer.concat(chunks, total).subarray(0, limit), truncated };
}
