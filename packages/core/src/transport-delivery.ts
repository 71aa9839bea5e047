import type { ExportBatchContext } from './batch-engine.js';
import { isPermanentError } from './error-classification.js';
import { abortableSleep } from './internal/abortable-sleep.js';
import { silentLogger } from './internal/silent-logger.js';
import {
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryDelayMillis,
} from './retry-policy.js';
import type { DiagnosticLogger, Encoder, Transport } from './types.js';

/** Options of {@link TransportDelivery}. */
export interface TransportDeliveryOptions<Item, Payload> {
  /** Where payloads go. */
  transport: Transport<Payload>;
  /** Turns a batch into one payload, leaving out records that cannot be encoded. */
  encoder: Encoder<Item, Payload>;
  /**
   * Retry policy; `false` sends each payload once.
   * @default { maxAttempts: 5, initialDelayMillis: 1000, maxDelayMillis: 30000, multiplier: 2 }
   */
  retry?: RetryOptions | false;
  /**
   * Where failed deliveries are reported.
   * @default a logger that discards everything
   */
  logger?: DiagnosticLogger;
  /**
   * Prefix of diagnostic messages.
   * @default 'TransportDelivery'
   */
  name?: string;
}

/**
 * Encodes a batch and sends it through a {@link Transport}, retrying retryable failures with
 * backoff, and reports every record's outcome through the export context. Never rejects; an
 * aborted signal stops it at once and leaves the unsettled records to the engine's deadline.
 */
export class TransportDelivery<Item, Payload> {
  /** The retry policy in effect. */
  readonly retry: ResolvedRetryOptions;
  readonly #transport: Transport<Payload>;
  readonly #encoder: Encoder<Item, Payload>;
  readonly #logger: DiagnosticLogger;
  readonly #name: string;
  #shutdown: Promise<void> | undefined;

  constructor(options: TransportDeliveryOptions<Item, Payload>) {
    const { transport, encoder } = options;
    if (typeof transport?.send !== 'function') {
      throw new TypeError('transport must be an object with a send(payload, context) method');
    }
    if (typeof encoder?.encode !== 'function') {
      throw new TypeError('encoder must be an object with an encode(items) method');
    }
    this.#transport = transport;
    this.#encoder = encoder;
    this.retry = resolveRetryOptions(options.retry);
    this.#logger = options.logger ?? silentLogger;
    this.#name = options.name ?? 'TransportDelivery';
  }

  /** Encodes `items` and delivers them; settles every record through `context`. */
  async deliver(items: readonly Item[], context: ExportBatchContext): Promise<void> {
    let encoded: ReturnType<Encoder<Item, Payload>['encode']>;
    try {
      encoded = this.#encoder.encode(items);
    } catch (error) {
      this.#logger.warn(`${this.#name}: encoder threw; ${items.length} records dropped`, error);
      context.settle(items.length, 'encoding_failed');
      return;
    }
    if (encoded.failedCount > 0) {
      this.#logger.debug(
        `${this.#name}: ${encoded.failedCount} records could not be encoded`,
        encoded.firstError,
      );
      context.settle(encoded.failedCount, 'encoding_failed');
    }
    if (encoded.payload === undefined || encoded.recordCount === 0) return;
    await this.#send(encoded.payload, encoded.recordCount, context);
  }

  /** Shuts the transport down once; later calls share the first. Never rejects. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      try {
        await this.#transport.shutdown?.();
      } catch (error) {
        this.#logger.warn(`${this.#name}: transport shutdown failed`, error);
      }
    })();
    return this.#shutdown;
  }

  async #send(payload: Payload, recordCount: number, context: ExportBatchContext): Promise<void> {
    const { signal } = context;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.#transport.send(payload, { signal, attempt, recordCount });
        context.settle(recordCount, 'exported');
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (isPermanentError(error)) {
          this.#logger.warn(`${this.#name}: ${recordCount} records rejected`, error);
          context.settle(recordCount, 'rejected');
          return;
        }
        if (attempt >= this.retry.maxAttempts) {
          this.#logger.warn(
            `${this.#name}: ${recordCount} records dropped after ${attempt} attempts`,
            error,
          );
          context.settle(recordCount, 'retries_exhausted');
          return;
        }
        const delay = retryDelayMillis(attempt, error, this.retry);
        this.#logger.debug(`${this.#name}: attempt ${attempt} failed; retrying in ${delay} ms`);
        if (!(await abortableSleep(delay, signal))) return;
        context.countRetry();
      }
    }
  }
}
