import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { SendContext } from '@telemetry-reporter/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BodyFraming,
  BodyReader,
  headEnd,
  MAX_HEAD_BYTES,
  parseHead,
  ResponseProtocolError,
} from '../src/client/http1-response.js';
import { createHttpTransport } from '../src/index.js';

// How our own HTTP/1.1 client reads answers: the head, the framings of a body, and what it
// refuses. A misread answer must never leave its connection open for the next request.

function bodyOf(framing: BodyFraming, ...pieces: string[]): { body: string; used: number[] } {
  const got: Buffer[] = [];
  const reader = new BodyReader(framing, (bytes) => got.push(Buffer.from(bytes)));
  const used = pieces.map((piece) => reader.push(Buffer.from(piece, 'latin1')));
  expect(reader.done).toBe(framing.kind !== 'close');
  return { body: Buffer.concat(got).toString('latin1'), used };
}

describe('a response head', () => {
  it('gives status, reason, fields by lower-case name (repeats joined) and the framing', () => {
    const head = parseHead(
      'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 12\r\n',
    );
    expect(head.status).toBe(429);
    expect(head.statusText).toBe('Too Many Requests');
    expect(head.headers.get('retry-after')).toBe('7');
    expect(head.headers.get('x-a')).toBe('1, 2');
    expect(head.framing).toEqual({ kind: 'length', bytes: 12 });
    expect(head.keepAlive).toBe(true);
  });

  it('keeps the connection only for HTTP/1.1 without Connection: close and with a framed body', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n').keepAlive).toBe(false);
    expect(parseHead('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n').keepAlive).toBe(false);
    const unframed = parseHead('HTTP/1.1 200 OK\r\n');
    expect(unframed.framing).toEqual({ kind: 'close' });
    expect(unframed.keepAlive).toBe(false);
    // Both framings: read by the chunked coding, and the connection not reused.
    const both = parseHead(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n',
    );
    expect(both.framing).toEqual({ kind: 'chunked' });
    expect(both.keepAlive).toBe(false);
  });

  it('has no body for 1xx, 204 and 304, whatever the fields say', () => {
    for (const status of [103, 204, 304]) {
      const head = parseHead(`HTTP/1.1 ${status} X\r\nContent-Length: 9\r\n`);
      expect(head.framing).toEqual({ kind: 'length', bytes: 0 });
    }
  });

  it.each([
    ['a malformed status line', 'HTTP/2 200 OK\r\n'],
    ['a malformed status line', 'HTTP/1.1 20 OK\r\n'],
    ['a malformed status line', 'HTTP/1.1 099 Odd\r\n'],
    ['a malformed header field', 'HTTP/1.1 200 OK\r\nNo-Colon\r\n'],
    ['a malformed header field', 'HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n'],
    ['a malformed header field', 'HTTP/1.1 200 OK\r\nBad Name: 1\r\n'],
    ['an invalid content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n'],
    ['an invalid content-length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n'],
    ['an invalid content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n'],
  ])('is refused with %s: %j', (detail, text) => {
    expect(() => parseHead(text)).toThrow(new ResponseProtocolError(detail));
  });

  it('keeps the first of a field a response has one of, as node:http does', () => {
    const head = parseHead(
      'HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nRetry-After: 7\r\nVary: a\r\nVary: b\r\n',
    );
    expect(head.headers.get('retry-after')).toBe('7');
    expect(head.headers.get('vary')).toBe('a, b');
  });

  it('accepts repeated equal content-lengths', () => {
    expect(
      parseHead('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n').framing,
    ).toEqual({
      kind: 'length',
      bytes: 3,
    });
  });

  it('ends after its empty line, and may not pass MAX_HEAD_BYTES', () => {
    expect(headEnd(Buffer.from('HTTP/1.1 200 OK\r\n'))).toBe(-1);
    expect(headEnd(Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody'))).toBe(19);
    const long = Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}`);
    expect(() => headEnd(long)).toThrow(ResponseProtocolError);
    // Lines ended by a bare LF: refused at once rather than waited on.
    expect(() => headEnd(Buffer.from('HTTP/1.1 200 OK\nContent-Length: 0\n\n'))).toThrow(
      new ResponseProtocolError('a bare LF in the head'),
    );
  });
});

describe('a response body', () => {
  it('of a content-length takes that many bytes, across pieces, and no more', () => {
    const { body, used } = bodyOf({ kind: 'length', bytes: 5 }, 'abc', 'deXYZ');
    expect(body).toBe('abcde');
    expect(used).toEqual([3, 2]);
  });

  it('in the chunked coding is decoded across any cut, extensions and trailers included', () => {
    const wire = '3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n';
    for (let cut = 1; cut < wire.length; cut++) {
      const { body, used } = bodyOf({ kind: 'chunked' }, wire.slice(0, cut), wire.slice(cut));
      expect(body).toBe('abc0123456789');
      expect((used[0] as number) + (used[1] as number)).toBe(wire.length);
    }
  });

  it('in the chunked coding stops at its end, leaving what follows', () => {
    const { used } = bodyOf({ kind: 'chunked' }, '0\r\n\r\nHTTP/1.1 200 OK');
    expect(used).toEqual([5]);
  });

  it.each([
    ['an invalid chunk size', 'zz\r\n'],
    ['a chunk longer than its size', '1\r\nab\r\n'],
    ['a bare LF in a chunk', '1\nab'],
    ['a chunk line too long', `1;${'x'.repeat(5000)}`],
  ])('in the chunked coding is refused with %s', (detail, wire) => {
    const reader = new BodyReader({ kind: 'chunked' }, () => {});
    expect(() => reader.push(Buffer.from(wire, 'latin1'))).toThrow(
      new ResponseProtocolError(detail),
    );
  });

  it('framed by the close takes everything', () => {
    expect(bodyOf({ kind: 'close' }, 'abc', 'def').body).toBe('abcdef');
  });
});

// A server written on sockets, answering each request with the next scripted bytes.
let server: Server | undefined;
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  if (server !== undefined) {
    server.close();
    await once(server, 'close');
    server = undefined;
  }
});

async function scriptedServer(
  answers: string[],
): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      // A request of ours ends with its body, whose length the head gives.
      for (;;) {
        const end = seen.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(seen.slice(0, end))?.[1] ?? 0);
        if (seen.length < end + 4 + length) return;
        seen = seen.slice(end + 4 + length);
        const answer = answers.shift();
        if (answer === undefined) socket.destroy();
        else socket.write(answer);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/logs`, connections: () => connections };
}

const context = (): SendContext => ({
  signal: new AbortController().signal,
  attempt: 1,
  recordCount: 1,
});

describe('answers on the wire (the default client)', () => {
  const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

  it.each([
    [
      'a chunked answer after a 103 is read whole, and its connection reused',
      'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      1,
    ],
    [
      // This server leaves the connection open after saying close: it is still never reused.
      'an answer with Connection: close is not followed by another request on its connection',
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      2,
    ],
    [
      "a server's Keep-Alive timeout of one second or less closes the connection after its answer",
      'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 0\r\n\r\n',
      2,
    ],
  ])('%s', async (_name, first, expectedConnections) => {
    const { url, connections } = await scriptedServer([first, OK]);
    const http = createHttpTransport({ url });
    await http.send('[1]', context());
    await http.send('[2]', context());
    expect(connections()).toBe(expectedConnections);
    await http.shutdown();
  });

  it('an answer framed by its close is read, and the next request takes a new connection', async () => {
    const { url, connections } = await scriptedServer([
      'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nno such tenant',
      OK,
    ]);
    // The first server socket ends its answer by closing: the script says so.
    server?.once('connection', (socket: Socket) => {
      socket.once('data', () => setImmediate(() => socket.end()));
    });
    const http = createHttpTransport({ url });
    const error = await http.send('[1]', context()).catch((e: unknown) => e);
    expect((error as Error).message).toContain('no such tenant');
    await http.send('[2]', context());
    expect(connections()).toBe(2);
    await http.shutdown();
  });

  it('a malformed answer fails the send as a network error, and its connection is not reused', async () => {
    const { url, connections } = await scriptedServer([
      'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n',
      OK,
    ]);
    const http = createHttpTransport({ url });
    const error = await http.send('[1]', context()).catch((e: unknown) => e);
    expect((error as Error).message).toContain('invalid content-length');
    expect((error as Error).message).toContain('TR_HTTP_PROTOCOL');
    await http.send('[2]', context());
    expect(connections()).toBe(2);
    await http.shutdown();
  });
});
