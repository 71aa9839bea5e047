import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoggerProvider, MeterProvider, MetricReader } from '#sdk';
import {
  PermanentError,
  ReporterLogRecordProcessor,
  RetryableError,
  TransportLogRecordExporter,
  totalDropped,
} from '../../src/index.js';
import { MemoryTransport } from '../helpers/memory-transport.js';

/** A metric reader the test collects from by hand. */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Point {
  attributes: Record<string, unknown>;
  value: number | { count: number; sum?: number };
}

interface CollectedMetric {
  descriptor: { name: string; unit: string };
  dataPoints: Point[];
}

async function collect(reader: TestReader): Promise<Map<string, CollectedMetric>> {
  const { resourceMetrics } = await reader.collect();
  const byName = new Map<string, CollectedMetric>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics as unknown as CollectedMetric[]) {
      byName.set(metric.descriptor.name, metric);
    }
  }
  return byName;
}

/** Sum of the points of `metric` whose `error.type` is `errorType` (undefined: no error). */
function sumWhere(metric: CollectedMetric | undefined, errorType?: string): number {
  return (metric?.dataPoints ?? [])
    .filter((p) => p.attributes['error.type'] === errorType)
    .reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : p.value.count), 0);
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('self-metrics', () => {
  it('match stats() after drops, failures, retries and an encoding failure', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const script: (() => void)[] = [
      () => {
        throw new RetryableError('503', { retryAfterMillis: 10 });
      },
      () => {},
      () => {
        throw new PermanentError('400');
      },
    ];
    const transport = new MemoryTransport(() => script.shift()?.());
    const processor = new ReporterLogRecordProcessor({
      exporter: new TransportLogRecordExporter({ transport }),
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      meterProvider,
    });
    const provider = new LoggerProvider({ processors: [processor] });
    const logger = provider.getLogger('metrics');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    // five leave for the export slot at once, ten are queued, five are shed
    for (let i = 0; i < 20; i++) logger.emit({ body: i === 3 ? (circular as never) : i });
    const flushed = provider.forceFlush();
    await vi.advanceTimersByTimeAsync(100);
    await flushed;

    const stats = processor.stats();
    expect(stats).toMatchObject({
      received: 20,
      exported: 9,
      retries: 1,
      dropped: expect.objectContaining({ queue_full: 5, encoding_failed: 1, rejected: 5 }),
    });
    const metrics = await collect(reader);
    const processed = metrics.get('otel.sdk.processor.log.processed');
    const exported = metrics.get('otel.sdk.exporter.log.exported');
    expect(processed?.descriptor.unit).toBe('{log_record}');
    expect(exported?.descriptor.unit).toBe('{log_record}');
    // processed: counted when each record's export finished, with error.type the exporter's
    // error name (as OpenTelemetry's processors record it), or the drop reason before an export
    expect(sumWhere(processed)).toBe(stats.exported);
    expect(sumWhere(processed, 'queue_full')).toBe(stats.dropped.queue_full);
    expect(sumWhere(processed, 'PermanentError')).toBe(stats.dropped.rejected);
    expect(sumWhere(processed, 'TypeError')).toBe(stats.dropped.encoding_failed);
    // exported: the outcome of each record, with error.type the drop reason
    expect(sumWhere(exported)).toBe(stats.exported);
    expect(sumWhere(exported, 'rejected')).toBe(stats.dropped.rejected);
    expect(sumWhere(exported, 'encoding_failed')).toBe(stats.dropped.encoding_failed);
    expect(
      sumWhere(processed, 'queue_full') +
        (exported?.dataPoints ?? []).reduce((sum, p) => sum + (p.value as number), 0),
    ).toBe(stats.exported + totalDropped(stats));
    expect(sumWhere(metrics.get('otel.sdk.exporter.log.inflight'))).toBe(stats.inFlight);
    expect(sumWhere(metrics.get('otel.sdk.processor.log.queue.size'))).toBe(stats.queued);
    expect(sumWhere(metrics.get('otel.sdk.processor.log.queue.capacity'))).toBe(10);
    const duration = metrics.get('otel.sdk.exporter.operation.duration');
    expect(duration?.descriptor.unit).toBe('s');
    expect(duration?.dataPoints.reduce((n, p) => n + (p.value as { count: number }).count, 0)).toBe(
      3,
    );
    expect(processed?.dataPoints[0]?.attributes).toMatchObject({
      'otel.component.type': 'batching_log_processor',
      'otel.component.name': expect.stringMatching(/^batching_log_processor\/\d+$/),
    });
    expect(exported?.dataPoints[0]?.attributes).toMatchObject({
      'otel.component.type': 'telemetry_reporter_transport_log_exporter',
      'otel.component.name': expect.stringMatching(
        /^telemetry_reporter_transport_log_exporter\/\d+$/,
      ),
    });
    // collecting (and so exporting) the metrics feeds nothing back into the processor
    await collect(reader);
    expect(processor.stats()).toEqual(stats);
    await provider.shutdown();
  });

  it('uses the global MeterProvider with TELEMETRY_REPORTER_METRICS=true, and nothing without', async () => {
    const { metrics } = await import('@opentelemetry/api');
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const getMeterProvider = vi.spyOn(metrics, 'getMeterProvider').mockReturnValue(meterProvider);
    const exporter = {
      export: (_: unknown[], done: (r: { code: number }) => void) => done({ code: 0 }),
      shutdown: async () => {},
    };

    const silent = new ReporterLogRecordProcessor({
      exporter,
      maxQueueSize: 1,
      maxExportBatchSize: 1,
    });
    silent.onEmit({
      hrTime: [0, 0],
      attributes: {},
      resource: { attributes: {} },
      instrumentationScope: { name: 'a' },
    });
    expect(getMeterProvider).not.toHaveBeenCalled();

    vi.stubEnv('TELEMETRY_REPORTER_METRICS', 'true');
    const measured = new ReporterLogRecordProcessor({
      exporter,
      maxQueueSize: 1,
      maxExportBatchSize: 1,
    });
    const record = {
      hrTime: [0, 0] as [number, number],
      attributes: {},
      resource: { attributes: {} },
      instrumentationScope: { name: 'a' },
    };
    measured.onEmit(record); // leaves for the export slot at once
    measured.onEmit(record); // queued
    measured.onEmit(record); // queue full: dropped
    const collected = await collect(reader);
    expect(sumWhere(collected.get('otel.sdk.processor.log.processed'), 'queue_full')).toBe(1);
  });

  it('rejects a meterProvider that is not one', () => {
    const exporter = { export: () => {}, shutdown: async () => {} };
    expect(() => new ReporterLogRecordProcessor({ exporter, meterProvider: {} as never })).toThrow(
      'meterProvider must be an OpenTelemetry MeterProvider, got an object',
    );
  });
});
