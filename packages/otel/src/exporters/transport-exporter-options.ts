import type {
  Encoder,
  FileSpool,
  RetryOptions,
  SpoolMode,
  Transport,
} from '@telemetry-reporter/core';

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
  /**
   * A spool made by `createFileSpool()`: a batch whose delivery fails retryably and would be
   * dropped (retries exhausted, export deadline, or still pending at the shutdown deadline) is
   * written there instead, and replayed oldest first once a send succeeds again, or by the next
   * process on the same directory. Give each exporter a directory of its own. The exporter
   * closes it on shutdown. Without it, `TELEMETRY_REPORTER_SPOOL_DIR` turns one on (in its
   * `logs/` or `traces/` subdirectory); `null` turns that off.
   * @default none, unless TELEMETRY_REPORTER_SPOOL_DIR is set
   */
  spool?: FileSpool | null;
  /**
   * `'fallback'` spools only what would be dropped. `'write-ahead'` also writes every batch
   * before its first send and deletes it once delivered, so that `kill -9` loses at most the
   * records still in the memory queue, for one disk write per batch.
   * @default 'fallback', or TELEMETRY_REPORTER_SPOOL_MODE
   */
  spoolMode?: SpoolMode;
  /**
   * With a spool, once a batch failed retryably, new batches go straight to the spool, unsent,
   * until a send succeeds again: the oldest spooled batch is tried this often, in milliseconds,
   * and its delivery ends the outage. An integer between 1 and 2147483647.
   * @default 5000
   */
  spoolProbeIntervalMillis?: number;
}

/**
 * Options of a transport exporter: with no `encoder`, the transport receives a JSON array string
 * (or its UTF-8 bytes, a `Uint8Array`, if the transport sets `acceptsBytes`, as
 * `createHttpTransport` does); with one, it receives whatever the encoder produces.
 */
export type TransportExporterOptions<Item, Payload> =
  | (TransportExporterBaseOptions & {
      /**
       * Delivers JSON array strings (the default encoder's payload); with `acceptsBytes: true`,
       * their UTF-8 bytes instead, which saves making a string only to turn it back into bytes.
       */
      transport: Transport<string>;
      /**
       * Omitted: the default JSON encoder.
       * @default a JSON array string (bytes for a transport with `acceptsBytes`), one
       * `LogRecordJson` / `SpanJson` object per record
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
