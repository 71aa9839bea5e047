import {
  PayloadTooLargeError,
  PermanentError,
  RetryableError,
  type SendContext,
  type Transport,
} from '@telemetry-reporter/core';

/**
 * What one `send` does. Every outcome but `late` honours the signal: when it aborts before the
 * answer, the send rejects with the abort reason at once.
 * - `ok`: delivered after `delayMillis`;
 * - `retryable`: fails with a {@link RetryableError} after `delayMillis`, with `retryAfterMillis`
 *   when given; with `accepted`, the backend stored the records first (a lost acknowledgement);
 * - `permanent`: fails with a {@link PermanentError} after `delayMillis`;
 * - `too_large`: fails with a {@link PayloadTooLargeError} (HTTP 413) at once;
 * - `hang`: never answers; rejects with the abort reason once the signal aborts; with
 *   `accepted`, the backend stored the records first;
 * - `throw_sync`: throws synchronously, before returning a promise;
 * - `late`: ignores its signal and answers after `delayMillis` (the test makes that later than the
 *   export deadline): delivered, or a retryable failure with `fails`. With `delayMillis`
 *   `Infinity` it never answers at all, like a foreign exporter that never calls back: the engine
 *   must abandon it one `exportTimeoutMillis` after its deadline.
 */
export type Fault =
  | { readonly kind: 'ok'; readonly delayMillis: number }
  | {
      readonly kind: 'retryable';
      readonly delayMillis: number;
      readonly retryAfterMillis: number | undefined;
      readonly accepted: boolean;
    }
  | { readonly kind: 'permanent'; readonly delayMillis: number }
  | { readonly kind: 'too_large' }
  | { readonly kind: 'hang'; readonly accepted: boolean }
  | { readonly kind: 'throw_sync' }
  | { readonly kind: 'late'; readonly delayMillis: number; readonly fails: boolean };

/** How a send ended, as the transport saw it. */
export type SendResult = 'delivered' | 'failed' | 'aborted';

/** One call of `send`. */
export interface FaultySend {
  /** The ids of the records the payload holds, in payload order. */
  readonly ids: readonly number[];
  readonly attempt: number;
  readonly recordCount: number;
  /** Shared by every attempt (and every 413 half) of one export. */
  readonly signal: AbortSignal;
  readonly fault: Fault;
  /** `Date.now()` when `send` was called. */
  readonly startedAt: number;
  /** `Date.now()` when the send settled, if it has. */
  settledAt: number | undefined;
  result: SendResult | undefined;
  /** The signal had already fired when the send settled. */
  settledAfterAbort: boolean;
}

/** Options of {@link FaultTransport}. */
export interface FaultTransportOptions<Payload> {
  /** The outcomes of the sends, in order. */
  readonly faults: readonly Fault[];
  /** What `send` does once `faults` is used up. */
  readonly fallback?: Fault;
  /** The record ids a payload holds. */
  readonly decode: (payload: Payload) => number[];
  /** `shutdown()` never settles. */
  readonly shutdownHangs?: boolean;
  /**
   * Called synchronously whenever a send starts or settles, to check what must hold at every
   * instant (the accounting identity) at moments only the transport sees.
   */
  readonly onEvent?: () => void;
}

/**
 * A transport that fails on script and keeps the backend's view: how often each record was
 * stored, how many sends are in flight at once, and which acknowledgements arrived in time.
 * Its own timers (for slow and late answers) are counted in `pendingTimers`, so a test can tell
 * them from the engine's.
 */
export class FaultTransport<Payload> implements Transport<Payload> {
  readonly sends: FaultySend[] = [];
  /** How often the backend stored each record. */
  readonly stored = new Map<number, number>();
  /** How often the backend stored each record in a send that then reported failure. */
  readonly lostAcks = new Map<number, number>();
  /** Sends called and not settled, including those that ignore their aborted signal. */
  inFlight = 0;
  /**
   * The most sends in flight at once, not counting abandoned ones: those whose export's signal
   * fired for `shutdown_timeout`, or for `export_timeout` at least one `exportTimeoutMillis` (the
   * grace period) ago. The engine promises at most `maxConcurrentExports`.
   */
  maxInFlight = 0;
  /** Records of sends that reported delivery while their signal had not fired. */
  acknowledgedInTime = 0;
  /** This transport's own timers not yet fired or cleared. */
  pendingTimers = 0;
  shutdownCalls = 0;
  /** Sends called while their signal had already fired: never expected. */
  sendsAfterAbort = 0;
  /**
   * Exports whose `exportTimeoutMillis` passed while no send of theirs was in flight: they held
   * their slot in a backoff that could only end after the deadline. Never expected.
   */
  idleAtExportDeadline = 0;
  readonly #faults: Fault[];
  readonly #fallback: Fault;
  readonly #decode: (payload: Payload) => number[];
  readonly #shutdownHangs: boolean;
  readonly #onEvent: () => void;
  /** The last send of each export (keyed by its signal). */
  readonly #lastSend = new WeakMap<AbortSignal, FaultySend>();
  /** The first send of each export: it starts on the export's own stack, at its start. */
  readonly #firstSendAt = new WeakMap<AbortSignal, number>();
  /** When each export stops counting towards the engine's bound (see `maxInFlight`). */
  readonly #abandonedAt = new WeakMap<AbortSignal, number>();
  readonly #unsettled = new Set<FaultySend>();

  constructor(options: FaultTransportOptions<Payload>) {
    this.#faults = [...options.faults];
    this.#fallback = options.fallback ?? { kind: 'ok', delayMillis: 0 };
    this.#decode = options.decode;
    this.#shutdownHangs = options.shutdownHangs ?? false;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  send(payload: Payload, context: SendContext): Promise<void> {
    const fault = this.#faults.shift() ?? this.#fallback;
    const { signal, attempt, recordCount } = context;
    if (signal.aborted) this.sendsAfterAbort++;
    const send: FaultySend = {
      ids: this.#decode(payload),
      attempt,
      recordCount,
      signal,
      fault,
      startedAt: Date.now(),
      settledAt: undefined,
      result: undefined,
      settledAfterAbort: false,
    };
    this.sends.push(send);
    if (!this.#lastSend.has(signal)) {
      this.#firstSendAt.set(signal, send.startedAt);
      this.#watch(signal);
    }
    this.#lastSend.set(signal, send);
    this.#onEvent();
    if (fault.kind === 'throw_sync') {
      send.settledAt = Date.now();
      send.result = 'failed';
      this.#onEvent();
      throw new Error('scripted synchronous throw');
    }
    this.inFlight++;
    this.#unsettled.add(send);
    this.maxInFlight = Math.max(this.maxInFlight, this.#boundedInFlight());
    if ((fault.kind === 'retryable' || fault.kind === 'hang') && fault.accepted) {
      this.#store(send.ids, this.stored);
    }
    return new Promise<void>((resolve, reject) => {
      const settle = (result: SendResult, error?: unknown): void => {
        if (send.result !== undefined) return;
        this.inFlight--;
        this.#unsettled.delete(send);
        send.result = result;
        send.settledAt = Date.now();
        send.settledAfterAbort = signal.aborted;
        this.#onEvent();
        if (result === 'delivered') {
          this.#store(send.ids, this.stored);
          if (!signal.aborted) this.acknowledgedInTime += send.ids.length;
          resolve();
          return;
        }
        if ((fault.kind === 'retryable' || fault.kind === 'hang') && fault.accepted) {
          this.#store(send.ids, this.lostAcks);
        }
        reject(error);
      };
      if (fault.kind === 'late') {
        // Ignores the signal altogether: keeps its slot until it answers, or until the engine
        // abandons it.
        if (fault.delayMillis === Number.POSITIVE_INFINITY) return;
        this.#after(fault.delayMillis, () =>
          fault.fails
            ? settle('failed', new RetryableError('scripted late failure'))
            : settle('delivered'),
        );
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        if (timer !== undefined) {
          clearTimeout(timer);
          this.pendingTimers--;
        }
        settle('aborted', signal.reason);
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      if (fault.kind === 'hang') return;
      const answer = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (fault.kind === 'ok') settle('delivered');
        else settle('failed', failureOf(fault));
      };
      const delay = fault.kind === 'too_large' ? 0 : fault.delayMillis;
      if (delay === 0) {
        // Still asynchronous, as any I/O is.
        void Promise.resolve().then(answer);
      } else {
        timer = this.#after(delay, () => {
          timer = undefined;
          answer();
        });
      }
    });
  }

  shutdown(): Promise<void> {
    this.shutdownCalls++;
    return this.#shutdownHangs ? new Promise<void>(() => {}) : Promise.resolve();
  }

  /** Sends that have not settled. */
  unsettled(): FaultySend[] {
    return this.sends.filter((s) => s.result === undefined);
  }

  /** Sends in flight whose export still holds its slot. */
  #boundedInFlight(): number {
    const now = Date.now();
    let count = 0;
    for (const send of this.#unsettled) {
      if (!((this.#abandonedAt.get(send.signal) ?? Number.POSITIVE_INFINITY) <= now)) count++;
    }
    return count;
  }

  /** Registered before any send's own listener, so it sees the export as the deadline found it. */
  #watch(signal: AbortSignal): void {
    signal.addEventListener(
      'abort',
      () => {
        // Read by shape: the reason may come from another copy of the package.
        const reason = signal.reason as { code?: unknown; reason?: unknown } | undefined;
        const byExportDeadline =
          reason?.code === 'TR_EXPORT_ABORTED' && reason.reason === 'export_timeout';
        // The export deadline fires exportTimeoutMillis after the export (and its first send)
        // started; the grace period is as long again. At the shutdown deadline there is none.
        const now = Date.now();
        const grace = byExportDeadline ? now - (this.#firstSendAt.get(signal) ?? now) : 0;
        this.#abandonedAt.set(signal, now + grace);
        if (byExportDeadline && this.#lastSend.get(signal)?.result !== undefined) {
          this.idleAtExportDeadline++;
        }
      },
      { once: true },
    );
  }

  #after(millis: number, callback: () => void): ReturnType<typeof setTimeout> {
    this.pendingTimers++;
    return setTimeout(() => {
      this.pendingTimers--;
      callback();
    }, millis);
  }

  #store(ids: readonly number[], into: Map<number, number>): void {
    for (const id of ids) into.set(id, (into.get(id) ?? 0) + 1);
  }
}

function failureOf(fault: Fault): Error {
  switch (fault.kind) {
    case 'retryable':
      return new RetryableError(
        'scripted retryable failure',
        fault.retryAfterMillis === undefined ? {} : { retryAfterMillis: fault.retryAfterMillis },
      );
    case 'permanent':
      return new PermanentError('scripted permanent failure');
    case 'too_large':
      return new PayloadTooLargeError('scripted 413');
    default:
      return new Error(`unexpected failure of ${fault.kind}`);
  }
}
