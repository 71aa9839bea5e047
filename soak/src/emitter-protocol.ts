// What the outage scenario and its emitting processes say to each other over the IPC channel.
// The parent decides the script (emit, wait, kill, stop); the child only emits and reports, so
// that every figure the checks use comes from the process that produced it.
import type { ReporterStats, RetryOptions } from '@telemetry-reporter/otel';

/** The processor settings every emitter of the scenario runs with. */
export interface EmitterProcessorOptions {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly maxConcurrentExports: number;
  readonly shutdownTimeoutMillis: number;
}

/** What the parent passes in `SOAK_EMITTER_CONFIG` (the spool comes from the environment). */
export interface EmitterConfig {
  /** How the reports name this process, e.g. `#2 fallback`. */
  readonly name: string;
  /** The backend, credentials included. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** This process emits record ids `firstId` to `firstId + idCount - 1`, in order. */
  readonly firstId: number;
  readonly idCount: number;
  readonly processor: EmitterProcessorOptions;
  readonly retry: Required<RetryOptions>;
  /** How often stats (for the identity) and the heap (for the peak) are sampled. */
  readonly sampleEveryMillis: number;
}

/**
 * Conditions an emitter can be asked to wait for:
 * - `on-disk`: nothing queued, and every record it emitted has been handed to a send at least
 *   once. With `write-ahead`, a batch is sent only once its file is on disk: the process can be
 *   killed now without losing a record;
 * - `spool-empty`: nothing spooled, and no batch file left in the spool (records may still be
 *   queued or in flight: the process keeps emitting);
 * - `drained`: nothing queued, in flight or spooled, and no batch file left in the spool.
 */
export type EmitterCondition = 'on-disk' | 'spool-empty' | 'drained';

/** Messages from the parent. SIGTERM (a real signal) asks for a graceful stop. */
export type EmitterCommand =
  /** Emits `count` more records at `ratePerSecond` (0: as fast as the event loop allows). */
  | { readonly type: 'emit'; readonly count: number; readonly ratePerSecond: number }
  /** `forceFlush()`: resolves once every record is exported or spooled. */
  | { readonly type: 'flush' }
  | { readonly type: 'await'; readonly condition: EmitterCondition };

/** What the emitter's transport saw of each attempt. */
export interface AttemptCounts {
  attempts: number;
  delivered: number;
  /** The connection was refused (`ECONNREFUSED`): the backend is not listening. */
  refused: number;
  /** HTTP 503. */
  unavailable: number;
  /** Attempts cut by the export or shutdown deadline (a slow 503 still on its way). */
  aborted: number;
  /**
   * Any other failure. An answer the server drops on a kept-alive connection is mostly not seen
   * here: the HTTP client sends the request again at once, inside the same attempt.
   */
  otherFailures: number;
  /** Batches sent for the first time by this process, and their records, own or replayed. */
  firstSends: number;
  /** Records of this process's own id range handed to a send at least once. */
  ownRecordsSent: number;
  /** Records of earlier processes' id ranges first sent by this process: replays. */
  earlierRecordsSent: number;
}

/** Everything an emitter reports, at each step. */
export interface EmitterSnapshot {
  readonly emitted: number;
  readonly stats: ReporterStats;
  readonly attempts: AttemptCounts;
  /** Stats samples taken so far, and how many broke the accounting identity. */
  readonly statsSamples: number;
  readonly identityViolations: number;
  /** Largest `heapUsed` sampled so far. */
  readonly peakHeapBytes: number;
  /** `heapUsed` after a full GC once the process was set up, and at the last `drained`. */
  readonly baselineHeapBytes: number;
  readonly drainedHeapBytes: number | undefined;
  /** `diag` warnings (the spool's and the exporter's), and the first few, for a failed run. */
  readonly warnings: number;
  readonly firstWarnings: readonly string[];
}

/** Messages to the parent. */
export type EmitterMessage =
  | { readonly type: 'ready'; readonly snapshot: EmitterSnapshot }
  | { readonly type: 'emitted'; readonly snapshot: EmitterSnapshot }
  | { readonly type: 'flushed'; readonly snapshot: EmitterSnapshot }
  | {
      readonly type: 'reached';
      readonly condition: EmitterCondition;
      readonly snapshot: EmitterSnapshot;
    }
  /** After a graceful stop: `provider.shutdown()` returned; the process exits next. */
  | {
      readonly type: 'stopped';
      readonly shutdownMillis: number;
      readonly snapshot: EmitterSnapshot;
    };
