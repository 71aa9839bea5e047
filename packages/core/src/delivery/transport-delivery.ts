import type { ExportBatchContext } from '../engine/engine-types.js';
import type { ExportDeadline } from '../engine/export-aborted-error.js';
import type { FileSpool } from '../spool/spool-types.js';
import type { RecordOutcome } from '../stats/drop-reason.js';
import type { SpoolSummary } from '../stats/spool-summary.js';
import { type DiagnosticLogger, prefixedLogger, safeLogger } from '../support/diagnostic-logger.js';
import { nextTurn } from '../support/event-loop-turns.js';
import {
  byteLimitOption,
  describeValue,
  millisOption,
  oneOf,
  stringOption,
} from '../support/option-checks.js';
import { Throttle, WARNING_INTERVAL_MILLIS } from '../support/throttle.js';
import {
  type EncodedPart,
  encodeNextPayload,
  encodePayloadNow,
  payloadBytes,
  SLICE_RECORDS,
} from './payload-encoding.js';
import {
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
} from './retry-policy.js';
import { sendWithRetry } from './send-with-retry.js';
import {
  newBatchId,
  SPOOL_MODES,
  type SpoolablePart,
  SpoolKeeper,
  type SpoolMode,
} from './spool-keeper.js';
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
  /**
   * A spool (see `createFileSpool`) where batches go instead of being dropped when their
   * delivery fails retryably (retries exhausted, export deadline, shutdown deadline), replayed
   * oldest first once a send succeeds again, and by the next process on the same directory.
   * Each exporter needs a directory of its own. The delivery closes it at shutdown.
   * @default none: such batches are dropped, and counted
   */
  spool?: FileSpool;
  /**
   * `'fallback'` spools only what would be dropped; `'write-ahead'` also writes every batch
   * before its first send (deleting it once delivered), so that a crash loses at most the
   * records still in the memory queue, at the cost of a disk write per batch.
   * @default 'fallback'
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

/** The defaults of {@link TransportDeliveryOptions} besides retry. */
export const DELIVERY_DEFAULTS: Readonly<{
  maxRequestBytes: number;
  spoolProbeIntervalMillis: number;
}> = Object.freeze({
  maxRequestBytes: 4 * 1024 * 1024,
  spoolProbeIntervalMillis: 5_000,
});

/**
 * Encodes a batch and sends it through a {@link Transport}, retrying retryable failures with
 * backoff, and reports every record's outcome through the export context. Never rejects; an
 * aborted signal stops it at once and leaves the unsettled records to the engine's deadline,
 * or, with a spool, hands them to the spool.
 */
export class TransportDelivery<Item, Payload> {
  /** The retry policy in effect. */
  readonly retry: ResolvedRetryOptions;
  readonly #transport: Transport<Payload>;
  readonly #encoder: Encoder<Item, Payload>;
  readonly #logger: DiagnosticLogger;
  readonly #maxRequestBytes: number;
  readonly #keeper: SpoolKeeper<Payload> | undefined;
  /** Payloads go back to the encoder when done: the transport keeps none (`releasesPayload`). */
  readonly #recycles: boolean;
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
    this.#recycles = transport.releasesPayload === true && typeof encoder.release === 'function';
    // Every line names the exporter it comes from.
    const name = stringOption('name', options.name) ?? 'TransportDelivery';
    this.#logger = prefixedLogger(safeLogger(options.logger), name);
    this.retry = resolveRetryOptions(options.retry, this.#logger);
    this.#maxRequestBytes = byteLimit(options.maxRequestBytes);
    this.#keeper = this.#keeperOf(options);
  }

  /** True when a spool backs this delivery. */
  get spooling(): boolean {
    return this.#keeper !== undefined;
  }

  /** What the spool holds and did; `undefined` without a spool. */
  spoolSummary(): SpoolSummary | undefined {
    return this.#keeper?.summary();
  }

  /**
   * Encodes `items` and delivers them, in as many requests as `maxRequestBytes` takes; settles
   * every record through `context`, or hands it to the spool.
   */
  async deliver(items: readonly Item[], context: ExportBatchContext): Promise<void> {
    const progress: Progress<Payload> = { next: 0, current: undefined };
    const keeper = this.#keeper;
    if (keeper !== undefined) {
      context.onDeadline((reason) =>
        this.#spoolAtDeadline(keeper, items, progress, context, reason),
      );
    }
    while (progress.next < items.length && !context.signal.aborted) {
      const next = await encodeNextPayload(
        this.#encoder,
        items,
        progress.next,
        this.#maxRequestBytes,
        context,
        this.#logger,
      );
      // The deadline passed while encoding in slices: its handler has spooled (or the engine
      // dropped) these records already; sending the partial payload would send them twice.
      if (context.signal.aborted) return;
      progress.next = next.end;
      if (next.part !== undefined) await this.#deliverPart(next.part, context, progress);
    }
  }

  /**
   * With a spool: encodes `records` (taken from the queue at the shutdown deadline, already
   * counted as spooled) and writes them to the spool, unsent. Reports through `settle` what
   * could not be encoded or written. Never rejects.
   */
  async spill(
    records: readonly Item[],
    settle: (count: number, outcome: RecordOutcome, error?: unknown) => void,
  ): Promise<void> {
    const keeper = this.#keeper;
    if (keeper === undefined) {
      settle(records.length, 'shutdown_timeout');
      return;
    }
    const stored: Promise<void>[] = [];
    for (let from = 0; from < records.length; ) {
      const next = encodePayloadNow(this.#encoder, records, from, this.#maxRequestBytes, (n, e) =>
        settle(n, 'encoding_failed', e),
      );
      from = next.end;
      if (next.part !== undefined) stored.push(keeper.store(spoolablePart(next.part), settle));
    }
    await Promise.all(stored);
  }

  /**
   * With a spool, at the shutdown deadline: the records still being written to it are settled
   * as `shutdown_timeout` (the process may end before the writes do) instead of staying counted
   * as spooled. Never throws.
   */
  abandonSpoolWrites(): void {
    this.#keeper?.abandonWrites();
  }

  /**
   * Closes the spool (after its pending writes) and shuts the transport down, once; later calls
   * share the first. Never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await this.#keeper?.close();
      try {
        await this.#transport.shutdown?.();
      } catch (error) {
        this.#logger.warn(`transport shutdown failed`, error);
      }
    })();
    return this.#shutdown;
  }

  #keeperOf(options: TransportDeliveryOptions<Item, Payload>): SpoolKeeper<Payload> | undefined {
    const { spool } = options;
    const mode =
      options.spoolMode === undefined
        ? 'fallback'
        : oneOf('spoolMode', options.spoolMode, SPOOL_MODES);
    if (spool === undefined) return undefined;
    if (typeof spool !== 'object' || spool === null || typeof spool.write !== 'function') {
      throw new TypeError(
        `spool must be a spool made by createFileSpool(), got ${describeValue(spool)}`,
      );
    }
    const probe = options.spoolProbeIntervalMillis;
    return new SpoolKeeper<Payload>({
      probeIntervalMillis:
        probe === undefined
          ? DELIVERY_DEFAULTS.spoolProbeIntervalMillis
          : millisOption('spoolProbeIntervalMillis', probe, 1),
      spool,
      mode,
      transport: this.#transport,
      retry: this.retry,
      contentType: this.#encoder.contentType,
      logger: this.#logger,
    });
  }

  /** Gives a payload the delivery is done with back to its encoder, when it may reuse it. */
  #release(payload: Payload): void {
    if (!this.#recycles) return;
    try {
      this.#encoder.release?.(payload);
    } catch (error) {
      this.#logger.debug('encoder release threw', error);
    }
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
  async #deliverPart(
    part: EncodedPart<Item, Payload>,
    context: ExportBatchContext,
    progress: Progress<Payload>,
  ): Promise<void> {
    const bytes = payloadBytes(part.payload);
    const oversize = bytes !== undefined && bytes > this.#maxRequestBytes;
    if (oversize) {
      this.#release(part.payload); // never sent: its halves get payloads of their own
    } else if ((await this.#send(part, context, progress)) !== 'too_large') {
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
        if (context.signal.aborted) return; // as in deliver()
        from = next.end;
        if (next.part !== undefined) await this.#deliverPart(next.part, context, progress);
      }
    }
  }

  /**
   * Sends one payload with retries and settles it, unless the backend said it is too large.
   * With a spool, a payload that would be dropped for retries is spooled instead.
   */
  async #send(
    encoded: EncodedPart<Item, Payload>,
    context: ExportBatchContext,
    progress: Progress<Payload>,
  ): Promise<'settled' | 'too_large'> {
    const keeper = this.#keeper;
    const part = keeper === undefined ? undefined : spoolablePart(encoded);
    if (keeper !== undefined && part !== undefined) {
      progress.current = part;
      if (keeper.backendDown) {
        // The backend failed and nothing succeeded since: to disk at once, unsent, rather than
        // wait out retries while the queue overflows. The spool's probe finds the backend back.
        progress.current = undefined;
        keeper.keep(part, context, 'retries_exhausted');
        return 'settled';
      }
      if (keeper.mode === 'write-ahead') {
        part.written = keeper.writeAhead(part);
        await part.written;
        if (context.signal.aborted) {
          // The deadline handler kept the part (and took its file) or the engine dropped it:
          // a file still held here holds no spooled record.
          keeper.discard(part);
          return 'settled';
        }
      }
    }
    const { count } = encoded;
    // A payload of more than a slice of records is sent from a turn of its own: building the
    // request and handing its body to the socket (a loopback write of a 512-record body takes
    // 0.1-0.3 ms) would otherwise lengthen the turn that encoded it. A smaller one goes at once,
    // whatever the clock says. An abort while waiting ends the send unsent ('aborted').
    if (count > SLICE_RECORDS) await nextTurn();
    const outcome = await sendWithRetry(this.#transport, encoded.payload, {
      recordCount: count,
      batchId: part?.batchId,
      contentType: this.#encoder.contentType,
      signal: context.signal,
      deadline: context.deadline,
      retry: this.retry,
      onRetry: () => context.countRetry(),
      onAttemptFailed: (attempt, delay) =>
        this.#logger.debug(`attempt ${attempt} failed; retrying in ${delay} ms`),
    });
    // At an abort the deadline handler has spooled the part (or the engine drops it).
    const keptAtDeadline = part !== undefined && progress.current !== part;
    if (part !== undefined && !keptAtDeadline) progress.current = undefined;
    // The transport is done with the payload; so is the delivery, unless the spool writes it.
    if (!keptAtDeadline && !(outcome.kind === 'gave_up' && part !== undefined)) {
      this.#release(encoded.payload);
    }
    switch (outcome.kind) {
      case 'delivered':
        context.settle(count, 'exported');
        if (part !== undefined) {
          keeper?.discard(part);
          keeper?.replay();
        }
        return 'settled';
      case 'rejected':
        if (part !== undefined) keeper?.discard(part);
        this.#warn(`${count} records rejected`, outcome.error);
        context.settle(count, 'rejected', outcome.error);
        return 'settled';
      case 'too_large':
        if (part !== undefined) keeper?.discard(part); // its halves get files of their own
        return 'too_large';
      case 'gave_up': {
        const why =
          outcome.why === 'attempts'
            ? `after ${this.retry.maxAttempts} attempts`
            : 'the next retry would start after the export deadline';
        if (keeper !== undefined && part !== undefined) {
          this.#warn(`${count} records spooled: delivery failed ${why}`, outcome.error);
          keeper.keep(part, context, 'retries_exhausted');
        } else {
          this.#warn(`${count} records dropped: delivery failed ${why}`, outcome.error);
          context.settle(count, 'retries_exhausted', outcome.error);
        }
        return 'settled';
      }
      case 'aborted':
        if (part !== undefined) keeper?.discard(part);
        return 'settled';
    }
  }

  /**
   * At an export's deadline: the part being sent and the records not encoded yet go to the
   * spool rather than being dropped. Synchronous: the engine drops what is left when it returns.
   */
  #spoolAtDeadline(
    keeper: SpoolKeeper<Payload>,
    items: readonly Item[],
    progress: Progress<Payload>,
    context: ExportBatchContext,
    reason: ExportDeadline,
  ): void {
    if (progress.current !== undefined) {
      keeper.keep(progress.current, context, reason);
      progress.current = undefined;
    }
    while (progress.next < items.length) {
      const next = encodePayloadNow(
        this.#encoder,
        items,
        progress.next,
        this.#maxRequestBytes,
        (n, e) => context.settle(n, 'encoding_failed', e),
      );
      progress.next = next.end;
      if (next.part !== undefined) keeper.keep(spoolablePart(next.part), context, reason);
    }
  }
}

/** Where a delivery stands, for its deadline handler. */
interface Progress<Payload> {
  /** The first record not yet encoded. */
  next: number;
  /** The part being sent (or written ahead), with a spool. */
  current: SpoolablePart<Payload> | undefined;
}

function spoolablePart<Item, Payload>(part: EncodedPart<Item, Payload>): SpoolablePart<Payload> {
  return { payload: part.payload, count: part.count, batchId: newBatchId(), written: undefined };
}

function byteLimit(value: unknown): number {
  if (value === undefined) return DELIVERY_DEFAULTS.maxRequestBytes;
  return byteLimitOption('maxRequestBytes', value);
}
