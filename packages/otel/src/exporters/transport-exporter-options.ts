import type { Encoder, RetryOptions, Transport } from '@telemetry-reporter/core';

/** Options shared by the transport exporters. */
export interface TransportExporterBaseOptions {
  /**
   * Retry policy for failed sends; `false` sends each payload once.
   * @default { maxAttempts: 5, initialDelayMillis: 1000, maxDelayMillis: 30000, multiplier: 2 }
   */
  retry?: RetryOptions | false;
  /**
   * The deadline of each export made through OpenTelemetry's standard `export()` (under the
   * SDK's `BatchLogRecordProcessor` / `BatchSpanProcessor` or any processor not of this
   * package), in milliseconds: at it, the send and its backoff are aborted, a retry that could
   * only start after it is not waited for, and the batch is reported failed. `shutdown()` aborts
   * such exports at once. Under `ReporterLogRecordProcessor` / `ReporterSpanProcessor` the
   * processor's own `exportTimeoutMillis` applies instead. An integer between 1 and 2147483647.
   * @default 30000
   */
  exportTimeoutMillis?: number;
  /**
   * The most bytes one request may carry. A batch whose payload would be larger goes out as
   * several requests; a record larger than this alone is dropped as `encoding_failed`, never
   * its batch with it. An integer >= 1, or `Infinity` for no bound.
   * @default 4194304 (4 MiB, what common OTLP receivers accept)
   */
  maxRequestBytes?: number;
}

/**
 * Options of a transport exporter: with no `encoder`, the transport receives a JSON array string;
 * with one, it receives whatever the encoder produces.
 */
export type TransportExporterOptions<Item, Payload> =
  | (TransportExporterBaseOptions & {
      /** Delivers JSON array strings (the default encoder's payload). */
      transport: Transport<string>;
      /**
       * Omitted: the default JSON encoder.
       * @default a JSON array string, one `LogRecordJson` / `SpanJson` object per record
       */
      encoder?: undefined;
    })
  | (TransportExporterBaseOptions & {
      /** Delivers the encoder's payloads. */
      transport: Transport<Payload>;
      /**
       * Turns a batch into one payload, leaving out records it cannot encode.
       * @default a JSON array string, one `LogRecordJson` / `SpanJson` object per record
       */
      encoder: Encoder<Item, Payload>;
    });
