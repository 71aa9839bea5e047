import type { ExportBatchContext } from '../engine/engine-types.js';
import { abortableSleep } from '../support/abortable-sleep.js';
import { type DiagnosticLogger, prefixedLogger, safeLogger } from '../support/diagnostic-logger.js';
import { byteLimitOption, describeValue, stringOption } from '../support/option-checks.js';
import { Throttle, WARNING_INTERVAL_MILLIS } from '../support/throttle.js';
import { isPayloadTooLargeError, isPermanentError } from './error-classification.js';
import { type EncodedPart, encodeNextPayload, payloadBytes } from './payload-encoding.js';
import {
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryDelayMillis,
} from './retry-policy.js';
import type { Encoder, Transport } from './transport.js';

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
  /**
   * The most bytes one request may carry. A batch whose payload would be larger is sent as
   * several requests; a record larger than this alone is dropped as `encoding_failed` (its own
   * fault, never its batch's). Encoders that support `maxBytes` (the JSON and OTLP encoders of
   * this library) fill each request up to it; with any other encoder, an oversize payload is
   * split in halves, as one the backend refuses with HTTP 413. An integer >= 1, or `Infinity`.
   * @default 4194304 (4 MiB, what common OTLP receivers accept)
   */
  maxRequestBytes?: number;
}

/** The defaults of {@link TransportDeliveryOptions} besides retry. */
export const DELIVERY_DEFAULTS: Readonly<{ maxRequestBytes: number }> = Object.freeze({
  maxRequestBytes: 4 * 1024 * 1024,
});

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
  readonly #maxRequestBytes: number;
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
    this.#maxRequestBytes = byteLimit(options.maxRequestBytes);
  }

  /**
   * Encodes `items` and delivers them, in as many requests as `maxRequestBytes` takes; settles
   * every record through `context`.
   */
  async deliver(items: readonly Item[], context: ExportBatchContext): Promise<void> {
    let from = 0;
    while (from < items.length && !context.signal.aborted) {
      const next = await encodeNextPayload(
        this.#encoder,
        items,
        from,
        this.#maxRequestBytes,
        context,
        this.#logger,
      );
      from = next.end;
      if (next.part !== undefined) await this.#deliverPart(next.part, context);
    }
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
   * Sends a part; when it is larger than `maxRequestBytes` (an encoder that cannot bound its
   * payloads) or the backend finds it too large, splits it in halves, recursively.
   */
  async #deliverPart(part: EncodedPart<Item, Payload>, context: ExportBatchContext): Promise<void> {
    const bytes = payloadBytes(part.payload);
    const oversize = bytes !== undefined && bytes > this.#maxRequestBytes;
    if (!oversize && (await this.#send(part.payload, part.count, context)) !== 'too_large') {
      return;
    }
    if (part.items === undefined || part.items.length < 2) {
      const why = oversize
        ? `payload of ${bytes} bytes is larger than maxRequestBytes (${this.#maxRequestBytes})`
        : 'the backend found the payload too large';
      this.#warn(`${part.count} records rejected: ${why}`, undefined);
      context.settle(part.count, oversize ? 'encoding_failed' : 'rejected');
      return;
    }
    const middle = Math.ceil(part.items.length / 2);
    for (const half of [part.items.slice(0, middle), part.items.slice(middle)]) {
      // Each half may itself take several payloads.
      let from = 0;
      while (from < half.length) {
        if (context.signal.aborted) return;
        const next = await encodeNextPayload(
          this.#encoder,
          half,
          from,
          this.#maxRequestBytes,
          context,
          this.#logger,
        );
        from = next.end;
        if (next.part !== undefined) await this.#deliverPart(next.part, context);
      }
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
          context.settle(recordCount, 'rejected', error);
          return 'settled';
        }
        const delay = retryDelayMillis(attempt, error, this.retry);
        if (attempt >= this.retry.maxAttempts) {
          this.#warn(`${recordCount} records dropped after ${attempt} attempts`, error);
          context.settle(recordCount, 'retries_exhausted', error);
          return 'settled';
        }
        // A timer waits at least 1 ms in Node: a 0 ms wait still lands on the next millisecond.
        if (Date.now() + Math.max(delay, 1) >= context.deadline) {
          // Waiting would only hold the export slot until the deadline aborts it anyway.
          this.#warn(
            `${recordCount} records dropped: the retry in ${delay} ms would start after the export deadline`,
            error,
          );
          context.settle(recordCount, 'retries_exhausted', error);
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

function byteLimit(value: unknown): number {
  if (value === undefined) return DELIVERY_DEFAULTS.maxRequestBytes;
  return byteLimitOption('maxRequestBytes', value);
}
