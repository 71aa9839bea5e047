import {
  DROP_REASONS,
  type DropReason,
  describeValue,
  type Encoder,
  type ExportBatchContext,
  type RecordOutcome,
  type RetryOptions,
  type Transport,
  TransportDelivery,
} from '@telemetry-reporter/core';
import { maxAttemptsFromEnv } from '../env-config.js';
import type { ExporterLike, ExportResultLike } from '../types.js';
import { diagLogger } from './diag-logger.js';
import { type BatchAwareExporter, EXPORT_BATCH } from './export-protocol.js';

/** Options shared by the transport exporters. */
export interface TransportExporterBaseOptions {
  /**
   * Retry policy for failed sends; `false` sends each payload once.
   * @default { maxAttempts: 5, initialDelayMillis: 1000, maxDelayMillis: 30000, multiplier: 2 }
   */
  retry?: RetryOptions | false;
}

/**
 * Options of a transport exporter: with no `encoder`, the transport receives a JSON array string;
 * with one, it receives whatever the encoder produces.
 */
export type TransportExporterOptions<Item, Payload> =
  | (TransportExporterBaseOptions & {
      /** Delivers JSON array strings (the default encoder's payload). */
      transport: Transport<string>;
      /** Omitted: the default JSON encoder. */
      encoder?: undefined;
    })
  | (TransportExporterBaseOptions & {
      /** Delivers the encoder's payloads. */
      transport: Transport<Payload>;
      /** Turns a batch into one payload, leaving out records it cannot encode. */
      encoder: Encoder<Item, Payload>;
    });

/**
 * The exporter behind `TransportLogRecordExporter` and `TransportSpanExporter`. Under a reporter
 * processor it receives the deadline signal (which aborts the send and the backoff) and reports
 * each record's outcome; under any other processor it behaves as a standard OpenTelemetry exporter.
 */
export class TransportExporterBase<Item> implements ExporterLike<Item> {
  readonly #name: string;
  readonly #delivery: TransportDelivery<Item, unknown>;
  readonly #pending = new Set<Promise<void>>();
  readonly #idle = new AbortController().signal; // standard exports have no deadline of ours
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
    // The batch-aware entry point is an internal protocol, so it stays out of the public type.
    const exportBatch: BatchAwareExporter<Item>[typeof EXPORT_BATCH] = (items, context) =>
      this.#delivery.deliver(items, context);
    Object.defineProperty(this, EXPORT_BATCH, { value: exportBatch });
  }

  /** The OpenTelemetry exporter entry point: delivers `items` and reports the batch's result. */
  export(items: Item[], resultCallback: (result: ExportResultLike) => void): void {
    if (this.#shutdown !== undefined) {
      resultCallback({ code: 1, error: new Error(`${this.#name} is shut down`) });
      return;
    }
    const tally = new Map<RecordOutcome, number>();
    const context: ExportBatchContext = {
      signal: this.#idle,
      deadline: Number.POSITIVE_INFINITY,
      settle: (count, outcome) => tally.set(outcome, (tally.get(outcome) ?? 0) + count),
      countRetry: () => {},
    };
    const done = this.#delivery.deliver(items, context).then(() => {
      this.#pending.delete(done);
      resultCallback(resultOf(this.#name, items.length, tally));
    });
    this.#pending.add(done);
  }

  /** Resolves when the exports started through `export()` have finished. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.#pending);
  }

  /** Waits for pending exports, then shuts the transport down. Idempotent; never rejects. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.forceFlush().then(() => this.#delivery.shutdown());
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

function resultOf(
  name: string,
  total: number,
  tally: Map<RecordOutcome, number>,
): ExportResultLike {
  const exported = tally.get('exported') ?? 0;
  if (exported >= total) return { code: 0 };
  const reasons = DROP_REASONS.filter((r: DropReason) => (tally.get(r) ?? 0) > 0)
    .map((r) => `${r}: ${tally.get(r)}`)
    .join(', ');
  return {
    code: 1,
    error: new Error(`${name}: ${total - exported} of ${total} records not delivered (${reasons})`),
  };
}
