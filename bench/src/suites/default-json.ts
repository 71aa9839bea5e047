import {
  createJsonEncoder,
  logRecordToJson,
  type ReporterLogRecord,
  type ReporterSpan,
  spanToJson,
  type Transport,
  TransportLogRecordExporter,
  TransportSpanExporter,
} from '@telemetry-reporter/otel';
import type { BenchConfig } from '../config.js';
import { CPU_CLOCK_LABEL, cpuMicros } from '../e2e/paced-run.js';
import {
  type Contender,
  createLoggerProvider,
  createTracerProvider,
  LOG_LINE,
  SPAN_NAME,
  SPAN_OPTIONS,
} from '../fixtures.js';
import { compare, interleave, progress } from '../harness.js';
import type { Comparison } from '../types.js';

// Issue 11, item 3: the default JSON payload of the transport exporters against the encoder it
// replaced, `createJsonEncoder({ map: logRecordToJson })` (`spanToJson` for spans): JSON.stringify
// of one object per record. Both run through the same exporter to a transport that makes bytes of
// the payload, as any transport must before it sends: measured there, a payload string that is
// cheaper to make but dearer to turn into bytes gains nothing. Twice: to a transport that takes
// strings only, and to one that takes bytes too (`acceptsBytes`, as `createHttpTransport`),
// which the default payload then reaches without becoming a string, in reused buffers.

const SUITE = '10. the default JSON payload: ours vs the encoder it replaced';

const BATCH = 512;

interface Exporter<Item> {
  export(items: Item[], done: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

/**
 * A transport that turns every payload into bytes, as an HTTP or file transport does first; with
 * `acceptsBytes`, bytes it is given are kept as they are, and, as `createHttpTransport`, it keeps
 * no payload past its send (`releasesPayload`), so the default's buffers are reused.
 */
function bytesTransport(acceptsBytes: boolean): Transport<string> & { bytes: number } {
  return {
    acceptsBytes,
    releasesPayload: acceptsBytes,
    bytes: 0,
    async send(payload: string | Uint8Array): Promise<void> {
      this.bytes += (typeof payload === 'string' ? Buffer.from(payload) : payload).length;
    },
  };
}

function exportOnce<Item>(exporter: Exporter<Item>, batch: Item[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(batch, (result) => {
      if (result.code === 0) resolve();
      else reject(result.error ?? new Error('the export failed'));
    });
  });
}

/**
 * CPU per record of exporting `batches` batches one after the other, after `warmup` unmeasured
 * (see `BenchConfig.defaultJson.warmupBatches`).
 */
async function cpuPerRecord<Item>(
  exporter: Exporter<Item>,
  batch: Item[],
  batches: number,
  warmup: number,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await exportOnce(exporter, batch);
  const start = cpuMicros();
  for (let i = 0; i < batches; i++) await exportOnce(exporter, batch);
  return (cpuMicros() - start) / (batches * batch.length);
}

function logBatch(): ReporterLogRecord[] {
  const records: ReporterLogRecord[] = [];
  const provider = createLoggerProvider({
    onEmit: (record) => {
      records.push(record as ReporterLogRecord);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  });
  const logger = provider.getLogger('bench', '1.0.0');
  for (let i = 0; i < BATCH; i++) logger.emit(LOG_LINE);
  return records;
}

function spanBatch(): ReporterSpan[] {
  const spans: ReporterSpan[] = [];
  const provider = createTracerProvider({
    onStart: () => {},
    onEnd: (span) => {
      spans.push(span as ReporterSpan);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  });
  const tracer = provider.getTracer('bench', '1.0.0');
  for (let i = 0; i < BATCH; i++) tracer.startSpan(SPAN_NAME, SPAN_OPTIONS).end();
  return spans;
}

async function measure<Item>(
  config: BenchConfig,
  signal: 'logs' | 'spans',
  acceptsBytes: boolean,
  batch: Item[],
  exporterOf: (who: Contender, transport: Transport<string>) => Exporter<Item>,
): Promise<Comparison> {
  const bytes: Record<Contender, number> = { ours: 0, builtin: 0 };
  const rounds = await interleave(config.defaultJson.rounds, async (who) => {
    const transport = bytesTransport(acceptsBytes);
    const exporter = exporterOf(who, transport);
    try {
      const { batches, warmupBatches } = config.defaultJson;
      return await cpuPerRecord(exporter, batch, batches, warmupBatches);
    } finally {
      await exporter.shutdown();
      bytes[who] = transport.bytes;
    }
  });
  // Same text from both, or the comparison would mean nothing.
  if (bytes.ours !== bytes.builtin) {
    throw new Error(`${signal}: the payloads differ (${bytes.ours} vs ${bytes.builtin} bytes)`);
  }
  const comparison = compare(
    {
      id: `${signal}.default-json${acceptsBytes ? '.bytes' : ''}`,
      suite: SUITE,
      title: `${signal}: export of a ${BATCH}-record batch, default JSON payload, to a transport that ${acceptsBytes ? 'takes bytes (acceptsBytes)' : 'makes bytes of a string'}`,
      unit: 'µs/record',
      better: 'lower',
      // At least 3x faster: what issue 11 asks of the default JSON encoder.
      target: { on: 'ratio', op: '<=', value: 1 / 3, label: 'ratio <= 1/3 (3x)' },
      note: `"built-in" here is the encoder the default replaced: createJsonEncoder({ map: ${signal === 'logs' ? 'logRecordToJson' : 'spanToJson'} }), same exporter, same text`,
      detail: {
        'bytes per record': Math.round(
          bytes.ours / ((config.defaultJson.batches + config.defaultJson.warmupBatches) * BATCH),
        ),
        'CPU clock': CPU_CLOCK_LABEL,
      },
    },
    rounds,
  );
  progress(
    `${comparison.title}: ours ${comparison.ours.toFixed(2)} µs, replaced ${comparison.builtin.toFixed(2)} µs`,
  );
  return comparison;
}

/**
 * CPU per record of the default JSON payload, for logs and spans, to a transport that takes
 * bytes (`acceptsBytes`) or strings only. Each kind runs in a process of its own (a part each):
 * the code both share would otherwise carry type feedback for both payload types.
 */
export async function defaultJsonPayload(
  config: BenchConfig,
  acceptsBytes: boolean,
): Promise<Comparison[]> {
  const logs = await measure(config, 'logs', acceptsBytes, logBatch(), (who, transport) =>
    who === 'ours'
      ? new TransportLogRecordExporter({ transport })
      : new TransportLogRecordExporter({
          transport,
          encoder: createJsonEncoder({ map: logRecordToJson }),
        }),
  );
  const spans = await measure(config, 'spans', acceptsBytes, spanBatch(), (who, transport) =>
    who === 'ours'
      ? new TransportSpanExporter({ transport })
      : new TransportSpanExporter({ transport, encoder: createJsonEncoder({ map: spanToJson }) }),
  );
  return [logs, spans];
}
