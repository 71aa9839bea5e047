import { createJsonEncoder } from '@telemetry-reporter/core';
import {
  TransportExporterBase,
  type TransportExporterOptions,
} from './internal/transport-exporter-base.js';
import { logRecordToJson } from './log-record-json.js';
import type { ReporterLogRecord } from './types.js';

/** Options of {@link TransportLogRecordExporter}. */
export type TransportLogRecordExporterOptions<Payload = string> = TransportExporterOptions<
  ReporterLogRecord,
  Payload
>;

/**
 * An OpenTelemetry log record exporter that ships to any backend through a user-supplied
 * `Transport`: encoding record by record (a record that cannot be encoded is dropped alone),
 * retrying with backoff, jitter and Retry-After. The default payload is a JSON array of
 * {@link LogRecordJson} objects.
 */
export class TransportLogRecordExporter<
  Payload = string,
> extends TransportExporterBase<ReporterLogRecord> {
  constructor(options: TransportLogRecordExporterOptions<Payload>) {
    super(
      'TransportLogRecordExporter',
      options as TransportExporterOptions<ReporterLogRecord, unknown>,
      createJsonEncoder({ map: logRecordToJson }),
    );
  }
}
