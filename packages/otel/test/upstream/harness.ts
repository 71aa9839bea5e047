// What the ports of OpenTelemetry JS's batch processor tests share: an exporter that records and
// answers as scripted, the global error handler, and probes that read a processor's effective
// options from its behaviour, since the built-in processors keep them in private fields.
import { expect, vi } from 'vitest';
import { ExportResultCode, loggingErrorHandler, MetricReader, setGlobalErrorHandler } from '#sdk';

/** The result an exporter hands to the processor's callback. */
export interface ExportResultLike {
  readonly code: number;
  readonly error?: Error;
}

/** The callback a processor passes to `export()`. */
export type ResultCallback = (result: ExportResultLike) => void;

/** A method of the exporter, as called by the processor. */
export type ExporterCall = 'export' | 'forceFlush' | 'shutdown';

/** How a {@link ScriptedExporter} answers the export at `index` (0-based, in call order). */
export type Answer<T> = (batch: readonly T[], done: ResultCallback, index: number) => void;

export const SUCCESS: ExportResultLike = Object.freeze({ code: ExportResultCode.SUCCESS });

/** A failed export, with the error the exporter reports. */
export function failure(error: Error): ExportResultLike {
  return { code: ExportResultCode.FAILED, error };
}

/**
 * An exporter that records every call in order and answers each export as scripted: at once by
 * default; `hold: n` keeps the first `n` exports pending until the test releases them.
 */
export class ScriptedExporter<T> {
  /** The batches passed to `export()`, in call order. */
  readonly batches: T[][] = [];
  /** Every call the processor made, in order. */
  readonly calls: ExporterCall[] = [];
  /** Callbacks of the exports held so far, in call order. */
  readonly held: ResultCallback[] = [];
  readonly #answer: Answer<T>;

  constructor(options: { hold?: number; answer?: Answer<T> } = {}) {
    const hold = options.hold ?? 0;
    this.#answer =
      options.answer ??
      ((_batch, done, index) => (index < hold ? this.held.push(done) : done(SUCCESS)));
  }

  export(batch: T[], done: ResultCallback): void {
    this.calls.push('export');
    this.batches.push([...batch]);
    this.#answer(batch, done, this.batches.length - 1);
  }

  forceFlush(): Promise<void> {
    this.calls.push('forceFlush');
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.calls.push('shutdown');
    return Promise.resolve();
  }

  /** Records passed to `export()` so far. */
  get exportedRecords(): number {
    return this.batches.reduce((sum, batch) => sum + batch.length, 0);
  }

  /** Answers every held export that is still pending with `result`. */
  releaseHeld(result: ExportResultLike = SUCCESS): void {
    for (const done of this.held.splice(0)) done(result);
  }
}

/** Lets microtasks and the fake timers due within `millis` run. */
export function advance(millis = 0): Promise<unknown> {
  return vi.advanceTimersByTimeAsync(millis);
}

/**
 * Awaits `promise` while the fake timers run: those due within `millis`, then 1 ms more at a
 * time, at most 100 times, until it settles. The SDK's in-memory span exporter answers each
 * export on a 0 ms timer, which fake timers set during a tick run 1 ms later.
 */
export async function whileTimersRun<T>(promise: Promise<T>, millis = 0): Promise<T> {
  let settled = false;
  const done = (): void => {
    settled = true;
  };
  promise.then(done, done);
  await advance(millis);
  for (let step = 0; step < 100 && !settled; step++) await advance(1);
  return promise;
}

/**
 * Routes `@opentelemetry/core`'s global error handler, the one the SDK's processors report
 * failed and timed-out exports to, into the returned array until {@link restoreGlobalErrors}.
 */
export function captureGlobalErrors(): unknown[] {
  const errors: unknown[] = [];
  setGlobalErrorHandler((error) => {
    errors.push(error);
  });
  return errors;
}

/** Puts the SDK's default global error handler back. */
export function restoreGlobalErrors(): void {
  setGlobalErrorHandler(loggingErrorHandler());
}

/** True when `error` is the `Error('Timeout')` the SDK reports for an export past its deadline. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Timeout';
}

/** A metric reader the test collects from by hand. */
export class ManualMetricReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point of a collected metric. */
export interface Point {
  readonly value: unknown;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/**
 * The data points of the metric called `name`, whatever meter recorded it: the instrumentation
 * scope names the library that records, so ours may rightly differ from the SDK's.
 */
export async function collectPoints(reader: MetricReader, name: string): Promise<Point[]> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as Point[];
}

/** A processor opened on an exporter, seen only through what both kinds expose. */
export interface Opened {
  /** Emits (logs) or ends (spans) `count` new records. */
  feed(count: number): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /**
   * Whether the processor has given up on an export at its deadline, as it makes that visible:
   * the built-in reports `Error('Timeout')` to the global error handler, ours counts the records
   * as `export_timeout` in `stats()`.
   */
  timedOut(): boolean;
}

/** Builds a processor of the kind under test, with fixed options, on `exporter`. */
export type Open = (exporter: ScriptedExporter<unknown>) => Opened;

// The probes below need fake timers, and run every processor they open to its shutdown.

/** A full batch of `size` leaves at once; one record fewer waits. */
export async function expectBatchSize(open: Open, size: number): Promise<void> {
  const exporter = new ScriptedExporter<unknown>();
  const processor = open(exporter);
  processor.feed(size - 1);
  await advance();
  expect(exporter.batches, `nothing exported with ${size - 1} records queued`).toEqual([]);
  processor.feed(1);
  await advance();
  expect(exporter.batches.map((batch) => batch.length)).toEqual([size]);
  await processor.shutdown();
}

/** A partial batch leaves `millis` after its first record, not a millisecond sooner. */
export async function expectScheduledDelay(open: Open, millis: number): Promise<void> {
  const exporter = new ScriptedExporter<unknown>();
  const processor = open(exporter);
  processor.feed(1);
  await advance(millis - 1);
  expect(exporter.batches, `nothing exported after ${millis - 1} ms`).toEqual([]);
  await advance(1);
  expect(exporter.batches.map((batch) => batch.length)).toEqual([1]);
  await processor.shutdown();
}

/**
 * While one batch of `batchSize` is being exported, the queue holds `queueSize` more records and
 * drops the rest; everything kept is exported once the export answers.
 */
export async function expectQueueSize(
  open: Open,
  queueSize: number,
  batchSize: number,
): Promise<void> {
  const exporter = new ScriptedExporter<unknown>({ hold: 1 });
  const processor = open(exporter);
  processor.feed(batchSize);
  await advance();
  expect(exporter.held, 'the first batch is being exported').toHaveLength(1);
  processor.feed(queueSize + 10);
  await advance();
  exporter.releaseHeld();
  await advance();
  await processor.forceFlush();
  expect(exporter.exportedRecords).toBe(batchSize + queueSize);
  await processor.shutdown();
}

/** An export that never answers is given up at `millis`, not a millisecond sooner. */
export async function expectExportTimeout(
  open: Open,
  millis: number,
  batchSize: number,
): Promise<void> {
  const exporter = new ScriptedExporter<unknown>({ hold: Number.POSITIVE_INFINITY });
  const processor = open(exporter);
  processor.feed(batchSize);
  await advance();
  expect(exporter.held, 'a full batch is being exported').toHaveLength(1);
  await advance(millis - 1);
  expect(processor.timedOut(), `not given up after ${millis - 1} ms`).toBe(false);
  await advance(1);
  expect(processor.timedOut(), `given up after ${millis} ms`).toBe(true);
  exporter.releaseHeld();
  await advance();
  await processor.shutdown();
}
