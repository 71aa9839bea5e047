// The OTLP/HTTP sink of the end-to-end benchmark: a child process (started by sink-client.ts with
// an IPC channel) listening on 127.0.0.1 on an ephemeral port. It decodes every request to count
// its log records or spans, answers 200 with an empty export response, and reports its counts to
// the parent when asked. Running in its own process, its decoding costs the benchmarked event
// loop nothing, as a collector's would.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { countRecords, type OtlpBodyFormat, type OtlpSignal } from './otlp-count.js';
import type { SinkCounts, SinkReply, SinkRequest } from './sink-protocol.js';

const PATHS: Readonly<Record<string, OtlpSignal>> = { '/v1/logs': 'logs', '/v1/traces': 'spans' };

function emptyCounts(): SinkCounts {
  return { logs: 0, spans: 0, requests: 0, bytes: 0, failures: 0, lastFailure: '' };
}

let counts = emptyCounts();

function send(message: SinkReply): void {
  process.send?.(message);
}

function formatOf(contentType: string | undefined): OtlpBodyFormat | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function fail(response: ServerResponse, status: number, why: string): void {
  counts.failures++;
  counts.lastFailure = why;
  response.writeHead(status, { 'content-type': 'text/plain' }).end(why);
}

function handle(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  const signal = PATHS[(request.url ?? '').split('?')[0] ?? ''];
  const format = formatOf(request.headers['content-type']);
  if (request.method !== 'POST' || signal === undefined || format === undefined) {
    fail(
      response,
      400,
      `unexpected ${request.method} ${request.url} (${request.headers['content-type']})`,
    );
    return;
  }
  let records: number;
  try {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip')
      throw new Error(`content-encoding ${encoding}`);
    const plain = encoding === 'gzip' ? gunzipSync(body) : body;
    records = countRecords(plain, format, signal);
  } catch (error) {
    fail(response, 400, `undecodable ${format} ${signal} request: ${String(error)}`);
    return;
  }
  counts[signal] += records;
  counts.requests++;
  counts.bytes += body.length;
  // An empty ExportLogsServiceResponse / ExportTraceServiceResponse: zero bytes in protobuf.
  const answer = format === 'json' ? '{}' : '';
  response
    .writeHead(200, {
      'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf',
      'content-length': Buffer.byteLength(answer),
    })
    .end(answer);
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => handle(request, response, Buffer.concat(chunks)));
});
// Idle keep-alive connections stay open: a contender's connection waits while the others run,
// and a server-side close racing its next request would fail an export the benchmark counts.
server.keepAliveTimeout = 0;

process.on('message', (message: SinkRequest) => {
  if (message.type === 'take') {
    send({ type: 'counts', id: message.id, counts });
    counts = emptyCounts();
  }
});
// The parent is done (or gone): close and exit.
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});

server.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});
