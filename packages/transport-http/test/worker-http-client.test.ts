import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerHttpClient } from '../src/client/worker-http-client.js';
import { createHttpTransport, type HttpTransportOptions } from '../src/index.js';
import { HTTP_WORKER_ENTRY } from './helpers/built-worker-entry.js';
import { TestServer } from './helpers/test-server.js';
import { garbageCollector, promotedBodies } from './helpers/young-generation.js';

// What sending from a worker thread (thread: 'worker') adds to the behaviour every client shares
// (http-transport.test.ts runs that over the worker too): a worker that dies fails its requests
// as network errors and is replaced, and the process lives exactly as long as a request is in
// flight.

let server: TestServer;
let scratch: string;

beforeEach(async () => {
  server = await TestServer.start();
  scratch = mkdtempSync(join(tmpdir(), 'tr-http-worker-'));
});

afterEach(async () => {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A worker script of the test's, `source` written to `name` in the scratch folder. */
function workerScript(name: string, source: string): URL {
  const file = join(scratch, name);
  writeFileSync(file, source);
  return pathToFileURL(file);
}

/** A worker script that exits with `code` at its first message, counting its starts in a file. */
function dyingWorker(code: number): URL {
  return workerScript(
    'dying-worker.mjs',
    `import { appendFileSync } from 'node:fs';
     import { parentPort } from 'node:worker_threads';
     appendFileSync(${JSON.stringify(join(scratch, 'starts'))}, 'x');
     parentPort.on('message', () => process.exit(${code}));`,
  );
}

/** A worker script that counts its starts in a file, then runs the real HTTP worker. */
function countingWorker(): { entry: URL; starts: () => string } {
  const starts = join(scratch, 'counting-starts');
  writeFileSync(starts, '');
  const entry = workerScript(
    'counting-worker.mjs',
    `import { appendFileSync } from 'node:fs';
     appendFileSync(${JSON.stringify(starts)}, 'x');
     await import(${JSON.stringify(HTTP_WORKER_ENTRY.href)});`,
  );
  return { entry, starts: () => readFileSync(starts, 'utf8') };
}

/**
 * A worker script that records each message it is told, `type id` (or `type owner`), and never
 * answers: requests stay in flight.
 */
function recordingWorker(): { entry: URL; lines: () => string[] } {
  const told = join(scratch, 'told');
  writeFileSync(told, '');
  const entry = workerScript(
    'recording-worker.mjs',
    `import { appendFileSync } from 'node:fs';
     import { parentPort } from 'node:worker_threads';
     parentPort.on('message', (m) => appendFileSync(${JSON.stringify(told)}, m.type + ' ' + (m.id ?? m.owner) + '\\n'));`,
  );
  const lines = () =>
    readFileSync(told, 'utf8')
      .trim()
      .split('\n')
      .filter((line) => line !== '');
  return { entry, lines };
}

const post = () => ({
  url: server.url(),
  method: 'POST' as const,
  headers: {},
  body: '[]',
  signal: new AbortController().signal,
});

describe('the worker thread', () => {
  it('is one for every transport, with connections of their own, until the last one closes', async () => {
    const { entry, starts } = countingWorker();
    const logs = new WorkerHttpClient(entry);
    const traces = new WorkerHttpClient(entry);
    expect((await logs.request(post())).status).toBe(200);
    expect((await traces.request(post())).status).toBe(200);
    expect(starts()).toBe('x');
    expect(server.connections).toBe(2);
    // Closing one closes its connection only; the other goes on over its own.
    logs.close();
    await server.socketsClosed(1);
    expect((await traces.request(post())).status).toBe(200);
    expect(server).toMatchObject({ connections: 2, closedConnections: 1 });
    // The last one stops the thread: the next client starts another.
    traces.close();
    await server.socketsClosed(2);
    const next = new WorkerHttpClient(entry);
    expect((await next.request(post())).status).toBe(200);
    expect(starts()).toBe('xx');
    next.close();
  });
});

describe('a client closed with requests in flight', () => {
  it('has them aborted in the worker, so none is sent later on a connection opened anew', async () => {
    const { entry, lines } = recordingWorker();
    const closing = new WorkerHttpClient(entry);
    const staying = new WorkerHttpClient(entry);
    const closed = closing.request(post());
    const answer = staying.request(post());
    answer.catch(() => {});
    closing.close();
    await expect(closed).rejects.toThrow('the HTTP worker thread was closed');
    await vi.waitFor(() => expect(lines()).toHaveLength(4));
    // Before the fix the worker only heard `close`: a request still being gzipped was sent
    // once it was, for a client that no longer existed, on a connection that then stayed open.
    const [first, second, abort, close] = lines();
    expect([second?.startsWith('request'), abort, close?.startsWith('close')]).toEqual([
      true,
      `abort ${first?.split(' ')[1]}`,
      true,
    ]);
    staying.close();
    await expect(answer).rejects.toThrow('the HTTP worker thread was closed');
  });
});

describe('a request the message cannot carry', () => {
  it('fails alone and leaves nothing in flight behind', async () => {
    const { entry, lines } = recordingWorker();
    const failing = new WorkerHttpClient(entry);
    const staying = new WorkerHttpClient(entry);
    const answer = staying.request(post());
    answer.catch(() => {});
    // A view of a buffer moved elsewhere: postMessage refuses to clone it.
    const body = new Uint8Array(8);
    structuredClone(body.buffer, { transfer: [body.buffer] });
    await expect(failing.request({ ...post(), body })).rejects.toThrow(/detached/i);
    failing.close();
    // Messages arrive in order: whatever `close` told the worker comes before this request.
    const later = staying.request(post());
    later.catch(() => {});
    await vi.waitFor(() => expect(lines()).toHaveLength(2));
    // Registered before it was posted, the failed request would have stayed in flight (the
    // worker referenced, keeping the process alive), and `close` would have aborted it.
    expect(lines().map((line) => line.split(' ')[0])).toEqual(['request', 'request']);
    staying.close();
    await expect(answer).rejects.toThrow('the HTTP worker thread was closed');
  });
});

describe('a client dropped without close()', () => {
  it('has its connections closed once it is garbage, and the thread stops if it was the last', async () => {
    const gc = garbageCollector();
    /** Collects garbage until `check` passes (finalizers run a task after the collection). */
    const collectedUntil = (check: () => void) =>
      vi.waitFor(
        () => {
          gc();
          check();
        },
        { timeout: 10_000, interval: 20 },
      );
    const { entry, starts } = countingWorker();
    const kept = new WorkerHttpClient(entry);
    const dropOne = async () => {
      const dropped = new WorkerHttpClient(entry);
      expect((await dropped.request(post())).status).toBe(200);
    };
    await dropOne();
    expect((await kept.request(post())).status).toBe(200);
    expect(server.connections).toBe(2);
    await collectedUntil(() => expect(server.closedConnections).toBe(1));
    // The kept client goes on, on the same thread.
    expect((await kept.request(post())).status).toBe(200);
    expect(starts()).toBe('x');
    kept.close();
    await server.socketsClosed(2);
    // Dropped alone, a client stops the thread: the next one starts another.
    await dropOne();
    await collectedUntil(() => expect(server.closedConnections).toBe(3));
    const next = new WorkerHttpClient(entry);
    expect((await next.request(post())).status).toBe(200);
    expect(starts()).toBe('xxx');
    next.close();
  });
});

describe('a worker thread that dies', () => {
  it('fails its requests as network errors, and is replaced at the next request', async () => {
    const client = new WorkerHttpClient(dyingWorker(7));
    const request = {
      url: server.url(),
      method: 'POST' as const,
      headers: {},
      body: '[]',
      signal: new AbortController().signal,
    };
    await expect(client.request(request)).rejects.toThrow(
      'the HTTP worker thread exited with code 7',
    );
    await expect(client.request(request)).rejects.toThrow(
      'the HTTP worker thread exited with code 7',
    );
    expect(readFileSync(join(scratch, 'starts'), 'utf8')).toBe('xx');
    client.close();
  });
});

describe('bodies', () => {
  it('lets a string body go once it is posted: none is promoted to the old generation', async () => {
    // The answer's bookkeeping used to close over the request, and with it the payload.
    const transport = createHttpTransport({ url: server.url(), thread: 'worker' });
    const context = { signal: new AbortController().signal, attempt: 1, recordCount: 1 };
    const promoted = await promotedBodies((body) => transport.send(body, context), {
      count: 32,
      together: 8,
    });
    await transport.shutdown();
    expect(server.requests).toHaveLength(32);
    expect(promoted).toBeLessThan(8);
  });

  it("brings back a response body in a buffer of its own size, not the worker's pooled slab", async () => {
    server.replies.push({ status: 503, body: 'busy' });
    const client = new WorkerHttpClient();
    const response = await client.request(post());
    const { bytes } = await response.read(1024);
    client.close();
    expect([response.status, Buffer.from(bytes).toString(), bytes.buffer.byteLength]).toEqual([
      503,
      'busy',
      4,
    ]);
  });

  it('sends a view of a larger buffer as its own bytes only', async () => {
    const transport = createHttpTransport({ url: server.url(), thread: 'worker' });
    const whole = Buffer.from('before|the payload|after');
    await transport.send(whole.subarray(7, 18), {
      signal: new AbortController().signal,
      attempt: 1,
      recordCount: 1,
    });
    await transport.shutdown();
    expect(server.requests.map((request) => request.body.toString())).toEqual(['the payload']);
  });

  it('leaves the payload whole and its own: copied into the message, never moved', async () => {
    const transport = createHttpTransport({ url: server.url(), thread: 'worker' });
    expect(transport.releasesPayload).toBe(true);
    const whole = Buffer.from('before|the payload|after');
    const view = whole.subarray(7, 18);
    // A buffer of its own (not a view of Node's shared pool) goes into the message as it is.
    const own = Buffer.allocUnsafeSlow(14);
    own.write('its own buffer');
    const context = () => ({ signal: new AbortController().signal, attempt: 1, recordCount: 1 });
    await transport.send(view, context());
    await transport.send(own, context());
    // What a reused payload gets once its send settled: the bytes sent must not change.
    whole.fill(0x78);
    own.fill(0x79);
    await transport.send(view, context());
    await transport.send(own, context());
    await transport.shutdown();
    expect([whole.buffer.byteLength > 0, own.buffer.byteLength]).toEqual([true, 14]);
    expect(server.requests.map((request) => request.body.toString())).toEqual([
      'the payload',
      'its own buffer',
      'x'.repeat(11),
      'y'.repeat(14),
    ]);
  });
});

describe("thread: 'auto'", () => {
  const context = () => ({ signal: new AbortController().signal, attempt: 1, recordCount: 1 });
  /** Which client sent a payload with `options`: the worker's, or one on the main thread. */
  async function sentFromWorker(options: Partial<HttpTransportOptions>): Promise<boolean> {
    const viaWorker = vi.spyOn(WorkerHttpClient.prototype, 'request');
    try {
      const transport = createHttpTransport({ url: server.url(), thread: 'auto', ...options });
      await transport.send('{"auto":true}', context());
      await transport.shutdown();
      return viaWorker.mock.calls.length > 0;
    } finally {
      viaWorker.mockRestore();
    }
  }

  it('sends from the worker with gzip, where the worker saves the main thread most', async () => {
    expect(await sentFromWorker({ compression: 'gzip' })).toBe(true);
    expect(server.requests.map((request) => request.headers['content-encoding'])).toEqual(['gzip']);
    expect(server.requests[0]?.body.toString()).toBe('{"auto":true}');
  });

  it('sends from the main thread without gzip, and with a fetch whatever the compression', async () => {
    expect(await sentFromWorker({})).toBe(false);
    expect(await sentFromWorker({ compression: 'none' })).toBe(false);
    const fetched = vi.fn(globalThis.fetch);
    expect(await sentFromWorker({ compression: 'gzip', fetch: fetched })).toBe(false);
    expect(fetched).toHaveBeenCalledTimes(1);
    expect(server.requests).toHaveLength(3);
  });
});

describe('the process', () => {
  it('is kept alive by a request in flight, and not by the idle worker once it is answered', async () => {
    // The server answers after 400 ms; the child does nothing else. Unreferenced during the
    // request, the worker would let the child exit before the answer; referenced after it, it
    // would keep the child alive for ever.
    const late = createServer((request, response) => {
      request.resume();
      request.on('end', () => setTimeout(() => response.writeHead(204).end(), 400));
    });
    late.listen(0, '127.0.0.1');
    await once(late, 'listening');
    const url = `http://127.0.0.1:${(late.address() as AddressInfo).port}/v1/logs`;
    const script = `
      import { createHttpTransport } from '@telemetry-reporter/transport-http';
      const transport = createHttpTransport({ url: ${JSON.stringify(url)}, thread: 'worker' });
      transport.send('[]', { signal: new AbortController().signal, attempt: 1, recordCount: 1 })
        .then(() => console.log('delivered'), (error) => console.log('failed', error.message));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(output.trim()).toBe('delivered');
    expect(code).toBe(0);
    late.close();
  });
});
