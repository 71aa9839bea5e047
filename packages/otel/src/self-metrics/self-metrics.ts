import { metrics } from '@opentelemetry/api';
import type { DropReason, EngineObserver, RecordOutcome } from '@telemetry-reporter/core';
import type {
  MeterLike,
  MeterProviderLike,
  MetricAttributesLike,
  MetricSignal,
  ObservableCallbackLike,
} from './meter-types.js';

/** What the metrics read from the processor they measure. */
export interface MeasuredQueue {
  readonly capacity: number;
  size(): number;
  /**
   * With a spool: the records this processor handed to it whose outcome is pending, and the
   * bytes of the spool's files.
   */
  readonly spool?: { records(): number; bytes(): number };
}

const METER_NAME = '@telemetry-reporter/otel';
const componentCounters = new Map<string, number>();

/** `<type>/<n>`: unique per component type within the process, as the SDK names components. */
function componentName(type: string): string {
  const n = componentCounters.get(type) ?? 0;
  componentCounters.set(type, n + 1);
  return `${type}/${n}`;
}

/**
 * Self-metrics following OpenTelemetry's semantic conventions for SDK metrics, with the attribute
 * values of OpenTelemetry's own batch processors (`otel.component.type` `batching_log_processor`
 * / `batching_span_processor`): `otel.sdk.processor.<signal>.processed` (counted when each
 * record's export has finished, with `error.type` the drop reason when it failed, or when it was
 * dropped before an export: `queue_full`, `already_shutdown`), `.queue.size`, `.queue.capacity`,
 * and, for the exports of this
 * package's transport exporters, `otel.sdk.exporter.<signal>.exported` (with `error.type` = the drop
 * reason), `.inflight` and `otel.sdk.exporter.operation.duration`. With a spool, records count as
 * processed and exported when their outcome is known (a replay delivered them, or the spool lost
 * them), and `telemetry_reporter.spool.<signal>.records` and `telemetry_reporter.spool.usage`
 * (bytes) observe the spool. Recording only adds to
 * instruments: it never logs nor emits a span, so exporting the metrics cannot feed the
 * processor they measure. With no `meterProvider`, the global one is looked up at the first event,
 * so a provider registered after the processor was built is still used.
 */
export class SelfMetrics {
  /** The engine observer that records everything. */
  readonly observer: EngineObserver;
  readonly #signal: MetricSignal;
  readonly #provider: MeterProviderLike | undefined;
  readonly #queue: MeasuredQueue;
  readonly #measureExports: boolean;
  readonly #processorAttributes: MetricAttributesLike;
  readonly #exporterAttributes: MetricAttributesLike;
  readonly #withError = new Map<string, MetricAttributesLike>();
  #instruments: Instruments | undefined;
  #queueCallback: ObservableCallbackLike | undefined;
  /** Removes the spool's observable callbacks. */
  #spoolCallbacks: (() => void) | undefined;

  constructor(
    signal: MetricSignal,
    provider: MeterProviderLike | undefined,
    queue: MeasuredQueue,
    measureExports: boolean,
  ) {
    this.#signal = signal;
    this.#provider = provider;
    this.#queue = queue;
    this.#measureExports = measureExports;
    const processorType = `batching_${signal}_processor`;
    this.#processorAttributes = {
      'otel.component.type': processorType,
      'otel.component.name': componentName(processorType),
    };
    const exporterType = `telemetry_reporter_transport_${signal}_exporter`;
    this.#exporterAttributes = measureExports
      ? { 'otel.component.type': exporterType, 'otel.component.name': componentName(exporterType) }
      : {};
    this.observer = {
      queueDropped: (reason, count) => {
        this.#use().processed.add(count, this.#errorAttributes('p', reason));
      },
      exportStarted: (count) => {
        if (this.#measureExports) this.#use().inflight.add(count, this.#exporterAttributes);
      },
      exportSettled: (outcome, count, error) => {
        this.#countProcessed(outcome, count, error);
        if (!this.#measureExports) return;
        const instruments = this.#use();
        instruments.inflight.add(-count, this.#exporterAttributes);
        instruments.exported.add(count, this.#outcomeAttributes(outcome));
      },
      exportCompleted: (millis, failure) => {
        if (!this.#measureExports) return;
        this.#use().duration.record(millis / 1000, this.#outcomeAttributes(failure ?? 'exported'));
      },
      // Spooled records leave the exporter's in-flight count; they are processed (and exported
      // or failed) when a replay delivers them or the spool loses them.
      recordsSpooled: (count) => {
        if (this.#measureExports) this.#use().inflight.add(-count, this.#exporterAttributes);
      },
      spooledSettled: (outcome, count, error) => {
        this.#countProcessed(outcome, count, error);
        if (this.#measureExports) this.#use().exported.add(count, this.#outcomeAttributes(outcome));
      },
    };
    if (provider !== undefined) this.#use();
  }

  /** Stops observing the queue size. */
  shutdown(): void {
    this.#spoolCallbacks?.();
    this.#spoolCallbacks = undefined;
    if (this.#queueCallback !== undefined) {
      this.#instruments?.queueSize.removeCallback(this.#queueCallback);
      this.#queueCallback = undefined;
    }
  }

  /** Counts `count` records processed, with the error type of `outcome` unless exported. */
  #countProcessed(outcome: RecordOutcome, count: number, error: unknown): void {
    this.#use().processed.add(
      count,
      outcome === 'exported'
        ? this.#processorAttributes
        : this.#errorAttributes('p', processedErrorType(outcome, error)),
    );
  }

  #outcomeAttributes(outcome: RecordOutcome): MetricAttributesLike {
    return outcome === 'exported' ? this.#exporterAttributes : this.#errorAttributes('e', outcome);
  }

  #errorAttributes(side: 'p' | 'e', reason: string): MetricAttributesLike {
    const key = `${side}:${reason}`;
    let attributes = this.#withError.get(key);
    if (attributes === undefined) {
      const base = side === 'p' ? this.#processorAttributes : this.#exporterAttributes;
      attributes = { ...base, 'error.type': reason };
      // Cached to allocate nothing per export; bounded, whatever names errors come with.
      if (this.#withError.size < 64) this.#withError.set(key, attributes);
    }
    return attributes;
  }

  #use(): Instruments {
    if (this.#instruments !== undefined) return this.#instruments;
    const meter = (this.#provider ?? (metrics.getMeterProvider() as MeterProviderLike)).getMeter(
      METER_NAME,
    );
    const signal = this.#signal;
    const unit = signal === 'log' ? '{log_record}' : '{span}';
    const noun = signal === 'log' ? 'log records' : 'spans';
    const instruments: Instruments = {
      processed: meter.createCounter(`otel.sdk.processor.${signal}.processed`, {
        unit,
        description: `The number of ${noun} for which the processing has finished, either successful or failed.`,
      }),
      queueSize: meter.createObservableUpDownCounter(`otel.sdk.processor.${signal}.queue.size`, {
        unit,
        description: `The number of ${noun} in the queue of a given instance of an SDK ${signal} processor.`,
      }),
      exported: meter.createCounter(`otel.sdk.exporter.${signal}.exported`, {
        unit,
        description: `The number of ${noun} for which the export has finished, either successful or failed.`,
      }),
      inflight: meter.createUpDownCounter(`otel.sdk.exporter.${signal}.inflight`, {
        unit,
        description: `The number of ${noun} which were passed to the exporter, but that have not been exported yet (neither successful, nor failed).`,
      }),
      duration: meter.createHistogram('otel.sdk.exporter.operation.duration', {
        unit: 's',
        description: 'The duration of exporting a batch of telemetry records.',
      }),
    };
    meter
      .createUpDownCounter(`otel.sdk.processor.${signal}.queue.capacity`, {
        unit,
        description: `The maximum number of ${noun} the queue of a given instance of an SDK ${signal} processor can hold.`,
      })
      .add(this.#queue.capacity, this.#processorAttributes);
    this.#queueCallback = (result) => result.observe(this.#queue.size(), this.#processorAttributes);
    instruments.queueSize.addCallback(this.#queueCallback);
    const spool = this.#queue.spool;
    if (spool !== undefined) {
      // No semantic convention covers a disk buffer yet: our own names, under our namespace.
      const attributes = this.#processorAttributes;
      const records = meter.createObservableUpDownCounter(
        `telemetry_reporter.spool.${signal}.records`,
        {
          unit,
          description: `The number of ${noun} a processor handed to its spool whose delivery is pending.`,
        },
      );
      const bytes = meter.createObservableUpDownCounter('telemetry_reporter.spool.usage', {
        unit: 'By',
        description: 'The bytes of batch files in the spool directory.',
      });
      const observeRecords: ObservableCallbackLike = (result) =>
        result.observe(spool.records(), attributes);
      const observeBytes: ObservableCallbackLike = (result) =>
        result.observe(spool.bytes(), attributes);
      records.addCallback(observeRecords);
      bytes.addCallback(observeBytes);
      this.#spoolCallbacks = () => {
        records.removeCallback(observeRecords);
        bytes.removeCallback(observeBytes);
      };
    }
    this.#instruments = instruments;
    return instruments;
  }
}

/**
 * `error.type` of `processed` for a failed record: the name of the exporter's error, as
 * OpenTelemetry's batch processors record it, when the failure came with one; the drop reason
 * otherwise (deadlines, the queue, shutdown). Error names are a small set; an unnamed or odd
 * one falls back to the reason, so the attribute stays low-cardinality.
 */
function processedErrorType(outcome: DropReason, error: unknown): string {
  if (outcome === 'export_timeout' || outcome === 'shutdown_timeout') return outcome;
  const name = error instanceof Error ? error.name : undefined;
  return typeof name === 'string' && /^[A-Za-z_][\w.]{0,63}$/.test(name) ? name : outcome;
}

interface Instruments {
  processed: ReturnType<MeterLike['createCounter']>;
  queueSize: ReturnType<MeterLike['createObservableUpDownCounter']>;
  exported: ReturnType<MeterLike['createCounter']>;
  inflight: ReturnType<MeterLike['createUpDownCounter']>;
  duration: ReturnType<MeterLike['createHistogram']>;
}
