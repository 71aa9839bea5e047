import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { CollectorReport } from './collector-server.js';

/** A stand-in collector running in its own process. */
export interface LocalCollector {
  /** `http://127.0.0.1:<port>`, as `OTEL_EXPORTER_OTLP_ENDPOINT` would be. */
  readonly endpoint: string;
  /** Stops the collector and returns everything it received. */
  stop(): Promise<CollectorReport>;
}

/** OTLP `Span.SpanKind` values, as the collector reports them. */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;

/**
 * Starts a stand-in for an OpenTelemetry Collector in a child process (see
 * `collector-server.ts` for what it accepts). It never keeps the app's process alive: when the
 * app ends, so does the collector.
 */
export async function startLocalCollector(): Promise<LocalCollector> {
  const child = fork(new URL('./collector-process.js', import.meta.url), [], {
    execArgv: [], // not the app's --import preloads, which would start another collector
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { endpoint } = (await nextMessage(child)) as { endpoint: string };
  child.unref();
  child.channel?.unref();
  return {
    endpoint,
    async stop() {
      child.send('report');
      const { report } = (await nextMessage(child)) as { report: CollectorReport };
      child.disconnect();
      return report;
    },
  };
}

/** The child's next IPC message; the channel holds the process open only while waiting. */
async function nextMessage(child: ChildProcess): Promise<unknown> {
  child.channel?.ref();
  try {
    const [message] = await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the local collector exited (${code}) before answering`);
      }),
    ]);
    return message;
  } finally {
    child.channel?.unref();
  }
}
