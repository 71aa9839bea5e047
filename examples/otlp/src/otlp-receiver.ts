import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** What the receiver counted, per signal. */
export interface ReceivedCounts {
  requests: number;
  records: number;
}

/** A running local OTLP/HTTP receiver. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: an OTLP endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT would be. */
  readonly endpoint: string;
  readonly logs: Readonly<ReceivedCounts>;
  readonly traces: Readonly<ReceivedCounts>;
  close(): Promise<void>;
}

/**
 * A stand-in for an OpenTelemetry Collector, so the example runs without one: it takes
 * `POST /v1/logs` and `POST /v1/traces` in OTLP protobuf or OTLP/JSON and counts the records.
 * It answers 200 with an empty response message: no bytes in protobuf, `{}` in JSON.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const logs: ReceivedCounts = { requests: 0, records: 0 };
  const traces: ReceivedCounts = { requests: 0, records: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const counts = req.url === '/v1/logs' ? logs : req.url === '/v1/traces' ? traces : undefined;
    if (req.method !== 'POST' || counts === undefined) {
      res.writeHead(404).end();
      return;
    }
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const json = req.headers['content-type']?.startsWith('application/json') === true;
    counts.requests++;
    counts.records += json ? countJson(body.toString('utf8')) : countProtobuf(body);
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    logs,
    traces,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // exporters keep idle keep-alive sockets open
      }),
  };
}

/**
 * Records in an `ExportLogsServiceRequest` or `ExportTraceServiceRequest`. Both nest the same
 * way, with the same field numbers: resource_{logs,spans} = 1, scope_{logs,spans} = 2,
 * log_records / spans = 2. Enough of the protobuf wire format to walk that, nothing more.
 */
function countProtobuf(request: Uint8Array): number {
  let records = 0;
  for (const resource of fields(request, 1)) {
    for (const scope of fields(resource, 2)) {
      for (const _record of fields(scope, 2)) records++;
    }
  }
  return records;
}

/** The length-delimited fields numbered `wanted` of one message; other fields are skipped. */
function* fields(message: Uint8Array, wanted: number): Generator<Uint8Array> {
  let pos = 0;
  while (pos < message.length) {
    const [tag, afterTag] = varint(message, pos);
    const wireType = tag % 8;
    pos = afterTag;
    if (wireType === 0) pos = varint(message, pos)[1];
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === 2) {
      const [length, start] = varint(message, pos);
      pos = start + length;
      if (pos > message.length) throw new RangeError('truncated message');
      if (Math.floor(tag / 8) === wanted) yield message.subarray(start, pos);
    } else throw new RangeError(`unsupported wire type ${wireType}`);
  }
}

/** A varint and the position after it; arithmetic, not bit operators, past 2^31. */
function varint(buf: Uint8Array, start: number): [number, number] {
  let value = 0;
  let factor = 1;
  for (let pos = start; pos < buf.length; pos++) {
    const byte = buf[pos] as number;
    value += (byte & 0x7f) * factor;
    if (byte < 0x80) return [value, pos + 1];
    factor *= 128;
  }
  throw new RangeError('truncated varint');
}

interface OtlpJsonRequest {
  resourceLogs?: { scopeLogs?: { logRecords?: unknown[] }[] }[];
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

/** Records in an OTLP/JSON request, logs or traces. */
function countJson(text: string): number {
  const request = JSON.parse(text) as OtlpJsonRequest;
  let records = 0;
  for (const rl of request.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) records += sl.logRecords?.length ?? 0;
  }
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) records += ss.spans?.length ?? 0;
  }
  return records;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
