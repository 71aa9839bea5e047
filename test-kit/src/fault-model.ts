import {
  type BatchOptions,
  OVERFLOW_POLICIES,
  type ReporterStats,
  type RetryOptions,
  unaccountedRecords,
} from '@telemetry-reporter/core';
import fc from 'fast-check';
import { expect, vi } from 'vitest';
import type { Fault, FaultTransport, FaultySend } from './fault-transport.js';

/**
 * A fault with the lateness of `late` relative to the export deadline: `delayMillis` of a `late`
 * fault is how long after `exportTimeoutMillis` it answers. {@link atDeadline} makes it absolute.
 */
export const faultArbitrary: fc.Arbitrary<Fault> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('ok' as const),
      delayMillis: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('retryable' as const),
      delayMillis: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
      retryAfterMillis: fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
      accepted: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('permanent' as const),
      delayMillis: fc.integer({ min: 0, max: 500 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'too_large' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('hang' as const), accepted: fc.boolean() }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'throw_sync' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('late' as const),
      // Infinity: never answers at all (a foreign exporter that never calls back)
      delayMillis: fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 3000 }), weight: 3 },
        { arbitrary: fc.constant(Number.POSITIVE_INFINITY), weight: 1 },
      ),
      fails: fc.boolean(),
    }),
    weight: 1,
  },
);

/** A send that ignores its signal and never answers. */
export function neverAnswers(fault: Fault): boolean {
  return fault.kind === 'late' && fault.delayMillis === Number.POSITIVE_INFINITY;
}

/** Makes the lateness of `late` faults absolute: that long after the export deadline. */
export function atDeadline(faults: readonly Fault[], exportTimeoutMillis: number): Fault[] {
  return faults.map((f) =>
    f.kind === 'late' ? { ...f, delayMillis: exportTimeoutMillis + f.delayMillis } : f,
  );
}

/** Retry policies worth exploring: off, or small attempts and delays, Retry-After bigger or not. */
export const retryArbitrary: fc.Arbitrary<RetryOptions | false> = fc.oneof(
  { arbitrary: fc.constant(false as const), weight: 1 },
  {
    arbitrary: fc
      .record({
        maxAttempts: fc.integer({ min: 1, max: 5 }),
        initialDelayMillis: fc.integer({ min: 0, max: 1500 }),
        spread: fc.integer({ min: 0, max: 5000 }),
        multiplier: fc.constantFrom(1, 1.5, 2, 3),
      })
      .map(({ spread, ...r }) => ({ ...r, maxDelayMillis: r.initialDelayMillis + spread })),
    weight: 3,
  },
);

/** One step of a scenario: records arrive, a flush is asked for, or time passes. */
export type Step =
  | {
      readonly kind: 'offer';
      readonly count: number;
      /** OpenTelemetry severity number; 0 is none. */
      readonly severity: number;
      /** Size of the record (its byte estimate, or a padding that makes it up). */
      readonly bytes: number;
      /** The record cannot be encoded: dropped alone as encoding_failed. */
      readonly bad: boolean;
    }
  | { readonly kind: 'flush'; readonly timeoutMillis: number | undefined }
  | { readonly kind: 'advance'; readonly millis: number };

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('offer' as const),
      count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 15 })),
      severity: fc.integer({ min: 0, max: 24 }),
      bytes: fc.integer({ min: 1, max: 400 }),
      bad: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('flush' as const),
      timeoutMillis: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      millis: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4000 })),
    }),
    weight: 5,
  },
);

/** Every batch option given, `maxQueueBytes` left out (no byte limit) when undefined. */
export type ScenarioOptions = Required<Omit<BatchOptions, 'maxQueueBytes'>> & {
  readonly maxQueueBytes: number | undefined;
};

/** Small queues and batches (a batch may exceed the queue: clamped), all policies, 1-4 slots. */
export const optionsArbitrary: fc.Arbitrary<ScenarioOptions> = fc.record({
  maxQueueSize: fc.integer({ min: 1, max: 40 }),
  maxExportBatchSize: fc.integer({ min: 1, max: 48 }),
  scheduledDelayMillis: fc.integer({ min: 0, max: 3000 }),
  exportTimeoutMillis: fc.integer({ min: 1, max: 6000 }),
  shutdownTimeoutMillis: fc.integer({ min: 0, max: 10_000 }),
  overflowPolicy: fc.constantFrom(...OVERFLOW_POLICIES),
  maxQueueBytes: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
  maxConcurrentExports: fc.integer({ min: 1, max: 4 }),
  dropWarningIntervalMillis: fc.constantFrom(0, 1000, 10_000),
});

/** A configuration, a transport script and the steps to play before the final shutdown. */
export interface Scenario {
  readonly options: ScenarioOptions;
  readonly retry: RetryOptions | false;
  /** What the sends do, in order; `late` relative to the deadline (see {@link atDeadline}). */
  readonly faults: readonly Fault[];
  /** What the sends do once `faults` is used up. */
  readonly fallback: Fault;
  readonly shutdownHangs: boolean;
  readonly steps: readonly Step[];
  readonly offersAfterShutdown: number;
  /** `shutdown(timeoutMillis)` instead of `shutdownTimeoutMillis`, where the API takes one. */
  readonly shutdownTimeoutMillis: number | undefined;
  /** The timeout of a flush called once the shutdown began, where the API takes one. */
  readonly flushDuringShutdownMillis: number | undefined;
  /** Before the shutdown, flush everything and check it finishes in bounded time. */
  readonly drainBeforeShutdown: boolean;
}

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  options: optionsArbitrary,
  retry: retryArbitrary,
  faults: fc.array(faultArbitrary, { maxLength: 40, size: 'max' }),
  fallback: fc.oneof(
    { arbitrary: fc.constant<Fault>({ kind: 'ok', delayMillis: 0 }), weight: 3 },
    { arbitrary: faultArbitrary, weight: 1 },
  ),
  shutdownHangs: fc.boolean(),
  steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 60, size: 'max' }),
  offersAfterShutdown: fc.nat({ max: 3 }),
  shutdownTimeoutMillis: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
  flushDuringShutdownMillis: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
  drainBeforeShutdown: fc.boolean(),
});

/**
 * How long a flush of `queued` records may take at most: an export gives its slot back at the
 * latest one `exportTimeoutMillis` after its deadline (abandoned if it has not settled), so the
 * exports running now end within two deadlines, and the queue leaves in waves of
 * `maxConcurrentExports` batches that take as long each.
 */
export function drainBoundMillis(
  queued: number,
  options: {
    maxExportBatchSize: number;
    maxConcurrentExports: number;
    exportTimeoutMillis: number;
  },
): number {
  const batches = Math.ceil(queued / options.maxExportBatchSize);
  const waves = 1 + Math.ceil(batches / options.maxConcurrentExports);
  return waves * 2 * options.exportTimeoutMillis;
}

/**
 * Throws unless timers (and `Date`) are faked: the audits below compare `Date.now()` readings,
 * exact on the fake clock and stretched by load on the wall clock.
 */
function requireFakeClock(what: string): void {
  if (!vi.isFakeTimers()) {
    throw new Error(`${what} reads Date.now(): use it under vi.useFakeTimers(), not real time`);
  }
}

/**
 * Starts `work` now and advances fake time, one timer at a time, until it settles or `budget`
 * milliseconds passed. Returns how long it took, or `undefined` if it had not settled by then.
 */
export async function timeToSettle(
  work: () => Promise<unknown>,
  budget: number,
): Promise<number | undefined> {
  requireFakeClock('timeToSettle');
  const calledAt = Date.now();
  let settledAt: number | undefined;
  const mark = (): void => {
    settledAt = Date.now();
  };
  void work().then(mark, mark);
  await vi.advanceTimersByTimeAsync(0);
  while (settledAt === undefined && Date.now() - calledAt <= budget) {
    await vi.advanceTimersToNextTimerAsync();
  }
  return settledAt === undefined ? undefined : settledAt - calledAt;
}

/** What the audit needs to know of the configuration. */
export interface DeliveryLimits {
  readonly maxConcurrentExports: number;
  readonly maxAttempts: number;
  readonly maxDelayMillis: number;
}

/** The limits a retry option gives, defaults included. */
export function limitsOf(
  retry: RetryOptions | false,
  maxConcurrentExports: number,
): DeliveryLimits {
  return {
    maxConcurrentExports,
    maxAttempts: retry === false ? 1 : (retry.maxAttempts ?? 5),
    maxDelayMillis: retry === false ? 0 : (retry.maxDelayMillis ?? 30_000),
  };
}

/**
 * Checks, after each step, the promises of README "Guarantees" against what the transport saw.
 * Past sends are audited once each, so a step costs what it added.
 *
 * In flight: at most `maxConcurrentExports` sends at once, except sends the engine abandoned one
 * `exportTimeoutMillis` after their export deadline (or at the shutdown deadline) because they
 * ignore their signal (see `FaultTransport.maxInFlight`).
 */
export class DeliveryAudit {
  readonly #transport: FaultTransport<string>;
  readonly #limits: DeliveryLimits;
  #audited = 0;
  /** Per export (its signal): the last send audited. */
  readonly #lastSend = new Map<AbortSignal, FaultySend>();
  /** Every id some export carried, and which export. */
  readonly #owner = new Map<number, AbortSignal>();
  /** Per export: the lowest and highest id its sends carried. */
  readonly #spans = new Map<AbortSignal, { low: number; high: number }>();

  constructor(transport: FaultTransport<string>, limits: DeliveryLimits) {
    requireFakeClock('DeliveryAudit');
    this.#transport = transport;
    this.#limits = limits;
  }

  /** Throws on the first broken rule, with what broke it. */
  check(stats: ReporterStats): void {
    const transport = this.#transport;
    const problems: string[] = [];
    if (unaccountedRecords(stats) !== 0) problems.push('the accounting identity does not hold');
    const bySeverity = Object.values(stats.droppedBySeverity).reduce((a, b) => a + b, 0);
    if (bySeverity !== stats.dropped.queue_full) {
      problems.push('droppedBySeverity does not sum to dropped.queue_full');
    }
    if (transport.maxInFlight > this.#limits.maxConcurrentExports) {
      problems.push(`${transport.maxInFlight} sends not abandoned were in flight at once`);
    }
    if (transport.sendsAfterAbort > 0) problems.push('a send started after its signal fired');
    if (transport.idleAtExportDeadline > 0) {
      problems.push('an export waited in backoff past its deadline instead of giving up');
    }
    // Exactly the acknowledgements that arrived before the deadline count as exported.
    if (stats.exported !== transport.acknowledgedInTime) {
      problems.push(`exported ${stats.exported}, acknowledged ${transport.acknowledgedInTime}`);
    }
    const retried = transport.sends.filter((s) => s.attempt > 1).length;
    if (stats.retries !== retried) problems.push(`retries ${stats.retries}, resent ${retried}`);
    // README: "A record is delivered at most once, unless an attempt failed or timed out after
    // the backend had in fact accepted it: the retry then delivers it again (at least once, for
    // those records)". So a record is stored at most once plus once per attempt that stored it
    // and then failed; every record counted as exported was stored (the identity above).
    for (const [id, stored] of transport.stored) {
      if (stored - (transport.lostAcks.get(id) ?? 0) > 1) {
        problems.push(`record ${id} stored ${stored} times`);
      }
    }
    for (; this.#audited < transport.sends.length; this.#audited++) {
      this.#auditSend(transport.sends[this.#audited] as FaultySend, problems);
    }
    if (problems.length > 0) {
      expect.fail(`${problems.join('; ')}\nstats: ${JSON.stringify(stats)}`);
    }
  }

  #auditSend(send: FaultySend, problems: string[]): void {
    const { ids } = send;
    if (ids.length !== send.recordCount) problems.push('recordCount differs from the payload');
    for (let i = 1; i < ids.length; i++) {
      if ((ids[i] as number) <= (ids[i - 1] as number)) {
        problems.push(`payload out of emission order: ${ids.join(',')}`);
        break;
      }
    }
    if (send.attempt > this.#limits.maxAttempts) problems.push(`attempt ${send.attempt}`);
    const previous = this.#lastSend.get(send.signal);
    if (previous !== undefined) this.#auditRetry(previous, send, problems);
    this.#auditTakeOrder(send, problems);
    this.#lastSend.set(send.signal, send);
    for (const id of ids) {
      const owner = this.#owner.get(id);
      if (owner === undefined) this.#owner.set(id, send.signal);
      else if (owner !== send.signal) problems.push(`record ${id} taken by two exports`);
    }
  }

  /**
   * Batches are taken in emission order: the ids of two exports never interleave. Their sends
   * may start in another order (a large batch is encoded and sent on turns of its own, while a
   * small one taken after it may go at once).
   */
  #auditTakeOrder(send: FaultySend, problems: string[]): void {
    const { ids } = send;
    if (ids.length === 0) return;
    const span = this.#spans.get(send.signal) ?? { low: Infinity, high: -Infinity };
    span.low = Math.min(span.low, ...ids);
    span.high = Math.max(span.high, ...ids);
    this.#spans.set(send.signal, span);
    for (const [signal, other] of this.#spans) {
      if (signal !== send.signal && other.low <= span.high && span.low <= other.high) {
        problems.push(`batch ${ids.join(',')} taken out of order`);
        return;
      }
    }
  }

  /** The wait between two attempts of one payload honours Retry-After and maxDelayMillis. */
  #auditRetry(previous: FaultySend, next: FaultySend, problems: string[]): void {
    if (next.attempt !== previous.attempt + 1) return; // a 413 half starts over at attempt 1
    const wait = next.startedAt - (previous.settledAt ?? previous.startedAt);
    const fault = previous.fault;
    const retryAfter = fault.kind === 'retryable' ? (fault.retryAfterMillis ?? 0) : 0;
    if (wait < retryAfter) problems.push(`retried after ${wait} ms, Retry-After ${retryAfter}`);
    // (a timer waits at least 1 ms: a computed wait of 0 ms lands on the next millisecond)
    if (wait > Math.max(retryAfter, this.#limits.maxDelayMillis, 1)) {
      problems.push(`retried after ${wait} ms, maxDelayMillis ${this.#limits.maxDelayMillis}`);
    }
  }
}

/** Pending flushes and what they must satisfy when they resolve. */
export class FlushLog {
  readonly #pending = new Set<Promise<void>>();
  readonly problems: string[] = [];
  #count = 0;

  /**
   * Tracks `promise`, a flush called now with `timeoutMillis`; `stats` reads the counters at the
   * moment it resolves. It must resolve by its timeout. Resolving `true` (or, for APIs that
   * resolve to nothing, resolving before the timeout) means everything received before the call
   * is settled, so at most what was received since can be queued or in flight; `false` is
   * allowed only once the timeout passed.
   */
  track(
    promise: Promise<boolean | undefined>,
    timeoutMillis: number | undefined,
    stats: () => ReporterStats,
  ): void {
    requireFakeClock('FlushLog');
    const calledAt = Date.now();
    const receivedBefore = stats().received;
    const index = this.#count++;
    const settled = promise.then(
      (result) => {
        const elapsed = Date.now() - calledAt;
        const timedOut = timeoutMillis !== undefined && elapsed >= timeoutMillis;
        if (timeoutMillis !== undefined && elapsed > timeoutMillis) {
          this.problems.push(
            `flush ${index} resolved ${elapsed} ms after a ${timeoutMillis} ms timeout`,
          );
        }
        if (result === false && !timedOut) {
          this.problems.push(`flush ${index} resolved false before its timeout`);
        }
        if (result === true || (result === undefined && !timedOut)) {
          const now = stats();
          const pending = now.queued + now.inFlight;
          if (pending > now.received - receivedBefore) {
            this.problems.push(`flush ${index} completed with ${pending} records pending`);
          }
        }
      },
      (error: unknown) => {
        this.problems.push(`flush ${index} rejected: ${String(error)}`);
      },
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
  }

  /** Flushes not resolved yet. */
  get pending(): number {
    return this.#pending.size;
  }
}

// Captured at import, before any test fakes timers: a real turn of the event loop.
const realSetImmediate = globalThis.setImmediate;

/** Unhandled rejections seen while watching. */
export interface RejectionWatch {
  readonly reasons: unknown[];
  /** Lets a real turn of the event loop pass, so that Node reports what is pending. */
  settle(): Promise<void>;
  stop(): void;
}

/** Counts `unhandledRejection` events until `stop()`. */
export function watchUnhandledRejections(): RejectionWatch {
  const reasons: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  return {
    reasons,
    settle: () => new Promise<void>((resolve) => realSetImmediate(resolve)),
    stop: () => process.off('unhandledRejection', onUnhandled),
  };
}
