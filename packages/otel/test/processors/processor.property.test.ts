import {
  atDeadline,
  DeliveryAudit,
  FlushLog,
  limitsOf,
  type RejectionWatch,
  type Scenario,
  scenarioArbitrary,
  timeToSettle,
  watchUnhandledRejections,
} from '@telemetry-reporter-internal/test-kit/fault-model';
import { FaultTransport } from '@telemetry-reporter-internal/test-kit/fault-transport';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoggerProvider, resourceFromAttributes } from '#sdk';
import {
  ReporterLogRecordProcessor,
  TransportLogRecordExporter,
  unaccountedRecords,
} from '../../src/index.js';

// The engine's property (packages/core/test/engine/engine.property.test.ts) one level up: records go
// through a real SDK LoggerProvider into a ReporterLogRecordProcessor, then a
// TransportLogRecordExporter with its retrying delivery, to the same faulty transport. Runs on
// both SDK lines.

let rejections: RejectionWatch;

beforeAll(() => {
  rejections = watchUnhandledRejections();
});

afterAll(() => {
  rejections.stop();
});

interface ExportedRecord {
  readonly body: { readonly id: number };
}

async function runScenario(scenario: Scenario): Promise<void> {
  const { options, retry } = scenario;
  vi.useFakeTimers();
  try {
    let processor: ReporterLogRecordProcessor;
    const unaccountedAtSend: string[] = [];
    const transport = new FaultTransport<string>({
      faults: atDeadline(scenario.faults, options.exportTimeoutMillis),
      fallback: atDeadline([scenario.fallback], options.exportTimeoutMillis)[0],
      decode: (payload) => (JSON.parse(payload) as ExportedRecord[]).map((r) => r.body.id),
      shutdownHangs: scenario.shutdownHangs,
      onEvent: () => {
        const stats = processor.stats();
        if (unaccountedRecords(stats) !== 0) unaccountedAtSend.push(JSON.stringify(stats));
      },
    });
    processor = new ReporterLogRecordProcessor({
      ...options,
      exporter: new TransportLogRecordExporter({ transport, retry }),
    });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'property' }),
      processors: [processor],
    });
    const logger = provider.getLogger('property');
    const resolved = processor.options;
    const audit = new DeliveryAudit(transport, limitsOf(retry, resolved.maxConcurrentExports));
    const flushes = new FlushLog();
    const check = (): void => {
      const stats = processor.stats();
      audit.check(stats);
      expect(stats.queued).toBeLessThanOrEqual(resolved.maxQueueSize);
      expect(flushes.problems).toEqual([]);
      expect(unaccountedAtSend).toEqual([]);
      expect(rejections.reasons).toEqual([]);
    };

    let nextId = 0;
    for (const step of scenario.steps) {
      if (step.kind === 'offer') {
        for (let i = 0; i < step.count; i++) {
          const id = nextId++;
          // `bytes` of padding varies the size estimate. A BigInt cannot be encoded; it is no
          // OpenTelemetry AnyValue either, hence the cast: an app can still emit one.
          const body = step.bad ? ({ id, big: 1n } as never) : { id, pad: 'x'.repeat(step.bytes) };
          logger.emit({ body, severityNumber: step.severity === 0 ? undefined : step.severity });
        }
      } else if (step.kind === 'flush') {
        const { timeoutMillis } = step;
        const flush = processor.forceFlush(
          timeoutMillis === undefined ? undefined : { timeoutMillis },
        );
        flushes.track(
          flush.then(() => undefined),
          timeoutMillis,
          () => processor.stats(),
        );
      } else {
        await vi.advanceTimersByTimeAsync(step.millis);
      }
      check();
    }

    const budget = resolved.shutdownTimeoutMillis;
    const took = await timeToSettle(() => provider.shutdown(), budget);
    expect(took, 'shutdown() did not resolve by its deadline').toBeDefined();
    expect(took).toBeLessThanOrEqual(budget);
    expect(vi.getTimerCount()).toBe(transport.pendingTimers);
    const final = processor.stats();
    check();
    expect(final).toMatchObject({ queued: 0, inFlight: 0, received: nextId });
    expect(flushes.pending).toBe(0);
    expect(transport.unsettled().every((s) => s.fault.kind === 'late')).toBe(true);

    await vi.advanceTimersByTimeAsync(options.exportTimeoutMillis + 3000);
    expect(vi.getTimerCount()).toBe(0);
    expect(processor.stats()).toEqual(final);
    await rejections.settle();
    check();
  } finally {
    vi.useRealTimers();
  }
}

describe('property: the log record processor under faults', () => {
  it('accounts for every record, bounds concurrency and deadlines, and delivers at most once', async () => {
    await fc.assert(fc.asyncProperty(scenarioArbitrary, runScenario), { numRuns: 150 });
  }, 60_000);
});
