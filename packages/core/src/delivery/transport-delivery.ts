import type { ExportBatchContext } from '../engine/engine-types.js';
import { abortableSleep } from '../support/abortable-sleep.js';
import { type DiagnosticLogger, prefixedLogger, safeLogger } from '../support/diagnostic-logger.js';
import { describeValue, stringOption } from '../support/option-checks.js';
import { Throttle, WARNING_INTERVAL_MILLIS } from '../support/throttle.js';
import { isPayloadTooLargeError, isPermanentError } from './error-classification.js';
import {
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryDelayMillis,
} from './retry-policy.js';
import type { EncodedBatch, Encoder, Transport } from './transport.js';

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
   * Where failed deliveries are reported: an object with `warn()` and `debug()`. A logger that
   * throws is ignored.
   * @default a logger that discards everything
   */
  logger?: DiagnosticLogger;
  /**
   * Prefix of diagnostic messages. A string.
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
  /** Failed deliveries go to warn at most once per interval; the rest to debug. */
  readonly #failureWarnings = new Throttle(WARNING_INTERVAL_MILLIS);
  #shutdown: Promise<void> | undefined;

  constructor(options: TransportDeliveryOptions<Item, Payload>) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `TransportDelivery options must be an object with a transport and an encoder, got ${describeValue(options)}`,
      );
    }
    const { transport, encoder } = options;
    if (typeof transport?.send !== 'function') {
      throw new TypeError(
        `transport must be an object with a send(payload, context) method, got ${describeValue(transport)}`,
      );
    }
    if (typeof encoder?.encode !== 'function') {
      throw new TypeError(
        `encoder must be an object with an encode(items) method, got ${describeValue(encoder)}`,
      );
    }
    this.#transport = transport;
    this.#encoder = encoder;
    // Every line names the exporter it comes from.
    const name = stringOption('name', options.name) ?? 'TransportDelivery';
    this.#logger = prefixedLogger(safeLogger(options.logger), name);
    this.retry = resolveRetryOptions(options.retry, this.#logger);
  }

  /** Encodes `items` and delivers them; settles every record through `context`. */
  async deliver(items: readonly Item[], context: ExportBatchContext): Promise<void> {
    const part = this.#encode(items, context);
    if (part !== undefined) await this.#deliverPart(part, context);
  }

  /** Shuts the transport down once; later calls share the first. Never rejects. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      try {
        await this.#transport.shutdown?.();
      } catch (error) {
        this.#logger.warn(`transport shutdown failed`, error);
      }
    })();
    return this.#shutdown;
  }

  /** Failures go to `warn` at most once per interval, to `debug` otherwise: no log storms. */
  #warn(message: string, error: unknown): void {
    if (this.#failureWarnings.pass() > 0) this.#logger.warn(message, error);
    else this.#logger.debug(message, error);
  }

  /**
   * Encodes `items` and settles what could not be encoded. Returns the payload with the records
   * it holds, or `undefined` when nothing is left to send. `items` of the result is set when the
   * payload's records are known, so that it can be split if the backend finds it too large.
   */
  #encode(
    items: readonly Item[],
    context: ExportBatchContext,
  ): EncodedPart<Item, Payload> | undefined {
    let encoded: EncodedBatch<Payload>;
    try {
      encoded = this.#encoder.encode(items);
    } catch (error) {
      this.#warn(`encoder threw; ${items.length} records dropped`, error);
      context.settle(items.length, 'encoding_failed');
      return undefined;
    }
    const sendable = encoded.payload === undefined ? 0 : Math.max(0, encoded.recordCount);
    // Whatever the encoder neither put in the payload nor reported is lost to encoding too,
    // never silently counted as exported.
    const unencoded = Math.max(encoded.failedCount, items.length - sendable);
    if (unencoded > 0) {
      this.#logger.debug(`${unencoded} records could not be encoded`, encoded.firstError);
      context.settle(unencoded, 'encoding_failed');
    }
    if (encoded.payload === undefined || sendable === 0) return undefined;
    return {
      payload: encoded.payload,
      count: Math.min(sendable, items.length - unencoded),
      items: payloadItems(items, unencoded, encoded.failedIndexes),
    };
  }

  /** Sends a part; when the backend finds it too large, splits it in halves, recursively. */
  async #deliverPart(part: EncodedPart<Item, Payload>, context: ExportBatchContext): Promise<void> {
    if ((await this.#send(part.payload, part.count, context)) !== 'too_large') return;
    if (part.items === undefined || part.items.length < 2) {
      this.#warn(`${part.count} records rejected: payload too large`, undefined);
      context.settle(part.count, 'rejected');
      return;
    }
    const middle = Math.ceil(part.items.length / 2);
    for (const half of [part.items.slice(0, middle), part.items.slice(middle)]) {
      if (context.signal.aborted) return;
      const halfPart = this.#encode(half, context);
      if (halfPart !== undefined) await this.#deliverPart(halfPart, context);
    }
  }

  /** Sends one payload with retries; settles it unless the backend said it is too large. */
  async #send(
    payload: Payload,
    recordCount: number,
    context: ExportBatchContext,
  ): Promise<'settled' | 'too_large'> {
    const { signal } = context;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.#transport.send(payload, { signal, attempt, recordCount });
        context.settle(recordCount, 'exported');
        return 'settled';
      } catch (error) {
        if (signal.aborted) break;
        if (isPayloadTooLargeError(error)) return 'too_large';
        if (isPermanentError(error)) {
          this.#warn(`${recordCount} records rejected`, error);
          context.settle(recordCount, 'rejected');
          return 'settled';
        }
        const delay = retryDelayMillis(attempt, error, this.retry);
        if (attempt >= this.retry.maxAttempts) {
          this.#warn(`${recordCount} records dropped after ${attempt} attempts`, error);
          context.settle(recordCount, 'retries_exhausted');
          return 'settled';
        }
        // A timer waits at least 1 ms in Node: a 0 ms wait still lands on the next millisecond.
        if (Date.now() + Math.max(delay, 1) >= context.deadline) {
          // Waiting would only hold the export slot until the deadline aborts it anyway.
          this.#warn(
            `${recordCount} records dropped: the retry in ${delay} ms would start after the export deadline`,
            error,
          );
          context.settle(recordCount, 'retries_exhausted');
          return 'settled';
        }
        this.#logger.debug(`attempt ${attempt} failed; retrying in ${delay} ms`);
        if (!(await abortableSleep(delay, signal))) break;
        context.countRetry();
      }
    }
    return 'settled'; // aborted: the engine counts the records at its deadline
  }
}

/** An encoded payload and, when known, the records it holds. */
interface EncodedPart<Item, Payload> {
  readonly payload: Payload;
  readonly count: number;
  readonly items: readonly Item[] | undefined;
}

/** The records a payload holds: all of them, those not failed, or unknown. */
function payloadItems<Item>(
  items: readonly Item[],
  unencoded: number,
  failedIndexes: readonly number[] | undefined,
): readonly Item[] | undefined {
  if (unencoded === 0) return items;
  if (failedIndexes === undefined || failedIndexes.length !== unencoded) return undefined;
  const failed = new Set(failedIndexes);
  return items.filter((_, index) => !failed.has(index));
}
