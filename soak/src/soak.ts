import { fork } from 'node:child_process';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  ReporterLogRecordProcessor,
  type ReporterStats,
  type RetryOptions,
  TransportLogRecordExporter,
  unaccountedRecords,
} from '@telemetry-reporter/otel';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import type { EmitterProcessorOptions } from './emitter-protocol.js';
import type { FaultPlan, ServerCounts } from './fault-server.js';
import type { FaultServerConfig, FaultServerMessage } from './fault-server-process.js';
import { HeapSampler, type HeapSummary } from './heap-sampler.js';
import { type ClientCounts, ObservedTransport } from './observed-transport.js';
import { API_KEY, QUERY_KEY, SecretSweep, secretUrl, TOKEN } from './secrets.js';

/** How a soak run is shaped. */
export interface SoakOptions {
  /** Records to emit. */
  readonly records: number;
  /** Target emission rate in records per second; 0 emits as fast as the event loop allows. */
  readonly ratePerSecond: number;
  /** Records emitted per macrotask before yielding (`setImmediate`). */
  readonly chunkSize: number;
  /** Where the transport sends from (`createHttpTransport`'s `thread`). */
  readonly thread: 'main' | 'worker';
  readonly plan: FaultPlan;
  readonly processor: EmitterProcessorOptions;
  readonly retry: Required<RetryOptions>;
  /** How often heap and stats are sampled, in milliseconds. */
  readonly sampleEveryMillis: number;
  /** Heap checkpoints (after a full GC when `--expose-gc`), spread evenly over the emission. */
  readonly checkpoints: number;
}

/** Everything a run measured. */
export interface SoakResult {
  readonly options: SoakOptions;
  readonly emitted: number;
  readonly durationMillis: number;
  readonly emitMillis: number;
  readonly stats: ReporterStats;
  readonly server: ServerCounts;
  readonly client: ClientCounts;
  readonly heap: HeapSummary;
  /** Stats snapshots taken during the run, and how many broke the accounting identity. */
  readonly statsSamples: number;
  readonly identityViolations: number;
  readonly sweep: SecretSweep;
  /** Whether the sweep finds secrets planted on purpose (see `SecretSweep.selfTest`). */
  readonly sweepSelfTest: boolean;
  readonly diagLines: { readonly warn: number; readonly debug: number };
}

/** Runs the soak: emits, flushes, shuts down, and collects both sides' counts. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const sweep = new SecretSweep();
  const diagLines = { warn: 0, debug: 0 };
  const line =
    (level: 'warn' | 'debug') =>
    (message: string, ...args: unknown[]): void => {
      diagLines[level]++;
      sweep.diag(message, args); // swept as it is logged; nothing is kept
    };
  diag.setLogger(
    {
      error: line('warn'),
      warn: line('warn'),
      info: line('debug'),
      debug: line('debug'),
      verbose: line('debug'),
    },
    { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true },
  );

  const server = await startServerProcess({
    plan: options.plan,
    credentials: { authorization: `Bearer ${TOKEN}`, apiKey: API_KEY, queryKey: QUERY_KEY },
    totalRecords: options.records,
  });
  try {
    const transport = new ObservedTransport(
      createHttpTransport({
        url: secretUrl(server.url),
        headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': API_KEY },
        thread: options.thread,
      }),
      sweep,
    );
    const processor = new ReporterLogRecordProcessor({
      ...options.processor,
      exporter: new TransportLogRecordExporter({ transport, retry: options.retry }),
    });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'soak' }),
      processors: [processor],
    });
    const logger = provider.getLogger('soak', '1.0.0');

    let statsSamples = 0;
    let identityViolations = 0;
    const sampleStats = (): ReporterStats => {
      const stats = processor.stats();
      statsSamples++;
      if (unaccountedRecords(stats) !== 0) identityViolations++;
      sweep.stats(stats);
      return stats;
    };
    const heap = new HeapSampler();
    const sampler = setInterval(() => {
      heap.sample();
      sampleStats();
    }, options.sampleEveryMillis);
    sampler.unref();

    const startedAt = performance.now();
    const checkpointEvery = Math.max(1, Math.floor(options.records / options.checkpoints));
    let emitted = 0;
    while (emitted < options.records) {
      const end = Math.min(options.records, emitted + options.chunkSize);
      for (; emitted < end; emitted++) {
        const error = emitted % 100 === 99;
        logger.emit({
          severityNumber: error ? SeverityNumber.ERROR : SeverityNumber.INFO,
          severityText: error ? 'ERROR' : 'INFO',
          eventName: 'order.placed',
          body: `order ${emitted} placed`,
          attributes: { seq: emitted, 'http.route': '/checkout', 'user.id': emitted % 1000 },
        });
        if ((emitted + 1) % checkpointEvery === 0) heap.checkpoint(emitted + 1);
      }
      const ahead =
        options.ratePerSecond > 0
          ? (emitted / options.ratePerSecond) * 1000 - (performance.now() - startedAt)
          : 0;
      if (ahead >= 1) await sleep(ahead);
      else await yieldToLoop();
    }
    const emitMillis = performance.now() - startedAt;
    await provider.forceFlush();
    await provider.shutdown();
    clearInterval(sampler);
    heap.sample();
    const stats = sampleStats();
    const durationMillis = performance.now() - startedAt;
    return {
      options,
      emitted,
      durationMillis,
      emitMillis,
      stats,
      server: await server.counts(),
      client: transport.counts,
      heap: heap.summary(),
      statsSamples,
      identityViolations,
      sweep,
      sweepSelfTest: SecretSweep.selfTest(),
      diagLines,
    };
  } finally {
    diag.disable();
    await server.close();
  }
}

interface ServerHandle {
  readonly url: string;
  counts(): Promise<ServerCounts>;
  close(): Promise<void>;
}

/** Forks the fault server and waits until it listens. */
async function startServerProcess(config: FaultServerConfig): Promise<ServerHandle> {
  const child = fork(new URL('./fault-server-process.js', import.meta.url), [], {
    env: { ...process.env, SOAK_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends FaultServerMessage['type']>(
    type: T,
  ): Promise<Extract<FaultServerMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: FaultServerMessage): void => {
        if (message.type !== type) return;
        cleanup();
        resolve(message as Extract<FaultServerMessage, { type: T }>);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`the fault server exited (${code}) before sending '${type}'`));
      };
      const cleanup = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  const ready = await next('ready');
  let closed: Promise<void> | undefined;
  return {
    url: ready.url,
    counts: async () => {
      const reply = next('counts');
      child.send({ type: 'counts' });
      return (await reply).counts;
    },
    close: () => {
      closed ??= (async () => {
        if (child.exitCode !== null || !child.connected) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.send({ type: 'close' });
        await exited;
      })();
      return closed;
    },
  };
}
