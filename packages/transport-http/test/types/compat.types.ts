// Compile-time checks, run by `pnpm typecheck` (tsconfig.test.json), not by vitest: the HTTP
// transport and the OTLP encoders plug into our exporters with no cast, and both SDK lines'
// records satisfy the encoders' structural types.

import {
  type ReporterLogRecord,
  type ReporterSpan,
  TransportLogRecordExporter,
  TransportSpanExporter,
} from '@telemetry-reporter/otel';
import type * as sdk2 from '@telemetry-reporter-internal/otel-sdk-2';
import type * as sdk3 from '@telemetry-reporter-internal/otel-sdk-3';
import { createHttpTransport } from '../../src/index.js';
import {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
  type OtlpLogRecord,
  type OtlpSpan,
} from '../../src/otlp/index.js';

type Sdk2LogRecord = Parameters<typeof sdk2.JsonLogsSerializer.serializeRequest>[0][number];
type Sdk3LogRecord = Parameters<typeof sdk3.JsonLogsSerializer.serializeRequest>[0][number];
type Sdk2Span = Parameters<typeof sdk2.JsonTraceSerializer.serializeRequest>[0][number];
type Sdk3Span = Parameters<typeof sdk3.JsonTraceSerializer.serializeRequest>[0][number];

export const sdkRecordsAreOtlpRecords = {
  sdk2Log: (record: Sdk2LogRecord): OtlpLogRecord => record,
  sdk3Log: (record: Sdk3LogRecord): OtlpLogRecord => record,
  sdk2Span: (span: Sdk2Span): OtlpSpan => span,
  sdk3Span: (span: Sdk3Span): OtlpSpan => span,
  reporterLog: (record: ReporterLogRecord): OtlpLogRecord => record,
  reporterSpan: (span: ReporterSpan): OtlpSpan => span,
};

export function transportsPlugIn(): void {
  const transport = createHttpTransport({ url: 'https://collector.example.com/v1/logs' });
  // the default JSON encoder sends strings
  new TransportLogRecordExporter({ transport });
  new TransportSpanExporter({ transport });
  // OTLP encoders send bytes
  const logs = createOtlpLogsEncoder();
  new TransportLogRecordExporter({
    encoder: logs,
    transport: createHttpTransport({
      url: 'https://c.example/v1/logs',
      contentType: logs.contentType,
    }),
  });
  new TransportSpanExporter({ encoder: createOtlpSpansEncoder({ format: 'json' }), transport });
}
