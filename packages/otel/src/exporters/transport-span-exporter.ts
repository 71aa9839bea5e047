import { environmentOf } from '../environment/env-config.js';
import type { ReporterSpan } from '../sdk/sdk-types.js';
import { writeSpanJson } from './default-json-writers.js';
import {
  resolveTransportExporterOptions,
  TransportExporterBase,
} from './transport-exporter-base.js';
import type { TransportExporterOptions } from './transport-exporter-options.js';

/** Options of {@link TransportSpanExporter}. */
export type TransportSpanExporterOptions<Payload = string> = TransportExporterOptions<
  ReporterSpan,
  Payload
>;

const NAME = 'TransportSpanExporter';

/**
 * An OpenTelemetry span exporter that ships to any backend through a user-supplied `Transport`,
 * with per-record encoding and retries. The default payload is a JSON array of {@link SpanJson}.
 * `TELEMETRY_REPORTER_MAX_ATTEMPTS` applies when the code sets no `retry.maxAttempts`.
 */
export class TransportSpanExporter<Payload = string> extends TransportExporterBase<ReporterSpan> {
  constructor(options: TransportSpanExporterOptions<Payload>) {
    super(
      NAME,
      resolveTransportExporterOptions(
        NAME,
        'spans',
        options as TransportExporterOptions<ReporterSpan, unknown>,
        environmentOf(options),
      ),
      writeSpanJson,
    );
  }
}
