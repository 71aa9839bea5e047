// OpenTelemetry JS's own BatchSpanProcessor cases, run against the built-in processor and ours
// with one body each: the built-in passing proves the case is what the SDK does, ours passing that
// "drop-in" holds. Where ours differs on purpose, the case checks both behaviours and says why;
// the README's comparison table lists each such difference.
//
// Ported from packages/sdk-trace/test/common/export/BatchSpanProcessorBase.test.ts at upstream
// main (testing the BatchSpanProcessorBase.ts that sdk-trace 2.12.1 ships byte for byte, and that
// 3.1.1 ships but for two refactors), its predecessor in
// packages/opentelemetry-sdk-trace-base/test/common/export/ (the `(exporter, config)`
// constructor), and sdk-trace-base's BatchSpanProcessor-shim and node/BatchSpanProcessor tests
// (that constructor form, and the environment). On the SDK 2 line the built-in is
// sdk-trace-base 2.12.1's `BatchSpanProcessor`, a shim over sdk-trace whose only constructor is
// `(exporter, config)`; on SDK 3 it is sdk-trace 3.1.1's, `({ exporter, ... })`. Upstream reads
// private fields (`_finishedSpans`, `_droppedSpansCount`, `_maxExportBatchSize`); here every case
// reads what a user can see: what the exporter received and when, calls on the exporter, the
// global error handler, diag, metrics, and `stats()` for ours.

import { captureDiag } from '@telemetry-reporter-internal/test-kit/diag-capture';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BatchSpanProcessor,
  context,
  InMemorySpanExporter,
  MeterProvider,
  ROOT_CONTEXT,
  resourceFromAttributes,
  SamplingDecision,
  SDK_LINE,
  TracerProvider,
} from '#sdk';
import { ReporterSpanProcessor } from '../../src/index.js';
import {
  advance,
  captureGlobalErrors,
  collectPoints,
  expectBatchSize,
  expectExportTimeout,
  expectQueueSize,
  expectScheduledDelay,
  failure,
  isTimeout,
  ManualMetricReader,
  type Open,
  type ResultCallback,
  restoreGlobalErrors,
  ScriptedExporter,
  SUCCESS,
  whileTimersRun,
} from './harness.js';

/** A span as the SDK hands it to `onStart`, and later, ended, to `onEnd`. */
type Span = Parameters<BatchSpanProcessor['onStart']>[0];
type SpanExporter = ConstructorParameters<typeof BatchSpanProcessor>[0];
type Sampler = NonNullable<ConstructorParameters<typeof TracerProvider>[0]>['sampler'];
type Context = ReturnType<typeof context.active>;

/** The options of the SDK 3 line's constructor: the SDK 2 line's config plus the exporter. */
interface SpanOptions {
  exporter: SpanExporter;
  maxExportBatchSize?: number;
  maxQueueSize?: number;
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  selfObsMeterProvider?: InstanceType<typeof MeterProvider>;
}

/** What both processors expose. */
interface SpanProcessor {
  onStart(span: Span, parentContext: Context): void;
  onEnd(span: Span): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

interface Implementation {
  readonly name: string;
  readonly ours: boolean;
  /** Builds the processor with the constructor form of the SDK line under test. */
  create(options: SpanOptions): SpanProcessor;
}

/** sdk-trace 3.x's constructor; the harness types `#sdk` as the SDK 2 line. */
const BatchSpanProcessorWithOptions = BatchSpanProcessor as unknown as new (
  options: SpanOptions,
) => SpanProcessor;

/** sdk-trace-base 2.x's constructor form, which ours does not take yet. */
const ReporterSpanProcessorWithConfig = ReporterSpanProcessor as unknown as new (
  exporter: SpanExporter,
  config?: Omit<SpanOptions, 'exporter'>,
) => SpanProcessor;

const IMPLEMENTATIONS: readonly Implementation[] = [
  {
    name: `built-in BatchSpanProcessor (SDK ${SDK_LINE})`,
    ours: false,
    create: ({ exporter, ...config }) =>
      // a copy: the SDK 2 line writes the environment's values into the config it is given
      SDK_LINE === 2
        ? new BatchSpanProcessor(exporter, { ...config })
        : new BatchSpanProcessorWithOptions({ exporter, ...config }),
  },
  {
    name: 'ReporterSpanProcessor',
    ours: true,
    create: (options) => new ReporterSpanProcessor(options),
  },
];

/**
 * Starts spans on a real TracerProvider and hands each one over, as upstream's
 * `createSampledSpan()` does, so the processor under test gets the SDK's own span objects.
 */
function spanSource(
  options: { sampler?: Sampler; resource?: ReturnType<typeof resourceFromAttributes> } = {},
) {
  let started: Span | undefined;
  const provider = new TracerProvider({
    ...options,
    spanProcessors: [
      {
        onStart: (span: Span) => {
          started = span;
        },
        onEnd: () => {},
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      },
    ],
  });
  const tracer = provider.getTracer('upstream-cases');
  const start = (name: string): Span => {
    started = undefined;
    tracer.startSpan(name);
    if (started === undefined) throw new Error('the TracerProvider started no recording span');
    return started;
  };
  return {
    start,
    ended(name = 'span-name'): Span {
      const span = start(name);
      span.end();
      return span;
    },
  };
}

const sampled = spanSource();
const RECORD_ONLY: Sampler = {
  shouldSample: () => ({ decision: SamplingDecision.RECORD }),
  toString: () => 'RecordOnlySampler',
};

/** What the SDK does with a span: onStart when it starts, onEnd once it has ended. */
function passSpan(processor: SpanProcessor, span: Span): void {
  processor.onStart(span, ROOT_CONTEXT);
  processor.onEnd(span);
}

function endSpans(processor: SpanProcessor, count: number): void {
  for (let i = 0; i < count; i++) passSpan(processor, sampled.ended(`span-name_${i}`));
}

/** `{ maxExportBatchSize: 5, scheduledDelayMillis: 2500 }`: upstream's usual options. */
const OPTIONS = Object.freeze({ maxExportBatchSize: 5, scheduledDelayMillis: 2500 });

/** A context manager that keeps the active context on a stack: enough for synchronous `with`. */
class StackContextManager {
  readonly #stack: Context[] = [];

  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    active: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.#stack.push(active);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }

  bind<T>(_active: Context, target: T): T {
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#stack.length = 0;
    return this;
  }
}

describe.each(IMPLEMENTATIONS)('$name: upstream BatchSpanProcessor cases', (impl) => {
  let handled: unknown[];

  beforeEach(() => {
    vi.useFakeTimers();
    handled = captureGlobalErrors();
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    restoreGlobalErrors();
  });

  /** Opens a processor of this implementation for the option probes. */
  const opener =
    (options: Omit<SpanOptions, 'exporter'>): Open =>
    (exporter) => {
      const processor = impl.create({ ...options, exporter: exporter as SpanExporter });
      return {
        feed: (count) => endSpans(processor, count),
        forceFlush: () => processor.forceFlush(),
        shutdown: () => processor.shutdown(),
        timedOut: () =>
          processor instanceof ReporterSpanProcessor
            ? processor.stats().dropped.export_timeout > 0
            : handled.some(isTimeout),
      };
    };

  describe('timer (the 3.x line log case, for spans)', () => {
    // Upstream has this case for logs only; both span processors unref their timer the same way.
    it('does not let the scheduled export keep the process alive', async () => {
      vi.useRealTimers();
      const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
      const processor = impl.create({ exporter: new InMemorySpanExporter() });
      passSpan(processor, sampled.ended());
      const timers = setTimeoutSpy.mock.results.map(
        (result) => result.value as ReturnType<typeof setTimeout>,
      );
      setTimeoutSpy.mockRestore();
      expect(timers.length, 'a timer waits for the partial batch').toBeGreaterThan(0);
      expect(timers.map((timer) => timer.hasRef())).toEqual(timers.map(() => false));
      await processor.shutdown();
    });
  });

  describe('constructor', () => {
    it('is built with only the exporter, and works', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter });
      const provider = new TracerProvider({ spanProcessors: [processor] });
      provider.getTracer('constructor').startSpan('hello').end();
      await whileTimersRun(provider.forceFlush());
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['hello']);
      await whileTimersRun(provider.shutdown());
    });

    // Upstream only checks the instance type; here each option is read from behaviour.
    it('applies batch size 5 and delay 2500 given in the options', async () => {
      await expectBatchSize(opener(OPTIONS), 5);
      await expectScheduledDelay(opener(OPTIONS), 2500);
    });

    it('defaults to batch size 512, delay 5000, timeout 30000 and queue 2048', async () => {
      await expectBatchSize(opener({}), 512);
      await expectScheduledDelay(opener({}), 5000);
      await expectExportTimeout(opener({}), 30_000, 512);
      await expectQueueSize(opener({}), 2048, 512);
    });

    // sdk-trace-base 2.x: `new BatchSpanProcessor(exporter)`, `(exporter, config)` and
    // `(exporter, {})`; its shim test checks that a config's batch size (1234) is kept. The 3.x
    // line has no such form, so the built-in runs this on SDK 2 only; ours, one build for both
    // lines, takes it on both.
    const positional = impl.ours ? it : it.runIf(SDK_LINE === 2);
    positional("takes sdk-trace-base 2.x's (exporter, config) constructor form", async () => {
      const Positional = impl.ours ? ReporterSpanProcessorWithConfig : BatchSpanProcessor;
      const open =
        (config?: Omit<SpanOptions, 'exporter'>): Open =>
        (exporter) => {
          const processor = new Positional(exporter as SpanExporter, config && { ...config });
          return {
            feed: (count) => endSpans(processor, count),
            forceFlush: () => processor.forceFlush(),
            shutdown: () => processor.shutdown(),
            timedOut: () => false,
          };
        };
      await expectScheduledDelay(open(), 5000);
      await expectScheduledDelay(open({}), 5000);
      await expectBatchSize(open(OPTIONS), 5);
      await expectScheduledDelay(open(OPTIONS), 2500);
      await expectBatchSize(open({ maxExportBatchSize: 1234 }), 1234);
    });

    // sdk-trace-base 2.x's node test: OTEL_BSP_* fill in options the code leaves out. sdk-trace
    // 3.x reads no environment (sdk-node does), so the built-in runs this on SDK 2 only.
    const fromEnvironment = impl.ours ? it : it.runIf(SDK_LINE === 2);
    fromEnvironment('reads batch size and delay from OTEL_BSP_* when not given', async () => {
      vi.stubEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '256');
      vi.stubEnv('OTEL_BSP_SCHEDULE_DELAY', '2500');
      await expectBatchSize(opener({}), 256);
      await expectScheduledDelay(opener({}), 2500);
    });

    it('lowers maxExportBatchSize to maxQueueSize when it is larger (7 > 6)', async () => {
      await expectBatchSize(opener({ maxExportBatchSize: 7, maxQueueSize: 6 }), 6);
    });
  });

  describe('onStart, onEnd, shutdown', () => {
    // Upstream spies on the built-in's protected `onShutdown()` hook (a no-op in Node, the
    // page-hide listener's removal in browsers); there is nothing to see of it from outside,
    // so this checks what shutdown() does to the exporter: it shuts it down, once.
    it('shuts the exporter down once, however often it is called', async () => {
      const exporter = new ScriptedExporter<Span>();
      const processor = impl.create({ exporter, ...OPTIONS });
      expect(exporter.calls).toEqual([]);
      await whileTimersRun(processor.shutdown());
      await whileTimersRun(processor.shutdown());
      expect(exporter.calls).toEqual(['shutdown']);
    });

    it('exports nothing more once shut down', async () => {
      const exporter = new InMemorySpanExporter();
      const exportSpy = vi.spyOn(exporter, 'export');
      const processor = impl.create({ exporter, ...OPTIONS });
      const span = sampled.ended('span-name_0');

      passSpan(processor, span);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      await whileTimersRun(processor.forceFlush());
      expect(exporter.getFinishedSpans()).toHaveLength(1);

      passSpan(processor, span);
      expect(exportSpy).toHaveBeenCalledOnce();
      await whileTimersRun(processor.shutdown());
      expect(exportSpy).toHaveBeenCalledTimes(2);
      // the processor shut the exporter down, which clears what it kept
      expect(exporter.getFinishedSpans()).toHaveLength(0);

      passSpan(processor, span);
      await advance(OPTIONS.scheduledDelayMillis + 1000);
      await whileTimersRun(processor.forceFlush());
      expect(exportSpy).toHaveBeenCalledTimes(2);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    });

    it('ignores spans that are recorded but not sampled', async () => {
      const exporter = new InMemorySpanExporter();
      const exportSpy = vi.spyOn(exporter, 'export');
      const processor = impl.create({ exporter, ...OPTIONS });
      passSpan(processor, spanSource({ sampler: RECORD_ONLY }).ended('span-name_0'));
      await whileTimersRun(processor.forceFlush());
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      expect(exportSpy).not.toHaveBeenCalled();
      await whileTimersRun(processor.shutdown());
    });

    // Upstream expects the batch in the exporter on the very call of the fifth onEnd(); ours
    // hands it over a microtask later, on purpose: see the case on where the export starts.
    it('exports a batch once the fifth span ends, and nothing before', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter, ...OPTIONS });
      const span = sampled.ended();
      for (let i = 1; i < 5; i++) {
        processor.onStart(span, ROOT_CONTEXT);
        expect(exporter.getFinishedSpans()).toHaveLength(0);
        processor.onEnd(span);
        expect(exporter.getFinishedSpans()).toHaveLength(0);
      }
      passSpan(processor, span);
      await advance();
      expect(exporter.getFinishedSpans()).toHaveLength(5);
      await whileTimersRun(processor.shutdown());
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    });

    // README, "where the export starts": the built-in exports synchronously inside the onEnd()
    // (and the forceFlush()) that makes a batch, on the caller's stack; ours never does. Both
    // behaviours are pinned here rather than marked as a failure of ours.
    it('starts the export on the emitting call (built-in) or a microtask later (ours)', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter, ...OPTIONS });
      endSpans(processor, 5);
      expect(exporter.getFinishedSpans()).toHaveLength(impl.ours ? 0 : 5);
      endSpans(processor, 4);
      const flushed = processor.forceFlush();
      expect(exporter.getFinishedSpans()).toHaveLength(impl.ours ? 0 : 9);
      await whileTimersRun(flushed);
      expect(exporter.getFinishedSpans()).toHaveLength(9);
      await whileTimersRun(processor.shutdown());
    });

    it('exports a partial batch once the scheduled delay has passed', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter, ...OPTIONS });
      const span = sampled.ended();
      for (let i = 1; i < 5; i++) {
        passSpan(processor, span);
        expect(exporter.getFinishedSpans()).toHaveLength(0);
      }
      await advance(OPTIONS.scheduledDelayMillis + 1000);
      expect(exporter.getFinishedSpans()).toHaveLength(4);
      await whileTimersRun(processor.shutdown());
    });

    // Upstream expects the spans in the exporter as forceFlush() returns, before awaiting it.
    it('exports a partial batch on demand', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter, ...OPTIONS });
      const span = sampled.ended();
      for (let i = 1; i < 5; i++) passSpan(processor, span);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      await whileTimersRun(processor.forceFlush());
      expect(exporter.getFinishedSpans()).toHaveLength(4);
      await whileTimersRun(processor.shutdown());
    });

    it('never calls export() for spans that started but never ended', async () => {
      const exporter = new InMemorySpanExporter();
      const exportSpy = vi.spyOn(exporter, 'export');
      const processor = impl.create({ exporter, ...OPTIONS });
      for (let i = 0; i < 5; i++) processor.onStart(sampled.start('spanName'), ROOT_CONTEXT);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      await advance(OPTIONS.scheduledDelayMillis + 1000);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      expect(exportSpy).not.toHaveBeenCalled();
      await whileTimersRun(processor.shutdown());
    });

    it('exports each of 11 spans exactly once over several batches and delays', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter, ...OPTIONS });
      endSpans(processor, 11);
      for (let i = 0; i < 3; i++) await advance(OPTIONS.scheduledDelayMillis + 10);
      expect(exporter.getFinishedSpans()).toHaveLength(11);
      await whileTimersRun(processor.shutdown());
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    });
  });

  describe('forceFlush', () => {
    it('resolves forceFlush() and shutdown() with nothing to export', async () => {
      const processor = impl.create({ exporter: new InMemorySpanExporter() });
      await expect(processor.forceFlush()).resolves.toBeUndefined();
      await expect(processor.shutdown()).resolves.toBeUndefined();
    });

    it('resolves forceFlush() once the waiting span is exported', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter, ...OPTIONS });
      passSpan(processor, sampled.ended('test'));
      await whileTimersRun(processor.forceFlush());
      expect(exporter.getFinishedSpans()).toHaveLength(1);
      await whileTimersRun(processor.shutdown());
    });

    it('resolves shutdown() only after a waiting span went through an exporter that answers later', async () => {
      let exportedSpans = 0;
      const exporter = new ScriptedExporter<Span>({
        answer: (batch, done) =>
          setTimeout(() => {
            exportedSpans += batch.length;
            done(SUCCESS);
          }, 0),
      });
      const processor = impl.create({ exporter, ...OPTIONS });
      passSpan(processor, sampled.ended('test'));
      const shutdown = processor.shutdown();
      await advance(1);
      await shutdown;
      expect(exportedSpans).toBe(1);
    });

    it('hands the error of a failed export to the global error handler, once', async () => {
      const expected = new Error('Exporter failed');
      const exporter = new ScriptedExporter<Span>({
        answer: (_batch, done) => setTimeout(() => done(failure(expected)), 0),
      });
      const processor = impl.create({ exporter, ...OPTIONS });
      endSpans(processor, 5);
      await advance(OPTIONS.scheduledDelayMillis + 1000);
      expect(handled).toEqual([expected]);
      await whileTimersRun(processor.shutdown());
    });

    // Not an upstream `it` of its own: upstream's metrics case expects forceFlush() to reject
    // with the error of the batch it flushed; the SDK's log processor resolves instead. Ours
    // resolves for both signals, a deliberate difference the README lists: a flush at exit
    // must not throw, and the error still reaches the global error handler.
    it('hands the error of a batch it flushed to the global error handler', async () => {
      const expected = new Error('Export failed');
      const exporter = new ScriptedExporter<Span>({
        answer: (_batch, done) => done(failure(expected)),
      });
      const processor = impl.create({ exporter, ...OPTIONS });
      passSpan(processor, sampled.ended('test'));
      if (impl.ours) {
        await expect(processor.forceFlush()).resolves.toBeUndefined();
        await advance();
        expect(handled).toEqual([expected]);
      } else {
        await expect(processor.forceFlush()).rejects.toBe(expected);
      }
      await whileTimersRun(processor.shutdown());
    });

    it('still exports a span that ended during an export that then failed', async () => {
      const exporter = new ScriptedExporter<Span>({
        answer: (_batch, done, index) => {
          if (index > 0) return done(SUCCESS);
          passSpan(processor, sampled.ended('test')); // while the first export runs
          done(failure(new Error('first export failed')));
        },
      });
      const processor = impl.create({ exporter, ...OPTIONS });
      passSpan(processor, sampled.ended('test'));
      await advance(3 * OPTIONS.scheduledDelayMillis);
      expect(exporter.batches.map((batch) => batch.length)).toEqual([1, 1]);
      await whileTimersRun(processor.forceFlush());
      expect(exporter.batches).toHaveLength(2);
      await whileTimersRun(processor.shutdown());
    });

    it('waits for resource attributes still being detected, and exports them', async () => {
      const exporter = new InMemorySpanExporter();
      const processor = impl.create({ exporter, ...OPTIONS });
      const detected = new Promise<string>((resolve) => setTimeout(() => resolve('fromasync'), 1));
      const span = spanSource({ resource: resourceFromAttributes({ async: detected }) }).ended();
      passSpan(processor, span);
      await whileTimersRun(processor.forceFlush(), 1);
      const spans = exporter.getFinishedSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]?.resource.attributes.async).toBe('fromasync');
      await whileTimersRun(processor.shutdown());
    });

    it('suppresses tracing while the exporter runs, so exporting makes no spans', async () => {
      expect(context.setGlobalContextManager(new StackContextManager())).toBe(true);
      try {
        const madeByExporter: unknown[] = [];
        const exporterTracer = new TracerProvider({
          spanProcessors: [
            {
              onStart: () => {},
              onEnd: (span) => madeByExporter.push(span),
              forceFlush: () => Promise.resolve(),
              shutdown: () => Promise.resolve(),
            },
          ],
        }).getTracer('instrumented-exporter');
        exporterTracer.startSpan('control').end();
        expect(madeByExporter, 'outside an export, the tracer records').toHaveLength(1);
        madeByExporter.length = 0;
        const exporter = new ScriptedExporter<Span>({
          answer: (_batch, done) => {
            exporterTracer.startSpan('exporter-created-span').end(); // e.g. an HTTP client span
            done(SUCCESS);
          },
        });
        const processor = impl.create({ exporter });
        passSpan(processor, sampled.ended('test'));
        await whileTimersRun(processor.forceFlush());
        expect(exporter.batches).toHaveLength(1);
        expect(madeByExporter).toEqual([]);
        await whileTimersRun(processor.shutdown());
      } finally {
        context.disable();
      }
    });
  });

  describe('maxQueueSize', () => {
    // 20 spans in one tick, queue 6, batch 5. The SDK exports the fifth span's batch on the
    // spot, so its queue takes 6 more: 11 kept (upstream reads `_finishedSpans.length === 6`).
    it('keeps queue plus one batch of a burst, and drops the rest', async () => {
      const exporter = new ScriptedExporter<Span>();
      const processor = impl.create({ exporter, ...OPTIONS, maxQueueSize: 6 });
      const span = sampled.ended('test');
      for (let i = 0; i < 20; i++) passSpan(processor, span);
      await whileTimersRun(processor.forceFlush());
      expect(exporter.exportedRecords).toBe(11);
      await whileTimersRun(processor.shutdown());
    });

    // Upstream checks diag.debug once at the first drop and, at the next span accepted, the
    // warning "Dropped <n> spans because maxQueueSize reached" (n = 1), reading the private
    // counter in between. Ours words its rate-limited warning differently; both carry the count.
    it('reports dropped spans through diag, with their number', async () => {
      const diag = captureDiag();
      try {
        const exporter = new ScriptedExporter<Span>();
        const processor = impl.create({ exporter, ...OPTIONS, maxQueueSize: 6 });
        const span = sampled.ended('test');
        for (let i = 0; i < 12; i++) passSpan(processor, span);
        await advance();
        const mentionsDrops = (line: string) => /dropp/i.test(line);
        expect(
          [...diag.debug, ...diag.warn].some(mentionsDrops),
          'the first drop is reported',
        ).toBe(true);
        await whileTimersRun(processor.forceFlush());
        passSpan(processor, span);
        await advance();
        const warnings = diag.warn.filter(mentionsDrops);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.match(/dropped (\d+)/i)?.[1]).toBe('1');
        await whileTimersRun(processor.shutdown());
      } finally {
        diag.restore();
      }
    });
  });

  describe('concurrency', () => {
    // 50 spans in one tick, queue 6, batch 5. The SDK exports the first batch inside the fifth
    // onEnd() and queues 6 more: its second call, right after the first answers, has 5 more.
    // Upstream checks the first call before any await, which ours never meets by design (see
    // "where the export starts"), so it is checked after a microtask here.
    it('keeps one export in flight, and a burst keeps queue plus one batch', async () => {
      const results: ResultCallback[] = [];
      const exporter = new ScriptedExporter<Span>({ answer: (_batch, done) => results.push(done) });
      const processor = impl.create({ exporter, maxExportBatchSize: 5, maxQueueSize: 6 });
      endSpans(processor, 50);
      await advance();
      expect(results).toHaveLength(1);
      expect(exporter.exportedRecords).toBe(5);
      results[0]?.(SUCCESS);
      await advance();
      expect(results).toHaveLength(2);
      expect(exporter.exportedRecords).toBe(10);
      results[1]?.(SUCCESS);
      await advance();
      expect(results).toHaveLength(2);
      expect(exporter.exportedRecords).toBe(10);
    });
  });

  describe('self-observability metrics', () => {
    // Upstream looks the metrics up under the '@opentelemetry/sdk-trace' meter; the meter names
    // the library that records, so here they are looked up by metric name in any scope.
    // Upstream also expects forceFlush() to reject with the failed batch's error: that is a case
    // of its own above, so here forceFlush() may settle either way.
    it('records processed, queue.capacity and queue.size as the SDK does', async () => {
      const reader = new ManualMetricReader();
      const meterProvider = new MeterProvider({ readers: [reader] });
      const backendError = new Error('Export failed');
      backendError.name = 'BackendError';
      const firstExport: ResultCallback[] = [];
      // the first export waits for the test; the second fails
      const exporter = new ScriptedExporter<Span>({
        answer: (_batch, done, index) =>
          index === 0 ? firstExport.push(done) : done(failure(backendError)),
      });
      const processor = impl.create({
        exporter,
        maxQueueSize: 1,
        maxExportBatchSize: 1,
        scheduledDelayMillis: 1_000_000_000,
        selfObsMeterProvider: meterProvider,
      });
      const ofThisProcessor = {
        'otel.component.type': 'batching_span_processor',
        'otel.component.name': expect.stringMatching(/^batching_span_processor\//),
      };

      passSpan(processor, sampled.ended('span1')); // exported at once
      await advance();
      expect(exporter.batches).toHaveLength(1);
      passSpan(processor, sampled.ended('span2')); // queued behind the export in flight
      passSpan(processor, sampled.ended('span3')); // the queue (1) is full: dropped

      expect(await collectPoints(reader, 'otel.sdk.processor.span.processed')).toEqual([
        expect.objectContaining({
          value: 1,
          attributes: { ...ofThisProcessor, 'error.type': 'queue_full' },
        }),
      ]);
      expect(await collectPoints(reader, 'otel.sdk.processor.span.queue.capacity')).toEqual([
        expect.objectContaining({ value: 1, attributes: ofThisProcessor }),
      ]);
      expect(await collectPoints(reader, 'otel.sdk.processor.span.queue.size')).toEqual([
        expect.objectContaining({ value: 1, attributes: ofThisProcessor }),
      ]);

      for (const done of firstExport) done(SUCCESS);
      await processor.forceFlush().catch(() => undefined);
      expect(exporter.batches).toHaveLength(2);

      const processed = await collectPoints(reader, 'otel.sdk.processor.span.processed');
      expect(processed).toHaveLength(3);
      expect(processed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            value: 1,
            attributes: { ...ofThisProcessor, 'error.type': 'queue_full' },
          }),
          expect.objectContaining({ value: 1, attributes: ofThisProcessor }),
          expect.objectContaining({
            value: 1,
            attributes: { ...ofThisProcessor, 'error.type': 'BackendError' },
          }),
        ]),
      );
      expect(await collectPoints(reader, 'otel.sdk.processor.span.queue.capacity')).toEqual([
        expect.objectContaining({ value: 1, attributes: ofThisProcessor }),
      ]);
      expect(await collectPoints(reader, 'otel.sdk.processor.span.queue.size')).toEqual([
        expect.objectContaining({ value: 0, attributes: ofThisProcessor }),
      ]);
      await whileTimersRun(processor.shutdown());
    });
  });
});
