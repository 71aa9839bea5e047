import {
  describeValue,
  type Encoder,
  millisOption,
  type RetryOptions,
  type Transport,
  TransportDelivery,
} from '@telemetry-reporter/core';
import { maxAttemptsFromEnv } from '../env-config.js';
import type { ExporterLike, ExportResultLike } from '../types.js';
import { diagLogger } from './diag-logger.js';
import { type BatchAwareExporter, EXPORT_BATCH } from './export-protocol.js';
import { StandardExports } from './standard-exports.js';

/** Default of {@link TransportExporterBaseOptions.exportTimeoutMillis}. */
const DEFAULT_EXPORT_TIMEOUT_MILLIS = 30_000;

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

/**
 * The exporter behind `TransportLogRecordExporter` and `TransportSpanExporter`. Under a reporter
 * processor it receives the deadline signal (which aborts the send and the backoff) and reports
 * each record's outcome; under any other processor it behaves as a standard OpenTelemetry
 * exporter, each export bounded by `exportTimeoutMillis`.
 */
export class TransportExporterBase<Item> implements ExporterLike<Item> {
  readonly #name: string;
  readonly #delivery: TransportDelivery<Item, unknown>;
  readonly #standard: StandardExports<Item>;
  #shutdown: Promise<void> | undefined;

  constructor(
    name: string,
    options: TransportExporterOptions<Item, unknown>,
    defaultEncoder: Encoder<Item, string>,
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `${name} options must be an object with a transport, got ${describeValue(options)}`,
      );
    }
    this.#name = name;
    this.#delivery = new TransportDelivery<Item, unknown>({
      transport: options.transport as Transport<unknown>,
      // Only a missing encoder means the default: `null` is a mistake, reported as one.
      encoder: (options.encoder === undefined ? defaultEncoder : options.encoder) as Encoder<
        Item,
        unknown
      >,
      retry: withEnvMaxAttempts(options.retry),
      logger: diagLogger,
      name,
    });
    const exportTimeoutMillis = millisOption(
      'exportTimeoutMillis',
      options.exportTimeoutMillis === undefined
        ? DEFAULT_EXPORT_TIMEOUT_MILLIS
        : options.exportTimeoutMillis,
      1,
    );
    this.#standard = new StandardExports<Item>(name, exportTimeoutMillis, (items, context) =>
      this.#delivery.deliver(items, context),
    );
    // The batch-aware entry point is an internal protocol, so it stays out of the public type.
    const exportBatch: BatchAwareExporter<Item>[typeof EXPORT_BATCH] = (items, context) =>
      this.#delivery.deliver(items, context);
    Object.defineProperty(this, EXPORT_BATCH, { value: exportBatch });
  }

  /**
   * The OpenTelemetry exporter entry point: delivers `items` within `exportTimeoutMillis` and
   * reports the batch's result.
   */
  export(items: Item[], resultCallback: (result: ExportResultLike) => void): void {
    if (this.#shutdown !== undefined) {
      resultCallback({ code: 1, error: new Error(`${this.#name} is shut down`) });
      return;
    }
    this.#standard.run(items, resultCallback);
  }

  /**
   * Resolves when the exports started through `export()` have reported their result: delivered,
   * failed, or at the latest at their `exportTimeoutMillis`.
   */
  async forceFlush(): Promise<void> {
    await this.#standard.settled();
  }

  /**
   * Aborts the exports still pending through `export()` (their batches are reported failed;
   * call `forceFlush()` first to wait for them), then shuts the transport down. Idempotent;
   * never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#standard.abortAll();
      await this.#standard.settled();
      await this.#delivery.shutdown();
    })();
    return this.#shutdown;
  }
}

/** Applies `TELEMETRY_REPORTER_MAX_ATTEMPTS` unless the code sets `retry` or its `maxAttempts`. */
function withEnvMaxAttempts(
  retry: RetryOptions | false | undefined,
): RetryOptions | false | undefined {
  if (retry === false || retry?.maxAttempts !== undefined) return retry;
  const maxAttempts = maxAttemptsFromEnv();
  return maxAttempts === undefined ? retry : { ...retry, maxAttempts };
}
