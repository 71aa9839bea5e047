import type { BenchConfig } from '../config.js';
import {
  type Contender,
  createLoggerProvider,
  createLogProcessor,
  createSpanProcessor,
  createTracerProvider,
  InstantExporter,
  LOG_LINE,
  type LogProcessor,
  type SdkLogger,
  type SdkTracer,
  SPAN_NAME,
  SPAN_OPTIONS,
  type SpanProcessor,
  StalledExporter,
  sampleLogRecord,
  sampleSpan,
} from '../fixtures.js';
import {
  compare,
  interleave,
  median,
  nsPerCall,
  nsPerCallWithParam,
  progress,
  ratioTarget,
  yieldToEventLoop,
} from '../harness.js';
import type { Comparison } from '../types.js';

const SUITE = '1. hot path';
/** Calls between two untimed drains of a "room in the queue" processor. */
const DRAIN_EVERY = 4096;
/**
 * Queue size and batch size of the "room" processors. mitata computes a whole sample's parameters
 * (up to `batch_samples`, 4096) before timing it, so up to `DRAIN_EVERY + batch_samples` records
 * can be queued between drains: the queue never fills and no batch ever triggers an export.
 */
const ROOM = 16_384;
/** Never fires during a measurement: a drain comes first. */
const ROOM_TUNING = Object.freeze({
  maxQueueSize: ROOM,
  maxExportBatchSize: ROOM,
  scheduledDelayMillis: 60_000,
});

/**
 * mitata's per-call parameter: hands out `target`, and every {@link DRAIN_EVERY} calls first
 * drains it with `drain()` (awaited by mitata outside the timed region), so that each timed call
 * finds room in the queue.
 */
function withRoom<P>(target: P, drain: () => Promise<void>): () => P | Promise<P> {
  let handedOut = 0;
  return () => {
    if (++handedOut < DRAIN_EVERY) return target;
    handedOut = 0;
    return drain().then(() => target);
  };
}

/** A processor whose queue is full because its exporter never answers: every call drops. */
async function fullLogProcessor(who: Contender): Promise<{
  processor: LogProcessor;
  exporter: StalledExporter;
}> {
  const exporter = new StalledExporter();
  const processor = createLogProcessor(who, exporter);
  const record = sampleLogRecord();
  // The first batch leaves (and hangs), then the queue fills to maxQueueSize (2048).
  for (let i = 0; i < 600; i++) processor.onEmit(record);
  await yieldToEventLoop();
  for (let i = 0; i < 3000; i++) processor.onEmit(record);
  await yieldToEventLoop();
  return { processor, exporter };
}

async function fullSpanProcessor(who: Contender): Promise<{
  processor: SpanProcessor;
  exporter: StalledExporter;
}> {
  const exporter = new StalledExporter();
  const processor = createSpanProcessor(who, exporter);
  const span = sampleSpan();
  for (let i = 0; i < 600; i++) processor.onEnd(span);
  await yieldToEventLoop();
  for (let i = 0; i < 3000; i++) processor.onEnd(span);
  await yieldToEventLoop();
  return { processor, exporter };
}

/**
 * What the harness alone costs per call: mitata's loop calling an `onEmit` / `onEnd` that does
 * nothing. A processor cannot be measured below it.
 */
async function harnessFloor(config: BenchConfig, kind: 'logs' | 'spans'): Promise<number> {
  const record = sampleLogRecord();
  const span = sampleSpan();
  const empty = { onEmit(_record: unknown): void {}, onEnd(_span: unknown): void {} };
  const runs: number[] = [];
  for (let i = 0; i < Math.min(3, config.hotPathRounds); i++) {
    runs.push(
      kind === 'logs'
        ? await nsPerCall(() => empty.onEmit(record), config)
        : await nsPerCall(() => empty.onEnd(span), config),
    );
  }
  return median(runs);
}

async function release(processor: LogProcessor | SpanProcessor, exporter: StalledExporter) {
  exporter.release();
  await processor.shutdown();
}

// Each contender gets its own function literal at every call site below: V8 shares type feedback
// between closures of one literal, and a call site that saw both processors would be polymorphic
// for both.

async function logsOnEmitRoom(config: BenchConfig): Promise<Comparison> {
  const record = sampleLogRecord();
  const rounds = await interleave(config.hotPathRounds, async (who) => {
    const exporter = new InstantExporter();
    const processor = createLogProcessor(who, exporter, ROOM_TUNING);
    const param = withRoom(processor, () => processor.forceFlush());
    const ns =
      who === 'ours'
        ? await nsPerCallWithParam(param, (p) => p.onEmit(record), config)
        : await nsPerCallWithParam(param, (p) => p.onEmit(record), config);
    await processor.shutdown();
    return ns;
  });
  return compare(
    {
      id: 'logs.onEmit.room',
      suite: SUITE,
      title: 'logs: onEmit, room in the queue',
      unit: 'ns/op',
      better: 'lower',
      target: ratioTarget('<=', 0.7),
    },
    rounds,
  );
}

async function logsOnEmitFull(config: BenchConfig): Promise<Comparison> {
  const record = sampleLogRecord();
  const floor = await harnessFloor(config, 'logs');
  const rounds = await interleave(config.hotPathRounds, async (who) => {
    const { processor, exporter } = await fullLogProcessor(who);
    const ns =
      who === 'ours'
        ? await nsPerCall(() => processor.onEmit(record), config)
        : await nsPerCall(() => processor.onEmit(record), config);
    await release(processor, exporter);
    return ns;
  });
  return compare(
    {
      id: 'logs.onEmit.drop',
      suite: SUITE,
      title: 'logs: onEmit, queue full (drop path)',
      unit: 'ns/op',
      better: 'lower',
      target: ratioTarget('<=', 0.5),
      detail: { 'harness floor (an empty onEmit), ns': Number(floor.toFixed(2)) },
    },
    rounds,
  );
}

async function logsEmitEndToEnd(config: BenchConfig): Promise<Comparison> {
  const rounds = await interleave(config.hotPathRounds, async (who) => {
    const exporter = new InstantExporter();
    const processor = createLogProcessor(who, exporter, ROOM_TUNING);
    const provider = createLoggerProvider(processor);
    const logger = provider.getLogger('bench', '1.0.0');
    const param = withRoom<SdkLogger>(logger, () => processor.forceFlush());
    const ns =
      who === 'ours'
        ? await nsPerCallWithParam(param, (l) => l.emit(LOG_LINE), config)
        : await nsPerCallWithParam(param, (l) => l.emit(LOG_LINE), config);
    await provider.shutdown();
    return ns;
  });
  return compare(
    {
      id: 'logs.emit.e2e',
      suite: SUITE,
      title: 'logs: logger.emit() through a LoggerProvider',
      unit: 'ns/op',
      better: 'lower',
      note: 'mostly the SDK building the log record; the processor is the last step',
    },
    rounds,
  );
}

async function spansOnEndRoom(config: BenchConfig): Promise<Comparison> {
  const span = sampleSpan();
  const rounds = await interleave(config.hotPathRounds, async (who) => {
    const exporter = new InstantExporter();
    const processor = createSpanProcessor(who, exporter, ROOM_TUNING);
    const param = withRoom(processor, () => processor.forceFlush());
    const ns =
      who === 'ours'
        ? await nsPerCallWithParam(param, (p) => p.onEnd(span), config)
        : await nsPerCallWithParam(param, (p) => p.onEnd(span), config);
    await processor.shutdown();
    return ns;
  });
  return compare(
    {
      id: 'spans.onEnd.room',
      suite: SUITE,
      title: 'spans: onEnd, room in the queue',
      unit: 'ns/op',
      better: 'lower',
      target: ratioTarget('<=', 0.7),
    },
    rounds,
  );
}

async function spansOnEndFull(config: BenchConfig): Promise<Comparison> {
  const span = sampleSpan();
  const floor = await harnessFloor(config, 'spans');
  const rounds = await interleave(config.hotPathRounds, async (who) => {
    const { processor, exporter } = await fullSpanProcessor(who);
    const ns =
      who === 'ours'
        ? await nsPerCall(() => processor.onEnd(span), config)
        : await nsPerCall(() => processor.onEnd(span), config);
    await release(processor, exporter);
    return ns;
  });
  return compare(
    {
      id: 'spans.onEnd.drop',
      suite: SUITE,
      title: 'spans: onEnd, queue full (drop path)',
      unit: 'ns/op',
      better: 'lower',
      target: ratioTarget('<=', 0.5),
      detail: { 'harness floor (an empty onEnd), ns': Number(floor.toFixed(2)) },
    },
    rounds,
  );
}

async function spansEndToEnd(config: BenchConfig): Promise<Comparison> {
  const rounds = await interleave(config.hotPathRounds, async (who) => {
    const exporter = new InstantExporter();
    const processor = createSpanProcessor(who, exporter, ROOM_TUNING);
    const provider = createTracerProvider(processor);
    const tracer = provider.getTracer('bench', '1.0.0');
    const param = withRoom<SdkTracer>(tracer, () => processor.forceFlush());
    const ns =
      who === 'ours'
        ? await nsPerCallWithParam(param, (t) => t.startSpan(SPAN_NAME, SPAN_OPTIONS).end(), config)
        : await nsPerCallWithParam(
            param,
            (t) => t.startSpan(SPAN_NAME, SPAN_OPTIONS).end(),
            config,
          );
    await provider.shutdown();
    return ns;
  });
  return compare(
    {
      id: 'spans.startSpan.e2e',
      suite: SUITE,
      title: 'spans: startSpan().end() through a tracer provider',
      unit: 'ns/op',
      better: 'lower',
      note: 'mostly the SDK creating and ending the span; the processor is the last step',
    },
    rounds,
  );
}

const BENCHMARKS: Readonly<Record<string, (config: BenchConfig) => Promise<Comparison>>> = {
  'logs.onEmit.room': logsOnEmitRoom,
  'logs.onEmit.drop': logsOnEmitFull,
  'logs.emit.e2e': logsEmitEndToEnd,
  'spans.onEnd.room': spansOnEndRoom,
  'spans.onEnd.drop': spansOnEndFull,
  'spans.startSpan.e2e': spansEndToEnd,
};

/** Ids of the hot-path benchmarks, in the order the report lists them. */
export const HOT_PATH_BENCHMARKS: readonly string[] = Object.keys(BENCHMARKS);

/** The hot-path benchmarks named in `ids` (keys of the table above), in that order. */
export async function hotPathEach(
  config: BenchConfig,
  ids: readonly string[],
): Promise<Comparison[]> {
  const out: Comparison[] = [];
  for (const id of ids) {
    const run = BENCHMARKS[id];
    if (run === undefined) throw new TypeError(`no hot-path benchmark ${id}`);
    const result = await run(config);
    progress(
      `${result.title}: ours ${result.ours.toFixed(1)} ns, built-in ${result.builtin.toFixed(1)} ns`,
    );
    out.push(result);
  }
  return out;
}
