import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SinkCounts, SinkReply, SinkRequest } from './sink-protocol.js';

const SINK = fileURLToPath(new URL('./sink.js', import.meta.url));
/** How long the sink may take to start listening or to answer a `take`. */
const SINK_TIMEOUT_MILLIS = 10_000;

/** The OTLP/HTTP sink running in its child process. */
export interface Sink {
  /** `http://127.0.0.1:<port>`: append `/v1/logs` or `/v1/traces`. */
  readonly endpoint: string;
  /** The counts since the previous call (or the start); the sink starts again from zero. */
  take(): Promise<SinkCounts>;
  /** Closes the sink and waits for its process to exit. */
  stop(): Promise<void>;
}

function waitFor<T>(
  child: ChildProcess,
  what: string,
  pick: (reply: SinkReply) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the OTLP sink did not ${what} within ${SINK_TIMEOUT_MILLIS} ms`));
    }, SINK_TIMEOUT_MILLIS);
    const onMessage = (reply: SinkReply) => {
      const value = pick(reply);
      if (value === undefined) return;
      done();
      resolve(value);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`the OTLP sink exited (${code ?? signal}) before it could ${what}`));
    };
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Starts the sink in a child process of the running Node and waits until it listens. */
export async function startSink(): Promise<Sink> {
  const child = fork(SINK, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await waitFor(child, 'start listening', (reply) =>
    reply.type === 'listening' ? reply.port : undefined,
  );
  let nextId = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take: () => {
      const id = nextId++;
      const answer = waitFor(child, 'report its counts', (reply) =>
        reply.type === 'counts' && reply.id === id ? reply.counts : undefined,
      );
      child.send({ type: 'take', id } satisfies SinkRequest);
      return answer;
    },
    stop: async () => {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
