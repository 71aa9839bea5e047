import { createFileSpool } from '@telemetry-reporter/otel';
import type { BenchConfig } from './config.js';
import { applicationAwaits } from './suites/app-awaits.js';
import { defaultJsonPayload } from './suites/default-json.js';
import { endToEnd } from './suites/e2e.js';
import { HOT_PATH_BENCHMARKS, hotPathEach } from './suites/hot-path.js';
import { largeQueues, shutdownDrain } from './suites/large-queue.js';
import { callerLatency } from './suites/latency.js';
import { memory } from './suites/memory.js';
import { overflowPolicies } from './suites/policies.js';
import { spoolThroughput } from './suites/spool.js';
import { throughput } from './suites/throughput.js';
import type { Comparison, E2eResult, PolicyResult } from './types.js';

/**
 * What a part measured: comparisons with the built-in processors, our policies alone, or whole
 * pipelines end to end (with a few comparisons that sum them up).
 */
export interface PartOutput {
  readonly comparisons: Comparison[];
  readonly policies?: PolicyResult[];
  readonly e2e?: E2eResult[];
}

/** A unit of the run: what one process measures (a full run gives each part a fresh process). */
export interface Part {
  readonly id: string;
  readonly run: (config: BenchConfig) => Promise<PartOutput>;
}

/** A part that compares with the built-in processors. */
function compared(id: string, run: (config: BenchConfig) => Promise<Comparison[]>): Part {
  return { id, run: async (config) => ({ comparisons: await run(config) }) };
}

/**
 * Every part, in the order. Each hot-path benchmark is a part of its own, so that the
 * JIT state one benchmark leaves behind (type feedback of code both our processors share) does
 * not leak into the next; `hot-path:mixed` measures exactly that state on purpose.
 */
export const PARTS: readonly Part[] = [
  ...HOT_PATH_BENCHMARKS.map((id) =>
    compared(`hot-path:${id}`, (config) => hotPathEach(config, [id])),
  ),
  compared('throughput', throughput),
  compared('large-queues', largeQueues),
  compared('memory', memory),
  compared('latency', callerLatency),
  compared('shutdown', shutdownDrain),
  // Our overflow policies against our own drop_newest: the accept path and the shed path.
  ...(['accept', 'shed'] as const).map(
    (path): Part => ({
      id: `policies:${path}`,
      run: async (config) => ({ comparisons: [], policies: await overflowPolicies(config, path) }),
    }),
  ),
  // The disk spool's write and replay throughput, against the raw write speed of the same disk.
  compared('spool', (config) => spoolThroughput(createFileSpool, config)),
  // The transport exporters' default JSON payload, against the encoder it replaced, to a
  // transport that takes strings only and to one that takes bytes.
  ...(['strings', 'bytes'] as const).map((kind) =>
    compared(`default-json:${kind}`, (config) => defaultJsonPayload(config, kind === 'bytes')),
  ),
  // The application's own async calls once a pipeline exported: what it pays beyond the pipeline.
  compared('app-awaits', applicationAwaits),
  // Whole pipelines to an OTLP/HTTP sink in a child process, one signal per process.
  ...(['logs', 'spans'] as const).map(
    (signal): Part => ({
      id: `e2e:${signal}`,
      run: async (config) => {
        const { comparisons, results } = await endToEnd(config, signal);
        return { comparisons, e2e: results };
      },
    }),
  ),
];

/** The parts `selector` names: ids, or prefixes such as `hot-path`; all when undefined. */
export function selectParts(selector: string | undefined): Part[] {
  if (selector === undefined || selector === '') return [...PARTS];
  const wanted = selector.split(',').filter((s) => s.length > 0);
  const picked = PARTS.filter((p) => wanted.some((w) => p.id === w || p.id.startsWith(`${w}:`)));
  const unknown = wanted.filter((w) => !PARTS.some((p) => p.id === w || p.id.startsWith(`${w}:`)));
  if (unknown.length > 0) {
    throw new TypeError(
      `unknown part ${unknown.join(', ')}; parts are ${PARTS.map((p) => p.id).join(', ')}`,
    );
  }
  return picked;
}
