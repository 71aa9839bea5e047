import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoggerProvider, TracerProvider } from '#sdk';
import {
  createFileSpool,
  createJsonEncoder,
  ReporterLogRecordProcessor,
  ReporterSpanProcessor,
  RetryableError,
  type SendContext,
  type Transport,
  TransportLogRecordExporter,
  TransportSpanExporter,
} from '../../src/index.js';
import { MemoryTransport } from '../helpers/memory-transport.js';

// The default JSON payload goes to a transport as a string, or as the UTF-8 bytes of the same
// string to a transport that says it takes them (`acceptsBytes`), which saves making a string
// only for the transport to turn it back into bytes.

/** A transport that takes bytes, and keeps every payload as it came. */
class BytesTransport implements Transport<string | Uint8Array> {
  readonly acceptsBytes = true;
  readonly payloads: (string | Uint8Array)[] = [];
  down = false;

  async send(payload: string | Uint8Array, _context: SendContext): Promise<void> {
    if (this.down) throw new RetryableError('backend down');
    this.payloads.push(payload);
  }
}

const text = (payload: string | Uint8Array | undefined): string =>
  typeof payload === 'string' ? payload : Buffer.from(payload ?? []).toString('utf8');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Odd text on purpose: multi-byte, astral and a lone surrogate, which JSON escapes. */
const BODIES = ['plain', 'déjà vu €', '🚀 astral', 'lone \ud800 surrogate', 'quote " and \\'];

async function logPayloads(transport: Transport<string>, encoder?: unknown) {
  const exporter = new TransportLogRecordExporter({
    transport,
    ...(encoder === undefined ? {} : { encoder: encoder as never }),
  });
  const provider = new LoggerProvider({
    processors: [new ReporterLogRecordProcessor({ exporter })],
  });
  cleanups.push(() => provider.shutdown());
  const logger = provider.getLogger('payload', '1.0.0');
  for (const body of BODIES) logger.emit({ body, attributes: { body } });
  await provider.forceFlush();
}

describe('the default JSON payload', () => {
  it('reaches a transport that accepts bytes as the UTF-8 bytes of the text a string transport gets', async () => {
    const strings = new MemoryTransport();
    const bytes = new BytesTransport();
    await logPayloads(strings);
    await logPayloads(bytes);
    expect(bytes.payloads).toHaveLength(1);
    expect(bytes.payloads[0]).toBeInstanceOf(Uint8Array);
    expect(typeof strings.attempts[0]?.payload).toBe('string');
    // Timestamps differ between the two runs: compare the records without them.
    const withoutTimes = (payload: string) =>
      (JSON.parse(payload) as Record<string, unknown>[]).map(
        ({ timestamp, timeUnixNano, observedTimeUnixNano, ...rest }) => rest,
      );
    expect(withoutTimes(text(bytes.payloads[0]))).toEqual(
      withoutTimes(strings.attempts[0]?.payload ?? ''),
    );
    expect(withoutTimes(text(bytes.payloads[0])).map((r) => r.body)).toEqual(BODIES);
  });

  it('goes to a span transport that accepts bytes as bytes too', async () => {
    const bytes = new BytesTransport();
    const exporter = new TransportSpanExporter({ transport: bytes });
    const provider = new TracerProvider({
      spanProcessors: [new ReporterSpanProcessor({ exporter })],
    });
    cleanups.push(() => provider.shutdown());
    provider.getTracer('payload').startSpan('déjà 🚀').end();
    await provider.forceFlush();
    expect(bytes.payloads[0]).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(text(bytes.payloads[0]))).toMatchObject([{ name: 'déjà 🚀' }]);
  });

  it('leaves an encoder given in the code as it is, whatever the transport accepts', async () => {
    const bytes = new BytesTransport();
    await logPayloads(bytes, createJsonEncoder({ format: 'ndjson' }));
    expect(typeof bytes.payloads[0]).toBe('string');
    expect(text(bytes.payloads[0]).split('\n')).toHaveLength(BODIES.length + 1);
  });

  it('replays as strings to a string transport what a transport that took bytes left spooled', {
    timeout: 30_000,
  }, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'otel-payload-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const pipeline = (transport: Transport<string>) => {
      const exporter = new TransportLogRecordExporter({
        transport,
        retry: { maxAttempts: 1 },
        spool: createFileSpool({ directory, fsync: false }),
      });
      const processor = new ReporterLogRecordProcessor({ exporter });
      return { processor, provider: new LoggerProvider({ processors: [processor] }) };
    };

    // An earlier process: its transport takes bytes, and is down.
    const down = new BytesTransport();
    down.down = true;
    const earlier = pipeline(down);
    for (const body of BODIES) earlier.provider.getLogger('earlier').emit({ body });
    await earlier.provider.forceFlush();
    expect(earlier.processor.stats().spooled).toBe(BODIES.length);
    await earlier.provider.shutdown();

    // This one's transport takes strings only: the replay must not hand it bytes.
    const strings = new MemoryTransport();
    const later = pipeline(strings);
    cleanups.push(() => later.provider.shutdown());
    await vi.waitFor(() => expect(strings.delivered).toHaveLength(1), {
      timeout: 10_000,
      interval: 10,
    });
    expect(typeof strings.attempts[0]?.payload).toBe('string');
    expect(strings.records<{ body: string }>().map((r) => r.body)).toEqual(BODIES);
  });

  it("reuses a delivered payload's memory for a later batch when the transport keeps none", async () => {
    // A transport that says it keeps no payload past its send (`releasesPayload`): each send
    // waits for the test, and the bytes it was given are checked when it settles.
    const sends: { payload: Uint8Array; copy: Buffer; settle: () => void }[] = [];
    const transport: Transport<Uint8Array> = {
      acceptsBytes: true,
      releasesPayload: true,
      send: (payload) =>
        new Promise<void>((resolve) => {
          sends.push({ payload, copy: Buffer.from(payload), settle: resolve });
        }),
    };
    const exporter = new TransportLogRecordExporter({ transport: transport as never });
    const provider = new LoggerProvider({
      processors: [new ReporterLogRecordProcessor({ exporter, maxConcurrentExports: 2 })],
    });
    cleanups.push(() => provider.shutdown());
    const logger = provider.getLogger('payload', '1.0.0');
    const batch = (name: string) => {
      for (const body of BODIES) logger.emit({ body: `${name} ${body}` });
      return provider.forceFlush();
    };
    const first = batch('first');
    await vi.waitFor(() => expect(sends).toHaveLength(1));
    const second = batch('second');
    await vi.waitFor(() => expect(sends).toHaveLength(2));
    sends[0]?.settle();
    await first;
    const third = batch('third');
    await vi.waitFor(() => expect(sends).toHaveLength(3));
    const [one, two, three] = sends as [(typeof sends)[0], (typeof sends)[0], (typeof sends)[0]];
    // The second was in flight: its memory is its own, and stays as it was sent.
    expect(two.payload.buffer).not.toBe(one.payload.buffer);
    expect(three.payload.buffer).toBe(one.payload.buffer);
    expect(Buffer.from(two.payload).equals(two.copy)).toBe(true);
    const bodies = (payload: Uint8Array) =>
      (JSON.parse(text(payload)) as { body: string }[]).map((record) => record.body);
    expect(bodies(three.payload)).toEqual(BODIES.map((body) => `third ${body}`));
    expect(bodies(two.payload)).toEqual(BODIES.map((body) => `second ${body}`));
    two.settle();
    three.settle();
    await Promise.all([second, third]);
  });
});
