import { environmentOf } from '../environment/env-config.js';
import type { ReporterLogRecord } from '../sdk/sdk-types.js';
import { writeLogRecordJson } from './default-json-writers.js';
import {
  resolveTransportExporterOptions,
  TransportExporterBase,
} from './transport-exporter-base.js';
import type { TransportExporterOptions } from './transport-exporter-options.js';

/** Options of {@link TransportLogRecordExporter}. */
export type TransportLogRecordExporterOptions<Payload = string> = TransportExporterOptions<
  ReporterLogRecord,
  Payload
>;

const NAME = 'TransportLogRecordExporter';

/**
 * An OpenTelemetry log record exporter that ships to any backend through a user-supplied
 * `Transport`: encoding record by record (a record that cannot be encoded is dropped alone),
 * retrying with backoff, jitter and Retry-After. The default payload is a JSON array of
 * {@link LogRecordJson} objects. `TELEMETRY_REPORTER_MAX_ATTEMPTS` applies when the code sets
 * no `retry.maxAttempts`.
 */
export class TransportLogRecordExporter<
  Payload = string,
> extends TransportExporterBase<ReporterLogRecord> {
  constructor(options: TransportLogRecordExporterOptions<Payload>) {
    super(
      NAME,
      resolveTransportExporterOptions(
        NAME,
        'logs',
        options as TransportExporterOptions<ReporterLogRecord, unknown>,
        environmentOf(options),
      ),
      writeLogRecordJson,
    );
  }
}
