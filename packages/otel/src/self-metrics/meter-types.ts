// Structural views of OpenTelemetry's metrics API (1.4 to 1.10): what the self-metrics use.

/** Metric attributes, as OpenTelemetry's metrics API takes them. */
export type MetricAttributesLike = Record<string, string | number>;

/** The instruments this package uses, as OpenTelemetry's `Meter` provides them. */
export interface MeterLike {
  createCounter(
    name: string,
    options?: { unit?: string; description?: string },
  ): {
    add(value: number, attributes?: MetricAttributesLike): void;
  };
  createUpDownCounter(
    name: string,
    options?: { unit?: string; description?: string },
  ): {
    add(value: number, attributes?: MetricAttributesLike): void;
  };
  createHistogram(
    name: string,
    options?: { unit?: string; description?: string },
  ): {
    record(value: number, attributes?: MetricAttributesLike): void;
  };
  createObservableUpDownCounter(
    name: string,
    options?: { unit?: string; description?: string },
  ): {
    addCallback(callback: ObservableCallbackLike): void;
    removeCallback(callback: ObservableCallbackLike): void;
  };
}

/** A callback of an observable instrument. */
export type ObservableCallbackLike = (result: {
  observe(value: number, attributes?: MetricAttributesLike): void;
}) => void;

/** OpenTelemetry's `MeterProvider`, structurally (API 1.4 to 1.10). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike;
}

/** Which processor is measured. */
export type MetricSignal = 'log' | 'span';
