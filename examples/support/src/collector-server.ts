import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { messages, stringField, varintField } from './protobuf-reader.js';

/** A log record as the collector received it. */
export interface ReceivedLogRecord {
  /** The body when it is a string (`AnyValue.string_value`), else `undefined`. */
  readonly body: string | undefined;
  readonly severityNumber: number;
  readonly severityText: string | undefined;
  /** Hex, or `''` when the record was emitted outside a span. */
  readonly traceId: string;
}

/** A span as the collector received it. */
export interface ReceivedSpan {
  readonly name: string;
  /** OTLP's `Span.SpanKind`: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  /** Hex. */
  readonly traceId: string;
}

/** What the collector received so far. */
export interface CollectorReport {
  readonly logRecords: readonly ReceivedLogRecord[];
  readonly spans: readonly ReceivedSpan[];
  /** Export requests received, per signal (metrics are counted, not decoded). */
  readonly requests: { readonly logs: number; readonly traces: number; readonly metrics: number };
}

/** A running collector server. */
export interface CollectorServer {
  /** `http://127.0.0.1:<port>`, as `OTEL_EXPORTER_OTLP_ENDPOINT` would be. */
  readonly endpoint: string;
  report(): CollectorReport;
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP receiver on 127.0.0.1 (a port the OS picks): it takes `POST /v1/logs`,
 * `/v1/traces` and `/v1/metrics` in OTLP protobuf, gzipped or not, keeps what it needs to check an
 * example (log bodies, severities and trace ids; span names, kinds and trace ids) and answers 200
 * with an empty response message. OTLP/JSON gets 415, so a misconfigured exporter shows as a
 * failure.
 */
export async function startCollectorServer(): Promise<CollectorServer> {
  const logRecords: ReceivedLogRecord[] = [];
  const spans: ReceivedSpan[] = [];
  const requests = { logs: 0, traces: 0, metrics: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const signal = SIGNALS.get(req.url ?? '');
    if (req.method !== 'POST' || signal === undefined) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['content-type'] !== 'application/x-protobuf') {
      res.writeHead(415).end('this collector takes OTLP protobuf only');
      return;
    }
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    requests[signal]++;
    if (signal === 'logs') logRecords.push(...decodeLogRecords(body));
    if (signal === 'traces') spans.push(...decodeSpans(body));
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    report: () => ({ logRecords, spans, requests }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // exporters keep idle keep-alive sockets open
      }),
  };
}

const SIGNALS = new Map<string, 'logs' | 'traces' | 'metrics'>([
  ['/v1/logs', 'logs'],
  ['/v1/traces', 'traces'],
  ['/v1/metrics', 'metrics'],
]);

// ExportLogsServiceRequest: resource_logs = 1; ResourceLogs: scope_logs = 2; ScopeLogs:
// log_records = 2; LogRecord: severity_number = 2, severity_text = 3, body = 5 (AnyValue:
// string_value = 1), trace_id = 9.
function decodeLogRecords(request: Uint8Array): ReceivedLogRecord[] {
  const records: ReceivedLogRecord[] = [];
  for (const resource of messages(request, 1)) {
    for (const scope of messages(resource, 2)) {
      for (const record of messages(scope, 2)) {
        let body: string | undefined;
        for (const anyValue of messages(record, 5)) body = stringField(anyValue, 1);
        records.push({
          body,
          severityNumber: varintField(record, 2),
          severityText: stringField(record, 3),
          traceId: hexField(record, 9),
        });
      }
    }
  }
  return records;
}

// ExportTraceServiceRequest: resource_spans = 1; ResourceSpans: scope_spans = 2; ScopeSpans:
// spans = 2; Span: trace_id = 1, name = 5, kind = 6.
function decodeSpans(request: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resource of messages(request, 1)) {
    for (const scope of messages(resource, 2)) {
      for (const span of messages(scope, 2)) {
        spans.push({
          name: stringField(span, 5) ?? '',
          kind: varintField(span, 6),
          traceId: hexField(span, 1),
        });
      }
    }
  }
  return spans;
}

function hexField(message: Uint8Array, wanted: number): string {
  for (const bytes of messages(message, wanted)) return Buffer.from(bytes).toString('hex');
  return '';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
