// Compile-time checks, run by `pnpm typecheck` (tsconfig.test.json), not by vitest: the public
// types must accept both SDK lines' exporters, and both SDK lines' providers must accept our
// processors, with no cast.
import * as sdk2 from '@telemetry-reporter-internal/otel-sdk-2';
import * as sdk3 from '@telemetry-reporter-internal/otel-sdk-3';
import {
  ReporterLogRecordProcessor,
  ReporterSpanProcessor,
  TransportLogRecordExporter,
  TransportSpanExporter,
} from '../../src/index.js';

const transport = { send: async (_payload: string) => {} };

export function sdk2Accepts(): void {
  const logs = new ReporterLogRecordProcessor({ exporter: new sdk2.OTLPLogExporter() });
  const memory = new ReporterLogRecordProcessor({ exporter: new sdk2.InMemoryLogRecordExporter() });
  new sdk2.LoggerProvider({ processors: [logs, memory] });
  const spans = new ReporterSpanProcessor({ exporter: new sdk2.InMemorySpanExporter() });
  new sdk2.TracerProvider({ spanProcessors: [spans] });
  // our exporters also plug into the built-in processors
  new sdk2.BatchLogRecordProcessor({ exporter: new TransportLogRecordExporter({ transport }) });
  new sdk2.BatchSpanProcessor(new TransportSpanExporter({ transport }));
}

export function sdk3Accepts(): void {
  const logs = new ReporterLogRecordProcessor({ exporter: new sdk3.OTLPLogExporter() });
  const memory = new ReporterLogRecordProcessor({ exporter: new sdk3.InMemoryLogRecordExporter() });
  new sdk3.LoggerProvider({ processors: [logs, memory] });
  const spans = new ReporterSpanProcessor({ exporter: new sdk3.InMemorySpanExporter() });
  new sdk3.TracerProvider({ spanProcessors: [spans] });
  new sdk3.BatchLogRecordProcessor({ exporter: new TransportLogRecordExporter({ transport }) });
  new sdk3.BatchSpanProcessor({ exporter: new TransportSpanExporter({ transport }) });
}

export function payloadTypesFollowTheEncoder(): void {
  // @ts-expect-error a transport of bytes needs an encoder that produces bytes
  new TransportLogRecordExporter({ transport: { send: async (_payload: Uint8Array) => {} } });
  new TransportLogRecordExporter<Uint8Array>({
    transport: { send: async (_payload: Uint8Array) => {} },
    encoder: {
      encode: (items) => ({
        payload: new Uint8Array(items.length),
        recordCount: items.length,
        failedCount: 0,
      }),
    },
  });
}
