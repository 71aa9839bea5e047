import { createJsonEncoder } from '@telemetry-reporter/core';
import {
  TransportExporterBase,
  type TransportExporterOptions,
} from './internal/transport-exporter-base.js';
import { spanToJson } from './span-json.js';
import type { ReporterSpan } from './types.js';

/** Options of {@link TransportSpanExporter}. */
export type TransportSpanExporterOptions<Payload = string> = TransportExporterOptions<
  ReporterSpan,
  Payload
>;

/**
 * An OpenTelemetry span exporter that ships to any backend through a user-supplied `Transport`,
 * with per-record encoding and retries. The default payload is a JSON array of {@link SpanJson}.
 */
export class TransportSpanExporter<Payload = string> extends TransportExporterBase<ReporterSpan> {
  constructor(options: TransportSpanExporterOptions<Payload>) {
    super(
      'TransportSpanExporter',
      options as TransportExporterOptions<ReporterSpan, unknown>,
      createJsonEncoder({ map: spanToJson }),
    );
  }
}
