import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer, Socket } from 'node:net';
import {
  isPermanentError,
  isRetryableError,
  type SendContext,
  type Transport,
} from '@telemetry-reporter/core';
import { nextTurn } from '@telemetry-reporter/core/internal';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpClient } from '../src/client/http-client.js';
import {
  MAX_SOCKETS,
  NodeHttpClient,
  type NodeHttpClientOptions,
  WRITE_AT_ONCE_BYTES,
} from '../src/client/node-http-client.js';
import { SocketHttpClient } from '../src/client/socket-http-client.js';
import { createHttpTransportOver } from '../src/http-transport.js';
import type { HttpTransportOptions } from '../src/index.js';
import { TestServer } from './helpers/test-server.js';
import { garbageCollector, promotedBodies } from './helpers/young-generation.js';

// What the main thread's clients add to the behaviour every client shares (http-transport.test.ts):
// connections reused, bounded, drained, retired when stale, destroyed at shutdown, never keeping
// the process alive, and the turns of the event loop they leave to the application. Our own
// HTTP/1.1 over sockets (the default) is held to what `node:http` (its oracle,
// and the worker thread's client) does, test for test.

type ClientFactory = (url: string, options?: NodeHttpClientOptions) => HttpClient;

const MAIN_THREAD_CLIENTS: readonly (readonly [name: string, make: ClientFactory])[] = [
  ['our HTTP/1.1 over sockets', (url, options) => new SocketHttpClient(url, options)],
  ['node:http', (url, options) => new NodeHttpClient(url, options)],
];

let server: TestServer;

beforeEach(async () => {
  server = await TestServer.start();
});

afterEach(async () => {
  await server.stop();
});

const context = (signal: AbortSignal = new AbortController().signal): SendContext => ({
  signal,
  attempt: 1,
  recordCount: 1,
});

// Seams on `net.Socket`, which both clients write to and read from: the body's write, and the
// task a response arrives in, before the client's own listener sees it.
const socketWrite = Socket.prototype.write;
const socketEmit = Socket.prototype.emit;

afterEach(() => {
  Socket.prototype.write = socketWrite;
  Socket.prototype.emit = socketEmit;
});

/** Calls `onWrite` with each chunk a client socket of the test server writes. */
function onClientWrite(onWrite: (chunk: unknown) => void): void {
  Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (this.remotePort === server.port) onWrite(chunk);
    return (socketWrite as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof Socket.prototype.write;
}

/** Calls `onData` in the task each response arrives in, before the client reads it. */
function onResponseArrived(onData: (socket: Socket) => void): void {
  Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
    if (event === 'data' && this.remotePort === server.port) onData(this);
    return (socketEmit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof Socket.prototype.emit;
}

/**
 * A server in another process, so that its sockets do not count as this process's. It holds
 * every answer until a line arrives on its stdin.
 */
async function serverProcess(): Promise<{ url: string; child: ChildProcess; answer(): void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const held = [];
       const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => held.push(r)); });
       process.stdin.on('data', () => { for (const r of held.splice(0)) r.end(); });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const [port] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return {
    url: `http://127.0.0.1:${port.toString().trim()}/v1/logs`,
    child,
    answer: () => child.stdin?.write('\n'),
  };
}

/** How many handles of each kind keep the event loop alive. */
function keepingAlive(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe.each(MAIN_THREAD_CLIENTS)('%s', (_name, makeClient) => {
  function transport(options: Partial<HttpTransportOptions> = {}): Transport<
    string | Uint8Array
  > & {
    shutdown(): Promise<void>;
    readonly releasesPayload: boolean;
  } {
    const url = String(options.url ?? server.url());
    return createHttpTransportOver({ url, ...options }, makeClient(url, { laterTurn: nextTurn }));
  }

  describe('the URL', () => {
    it("is requested with its path and query, parsed once per URL and not reused for another's", async () => {
      const first = transport({ url: server.url('/v1/logs?tenant=a%20b&x=1') });
      const second = transport({ url: server.url('/other/path') });
      for (let i = 0; i < 2; i++) {
        await first.send('[]', context());
        await second.send('[]', context());
      }
      expect(server.requests.map((r) => r.url)).toEqual([
        '/v1/logs?tenant=a%20b&x=1',
        '/other/path',
        '/v1/logs?tenant=a%20b&x=1',
        '/other/path',
      ]);
    });
  });

  describe('connections', () => {
    it('are reused across sends, without waiting a tick', async () => {
      const http = transport();
      for (let i = 0; i < 5; i++) await http.send('[]', context());
      expect(server.requests).toHaveLength(5);
      expect(server.connections).toBe(1);
    });

    it('are at most MAX_SOCKETS, however many sends are in flight', async () => {
      const http = transport();
      const count = MAX_SOCKETS + 20;
      await Promise.all(Array.from({ length: count }, () => http.send('[]', context())));
      expect(server.requests).toHaveLength(count);
      expect(server.connections).toBeGreaterThan(1);
      expect(server.connections).toBeLessThanOrEqual(MAX_SOCKETS);
    });

    it('a send waiting for one of them is still bound by timeoutMillis and the export signal', async () => {
      server.responder = () => 'hang';
      const http = transport({ timeoutMillis: 500 });
      const busy = Array.from({ length: MAX_SOCKETS }, () =>
        http.send('[]', context()).catch((e: unknown) => e),
      );
      await expect.poll(() => server.requests.length).toBe(MAX_SOCKETS);
      const controller = new AbortController();
      const aborted = http.send('[]', context(controller.signal)).catch((e: unknown) => e);
      const timedOut = http.send('[]', context()).catch((e: unknown) => e);
      const reason = new Error('export deadline');
      controller.abort(reason);
      expect(await aborted).toBe(reason);
      expect(((await timedOut) as Error).message).toContain('timed out after 500 ms');
      for (const error of await Promise.all(busy)) {
        expect((error as Error).message).toContain('timed out after 500 ms');
      }
    });

    it('shutdown ends sends in flight and sends waiting for a connection alike', async () => {
      server.responder = () => 'hang';
      const http = transport();
      const sends = Array.from({ length: MAX_SOCKETS + 2 }, () =>
        http.send('[]', context()).catch((e: unknown) => e),
      );
      await expect.poll(() => server.requests.length).toBe(MAX_SOCKETS);
      await http.shutdown();
      for (const error of await Promise.all(sends)) expect(isPermanentError(error)).toBe(true);
      await server.socketsClosed(MAX_SOCKETS);
      expect(server.requests).toHaveLength(MAX_SOCKETS);
    });

    it('are reused after an error answer too: its body is drained, not cut', async () => {
      server.replies.push(
        { status: 400, headers: { 'content-type': 'text/plain' }, body: 'bad '.repeat(2000) },
        {
          status: 503,
          headers: { 'content-type': 'application/x-protobuf' },
          body: 'x'.repeat(50),
        },
      );
      const http = transport();
      expect(isPermanentError(await http.send('[]', context()).catch((e: unknown) => e))).toBe(
        true,
      );
      expect(isRetryableError(await http.send('[]', context()).catch((e: unknown) => e))).toBe(
        true,
      );
      await http.send('[]', context());
      expect(server.connections).toBe(1);
    });

    it('are closed rather than read for long when a body passes 64 KiB', async () => {
      server.replies.push({ status: 200, body: 'x'.repeat(1024 * 1024) });
      const http = transport();
      await http.send('[]', context());
      await server.socketsClosed(1);
      await http.send('[]', context());
      expect(server.connections).toBe(2);
    });

    it('a kept-alive connection the server reset is retired, and the request sent again at once', async () => {
      // the second request arrives on the connection of the first, which the server then drops
      server.replies.push({ status: 200 }, 'reset');
      const http = transport();
      await http.send('[1]', context());
      await http.send('[2]', context());
      expect(server.requests.map((r) => r.body.toString())).toEqual(['[1]', '[2]', '[2]']);
      expect(server.connections).toBe(2);
    });

    it('a reset of a new connection is not sent again: the delivery decides', async () => {
      server.replies.push('reset');
      const error = await transport()
        .send('[]', context())
        .catch((e: unknown) => e);
      expect(isRetryableError(error)).toBe(true);
      expect((error as Error).message).toContain('ECONNRESET');
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('bodies', () => {
    it('are written in full, or their request ended, before a send settles, even when the server answers first', async () => {
      // A server that answers 200 at the first bytes of the request, then reads on only once the
      // send settled: had it settled with the body still being written, the bytes written after
      // would be those of the next batch (a reused payload), here all 'b'.
      const chunks: Buffer[] = [];
      let socket: Socket | undefined;
      const early = createNetServer((connection) => {
        socket = connection;
        connection.on('data', (chunk: Buffer) => chunks.push(chunk));
        connection.once('data', () => {
          connection.pause();
          connection.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
        });
      });
      early.listen(0, '127.0.0.1');
      await once(early, 'listening');
      try {
        const { port } = early.address() as AddressInfo;
        const http = transport({ url: `http://127.0.0.1:${port}/`, timeoutMillis: 300 });
        expect(http.releasesPayload).toBe(true);
        // Far more than the socket buffers hold, so that the body cannot be written unread.
        const payload = Buffer.alloc(64 * 1024 * 1024, 0x61);
        await http.send(payload, context());
        payload.fill(0x62);
        const connection = socket as Socket;
        const closed = once(connection, 'close');
        connection.resume();
        await closed;
        const request = Buffer.concat(chunks);
        const body = request.subarray(request.indexOf('\r\n\r\n') + 4);
        expect(body.includes(0x62)).toBe(false);
        // Cut at the attempt's timeout: the server answered, so the send still succeeded.
        expect(body.length).toBeGreaterThan(0);
        expect(body.length).toBeLessThan(payload.length);
        await http.shutdown();
      } finally {
        early.close();
      }
    });
  });

  /** Runs `use` with sends through a client given no later turn (the worker thread's). */
  async function withClientOfNoLaterTurn(
    use: (send: (body: string | Buffer) => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const client = makeClient(server.url());
    const send = async (body: string | Buffer) => {
      const response = await client.request({
        url: server.url(),
        method: 'POST',
        headers: {},
        body,
        signal: new AbortController().signal,
      });
      await response.discard();
    };
    try {
      await use(send);
    } finally {
      client.close();
    }
  }

  describe('a body past WRITE_AT_ONCE_BYTES', () => {
    /**
     * Whether the body was handed to the socket by the end of the task `send` was called in. The
     * connection is kept alive from a first send, so that both clients have it at once.
     */
    async function writtenInTheSendingTask(
      send: (body: Buffer) => Promise<unknown>,
      body: Buffer,
    ): Promise<boolean[]> {
      await send(Buffer.from('[]'));
      let written = false;
      onClientWrite((chunk) => {
        if (chunk === body || (chunk instanceof Uint8Array && chunk.byteLength === body.length)) {
          written = true;
        }
      });
      const seen: boolean[] = [];
      const sent = send(body);
      // Queued before the send can ask for a later turn: it runs when this task is over.
      setImmediate(() => seen.push(written));
      await sent;
      return seen;
    }

    let viaTransportOf: ReturnType<typeof transport> | undefined;
    const viaTransport = (body: Buffer) => {
      viaTransportOf ??= transport();
      return viaTransportOf.send(body, context());
    };
    afterEach(async () => {
      await viaTransportOf?.shutdown();
      viaTransportOf = undefined;
    });

    it('is written on a later turn of the event loop than its request was built on, and arrives whole', async () => {
      const body = Buffer.alloc(WRITE_AT_ONCE_BYTES + 1, 0x61);
      expect(await writtenInTheSendingTask(viaTransport, body)).toEqual([false]);
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1]?.body.equals(body)).toBe(true);
    });

    it('is not waited for when it is WRITE_AT_ONCE_BYTES or fewer', async () => {
      const body = Buffer.alloc(WRITE_AT_ONCE_BYTES, 0x61);
      expect(await writtenInTheSendingTask(viaTransport, body)).toEqual([true]);
      expect(server.requests[1]?.body.equals(body)).toBe(true);
    });

    it("is written at once by a client given no later turn (the worker thread's)", async () => {
      await withClientOfNoLaterTurn(async (send) => {
        const body = Buffer.alloc(WRITE_AT_ONCE_BYTES + 1, 0x61);
        expect(await writtenInTheSendingTask(send, body)).toEqual([true]);
        expect(server.requests[1]?.body.equals(body)).toBe(true);
      });
    });

    it('is never written once the send was aborted while it waited for its turn', async () => {
      const http = transport();
      // A kept-alive connection, so that the request has its socket before its turn comes.
      await http.send('[]', context());
      const controller = new AbortController();
      const reason = new Error('export deadline');
      const writes: unknown[] = [];
      onClientWrite((chunk) => writes.push(chunk));
      const outcome = http
        .send(Buffer.alloc(WRITE_AT_ONCE_BYTES + 1), context(controller.signal))
        .catch((e: unknown) => e);
      // Queued before the client asks for its turn, so it runs first.
      setImmediate(() => controller.abort(reason));
      expect(await outcome).toBe(reason);
      // The headers go with the body: the server saw the first request only.
      await server.socketsClosed(1);
      expect(writes).toEqual([]);
      expect(server.requests).toHaveLength(1);
      await http.shutdown();
    });
  });

  describe('a response', () => {
    /** Whether `send` had settled by the end of the task its response arrived in. */
    async function settledInTheArrivingTask(send: () => Promise<unknown>): Promise<boolean[]> {
      let settled = false;
      const seen: boolean[] = [];
      onResponseArrived(() => setImmediate(() => seen.push(settled)));
      await send().finally(() => {
        settled = true;
      });
      // Settled within that task, the send resolves before the immediate has run.
      await new Promise((resolve) => setImmediate(resolve));
      return seen;
    }

    it("is handed on on a later turn than the one it arrived on, by the main thread's client", async () => {
      const http = transport();
      expect(await settledInTheArrivingTask(() => http.send('[]', context()))).toEqual([false]);
      expect(server.requests).toHaveLength(1);
      await http.shutdown();
    });

    it("is handed on at once by a client given no later turn (the worker thread's)", async () => {
      await withClientOfNoLaterTurn(async (send) => {
        expect(await settledInTheArrivingTask(() => send('[]'))).toEqual([true]);
      });
    });

    it('waiting for its turn is not lost to an abort: the send settles by what the server answered', async () => {
      const http = transport();
      const controller = new AbortController();
      // Queued in the task the response arrives in: runs before the client's turn comes.
      onResponseArrived(() => setImmediate(() => controller.abort(new Error('export deadline'))));
      await expect(http.send('[]', context(controller.signal))).resolves.toBeUndefined();
      await expect(http.send('[1]', context())).resolves.toBeUndefined();
      expect(server.requests.map((request) => request.body.toString())).toEqual(['[]', '[1]']);
      await http.shutdown();
    });

    it('waiting for its turn is not lost to a reset of its kept-alive connection, nor sent again', async () => {
      server.responder = (_request, index) =>
        index === 1 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 };
      const http = transport();
      await http.send('[0]', context());
      // The connection is reset after the answer arrived, before the client's turn comes.
      const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      onResponseArrived((socket) => setImmediate(() => socket.destroy(reset)));
      const outcome = await http.send('[1]', context()).catch((e: unknown) => e);
      expect(isRetryableError(outcome) && outcome.retryAfterMillis).toBe(7000);
      expect(server.requests.map((request) => request.body.toString())).toEqual(['[0]', '[1]']);
      await http.shutdown();
    });
  });

  describe('an abort', () => {
    it('just after the request was made sends nothing, and rejects the request', async () => {
      const client = makeClient(server.url(), { laterTurn: nextTurn });
      try {
        const request = (signal: AbortSignal) =>
          client.request({ url: server.url(), method: 'POST', headers: {}, body: '[]', signal });
        // A kept-alive connection first: the second request can take it without waiting.
        await (await request(new AbortController().signal)).discard();
        const controller = new AbortController();
        const outcome = request(controller.signal).catch((e: unknown) => e);
        controller.abort(new Error('export deadline'));
        expect(await outcome).toMatchObject({ name: 'AbortError' });
        await server.socketsClosed(1);
        expect(server.requests).toHaveLength(1);
      } finally {
        client.close();
      }
    });
  });

  describe('shutdown', () => {
    it('destroys idle kept-alive connections', async () => {
      const http = transport();
      await http.send('[]', context());
      expect(server.closedConnections).toBe(0);
      await http.shutdown();
      await server.socketsClosed(1);
    });
  });

  describe('header values Node refuses to send', () => {
    it('fail the send as permanent, naming the header and not its value', async () => {
      const error = await transport({ headers: { authorization: 'Bearer s3cr3t\u0001t0ken' } })
        .send('[]', context())
        .catch((e: unknown) => e);
      expect(isPermanentError(error)).toBe(true);
      expect((error as Error).message).toContain('Invalid character in header content');
      expect((error as Error).message).toContain('authorization');
      expect((error as Error).message).not.toContain('s3cr3t');
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('the process', () => {
    it('is kept alive by a request in flight, and by nothing once it is answered', async () => {
      const { url, child, answer } = await serverProcess();
      try {
        const http = transport({ url, timeoutMillis: 60_000 });
        const before = keepingAlive().TCPSocketWrap ?? 0;
        const timers = keepingAlive().Timeout ?? 0;
        const sent = http.send('[]', context());
        // the request's socket does count while it is in flight: the check sees such sockets
        await expect.poll(() => keepingAlive().TCPSocketWrap ?? 0).toBe(before + 1);
        answer();
        await sent;
        // the connection stays open in the agent, unref'd; the attempt's timer is cleared
        expect(keepingAlive().TCPSocketWrap ?? 0).toBe(before);
        expect(keepingAlive().Timeout ?? 0).toBeLessThanOrEqual(timers);
        await http.shutdown();
      } finally {
        const exited = once(child, 'exit');
        child.kill();
        await exited;
      }
    });
  });
});

describe('our HTTP/1.1 over sockets, after an exchange', () => {
  it('lets a string body go with its send: none is promoted to the old generation', async () => {
    // Found by the soak: the exchange's closures held the request, so every string payload
    // outlived a young collection, and full collections tripled.
    const http = createHttpTransportOver(
      { url: server.url() },
      new SocketHttpClient(server.url(), { laterTurn: nextTurn }),
    );
    const promoted = await promotedBodies((body) => http.send(body, context()));
    await http.shutdown();
    expect(server.requests).toHaveLength(20);
    expect(promoted).toBeLessThan(5);
  });

  it('keeps no request body in its answer, so a payload let go of can be collected', async () => {
    // Whatever still holds a finished exchange (here its answer, kept on purpose) must not hold
    // its request's body: a closure over the request did, and every string payload outlived a
    // young-generation collection into the old one. (`node:http`'s answer keeps its request's
    // body: not a promise of the oracle's.)
    const gc = garbageCollector();
    const client = new SocketHttpClient(server.url(), { laterTurn: nextTurn });
    let body: Uint8Array | undefined = new Uint8Array(256 * 1024).fill(0x61);
    const collected = new WeakRef(body);
    const answer = await client.request({
      url: server.url(),
      method: 'POST',
      headers: {},
      body,
      signal: new AbortController().signal,
    });
    await answer.discard();
    body = undefined;
    await vi.waitFor(
      () => {
        gc();
        expect(collected.deref()).toBeUndefined();
      },
      { timeout: 3_000, interval: 20 },
    );
    expect(answer.status).toBe(200);
    expect(server.requests.map((request) => request.body.length)).toEqual([256 * 1024]);
    client.close();
  });
});
