import {
  DROP_REASONS,
  type DropReason,
  ExportAbortedError,
  type ExportBatchContext,
  type ExportDeadline,
  type RecordOutcome,
} from '@telemetry-reporter/core';
import { diagLogger } from '../internal/diag-logger.js';
import type { ExportResultLike } from '../sdk/sdk-types.js';

/** Delivers one batch, settling its records through the context; never rejects. */
export type DeliverFn<Item> = (
  items: readonly Item[],
  context: ExportBatchContext,
) => Promise<void>;

/** One export started through `export()`, until its result is reported. */
interface PendingExport {
  /** Runs the deadline handlers, then aborts the export. */
  readonly abort: () => void;
  /** The deadline: unref'd until someone waits for the export. */
  readonly timer: ReturnType<typeof setTimeout>;
  /** Resolves once the result callback was called. */
  readonly reported: Promise<void>;
}

/**
 * The exports a transport exporter runs through OpenTelemetry's standard `export()`, as under the
 * SDK's own batch processors. Nothing above it aborts them, so each gets its own deadline and its
 * own `AbortController`: at `timeoutMillis` (or at `abortAll()`, on shutdown) the send and its
 * backoff are aborted and the batch is reported failed at once, even if the transport ignores
 * its signal. Without this, a long Retry-After or a hung send would keep the export, the
 * exporter's `forceFlush()` and the SDK processor's `shutdown()` waiting for ever.
 */
export class StandardExports<Item> {
  readonly #name: string;
  readonly #timeoutMillis: number;
  readonly #deliver: DeliverFn<Item>;
  readonly #pending = new Set<PendingExport>();

  constructor(name: string, timeoutMillis: number, deliver: DeliverFn<Item>) {
    this.#name = name;
    this.#timeoutMillis = timeoutMillis;
    this.#deliver = deliver;
  }

  /** Delivers `items` within the deadline; calls `resultCallback` exactly once. */
  run(items: readonly Item[], resultCallback: (result: ExportResultLike) => void): void {
    const controller = new AbortController();
    const tally = new Map<RecordOutcome, number>();
    // Records handed to the exporter's spool: not delivered, but not lost either.
    let spooled = 0;
    let settledCount = 0;
    let deadlineHandlers: ((reason: ExportDeadline) => void)[] = [];
    const abort = (error: ExportAbortedError, deadline: ExportDeadline): void => {
      // The spool takes what the deadline would fail, before the result is reported.
      const handlers = deadlineHandlers;
      deadlineHandlers = [];
      for (const handler of handlers) {
        try {
          handler(deadline);
        } catch (thrown) {
          diagLogger.debug(`${this.#name}: a deadline handler threw`, thrown);
        }
      }
      controller.abort(error);
    };
    let report!: () => void;
    const reported = new Promise<void>((resolve) => {
      report = resolve;
    });
    let finished = false;
    const finish = (abortReason: unknown): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      controller.signal.removeEventListener('abort', onAbort);
      this.#pending.delete(entry);
      report();
      const result = resultOf(this.#name, items.length, tally, spooled, abortReason);
      try {
        resultCallback(result);
      } catch (error) {
        // The caller's callback runs on a timer or an abort listener here: a throw would
        // become an uncaught exception.
        diagLogger.warn(`${this.#name}: the export result callback threw`, error);
      }
    };
    const onAbort = (): void => finish(controller.signal.reason);
    const timer = setTimeout(
      () => abort(new ExportAbortedError('export_timeout', this.#timeoutMillis), 'export_timeout'),
      this.#timeoutMillis,
    );
    // Unref'd: an export nobody waits for never keeps the process alive (see settled()).
    timer.unref?.();
    const entry: PendingExport = {
      timer,
      reported,
      abort: () => abort(new ExportAbortedError('exporter_shutdown'), 'shutdown_timeout'),
    };
    controller.signal.addEventListener('abort', onAbort, { once: true });
    this.#pending.add(entry);
    const context: ExportBatchContext = {
      signal: controller.signal,
      deadline: Date.now() + this.#timeoutMillis,
      settle: (count, outcome) => {
        // After the result is reported the tally is frozen: the callback saw it already.
        const n = finished ? 0 : Math.min(count, items.length - settledCount);
        if (!(n > 0)) return;
        settledCount += n;
        tally.set(outcome, (tally.get(outcome) ?? 0) + n);
      },
      countRetry: () => {},
      handOff: (count) => {
        const n = finished ? 0 : Math.min(count, items.length - settledCount);
        if (!(n > 0)) return 0;
        settledCount += n;
        spooled += n;
        return n;
      },
      // No processor of ours counts these records: the spool's own counters do.
      settleSpooled: () => {},
      onDeadline: (handler) => {
        if (!finished && typeof handler === 'function') deadlineHandlers.push(handler);
      },
    };
    this.#deliver(items, context).then(
      () => finish(undefined),
      (error: unknown) => finish(error),
    );
  }

  /**
   * Resolves when every export started so far has reported its result. While it waits, the
   * process is kept alive until their deadlines at most: a flush or a shutdown (the SDK's batch
   * processors call `forceFlush()` from theirs) must not end with a script's last event loop
   * turn while a send has nothing else holding the loop, such as a backoff before a retry.
   */
  async settled(): Promise<void> {
    const pending = [...this.#pending];
    for (const { timer } of pending) timer.ref?.();
    await Promise.all(pending.map((p) => p.reported));
  }

  /** Aborts every pending export: each reports failure now. */
  abortAll(): void {
    for (const entry of [...this.#pending]) entry.abort();
  }
}

/** The batch's result: success only when every record was delivered. */
function resultOf(
  name: string,
  total: number,
  tally: ReadonlyMap<RecordOutcome, number>,
  spooled: number,
  abortReason: unknown,
): ExportResultLike {
  const exported = tally.get('exported') ?? 0;
  if (abortReason === undefined && exported >= total) return { code: 0 };
  const parts = DROP_REASONS.filter((r: DropReason) => (tally.get(r) ?? 0) > 0).map(
    (r) => `${r}: ${tally.get(r)}`,
  );
  if (spooled > 0) parts.push(`spooled for a later replay: ${spooled}`);
  let settled = spooled;
  for (const count of tally.values()) settled += count;
  const unsettled = Math.max(0, total - settled);
  const aborted = abortedBy(name, abortReason);
  if (unsettled > 0) parts.push(`${aborted?.label ?? 'unsettled'}: ${unsettled}`);
  const why = aborted === undefined ? '' : `; ${aborted.message}`;
  return {
    code: 1,
    error: new Error(
      `${name}: ${total - exported} of ${total} records not delivered (${parts.join(', ')})${why}`,
    ),
  };
}

/** What aborted the export, when it was one of our own aborts; never a foreign error's text. */
function abortedBy(name: string, reason: unknown): { label: string; message: string } | undefined {
  if (!(reason instanceof ExportAbortedError)) return undefined;
  return reason.reason === 'exporter_shutdown'
    ? { label: 'aborted', message: `${name} was shut down` }
    : { label: reason.reason, message: reason.message };
}
