import { expectInvariant } from '@telemetry-reporter-internal/test-kit/invariant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BatchEngine,
  type BatchEngineOptions,
  createFileSpool,
  type Encoder,
  PayloadTooLargeError,
  PermanentError,
  RetryableError,
  type SendContext,
  type SpoolMode,
  type Transport,
  TransportDelivery,
  type TransportDeliveryOptions,
} from '../../src/index.js';
import { deliveringEngine, offerIds } from '../helpers/delivering-engine.js';
import { scratchDirectory } from '../spool/spool-helpers.js';

// When the transport keeps no payload past its send (`releasesPayload`), the delivery gives each
// payload back to its encoder (`Encoder.release`) once it is done with it, so that its memory
// can serve the next batch. Giving one back too early would send, or spool, another batch's
// bytes: these tests hold the delivery to "after the send settled, once, and never while a spool
// may still write it".

interface Rec {
  id: number;
}

/** What happened, in order: sends, their settling, and releases, each naming its payload. */
type Event = readonly ['send' | 'settled' | 'release', Buffer];

/** What a send does with a payload, by its ids and the attempt. */
type Behaviour = (ids: number[], attempt: number, signal: AbortSignal) => Promise<void>;

/** An encoder of ids into a JSON array, as bytes, recording what it is given back. */
function recordingEncoder(events: Event[], options: { bounded: boolean }): Encoder<Rec, Buffer> {
  const encoder: Encoder<Rec, Buffer> = {
    contentType: 'application/json',
    encode(items, encodeOptions) {
      let count = items.length;
      const maxBytes = options.bounded ? (encodeOptions?.maxBytes ?? Infinity) : Infinity;
      while (count > 1 && bytesOf(items.slice(0, count)).length > maxBytes) count--;
      return {
        payload: bytesOf(items.slice(0, count)),
        recordCount: count,
        failedCount: 0,
        consumed: count,
      };
    },
    release(payload) {
      events.push(['release', payload]);
    },
  };
  return encoder;
}

function bytesOf(items: readonly Rec[]): Buffer {
  return Buffer.from(JSON.stringify(items.map((item) => item.id)));
}

function idsOf(payload: Buffer): number[] {
  return JSON.parse(payload.toString('utf8')) as number[];
}

/** A transport whose sends do what `behave` says, recording when they start and settle. */
function recordingTransport(
  events: Event[],
  behave: Behaviour,
  releasesPayload = true,
): Transport<Buffer> {
  return {
    releasesPayload,
    async send(payload: Buffer, context: SendContext): Promise<void> {
      events.push(['send', payload]);
      try {
        await behave(idsOf(payload), context.attempt, context.signal);
      } finally {
        events.push(['settled', payload]);
      }
    },
  };
}

/** Rejects with the signal's reason once it aborts, a little later than that. */
function hangUntilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => setTimeout(() => reject(signal.reason), 20), {
      once: true,
    });
  });
}

const engines: BatchEngine<Rec>[] = [];
let dir: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  dir = await scratchDirectory();
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.shutdown(50)));
  await dir.remove();
});

function setup(
  transport: Transport<Buffer>,
  encoder: Encoder<Rec, Buffer>,
  options: {
    delivery?: Partial<TransportDeliveryOptions<Rec, Buffer>>;
    engine?: Partial<BatchEngineOptions<Rec>>;
    spoolMode?: SpoolMode;
  } = {},
): { engine: BatchEngine<Rec>; delivery: TransportDelivery<Rec, Buffer> } {
  const delivery = new TransportDelivery<Rec, Buffer>({
    transport,
    encoder,
    retry: { maxAttempts: 2, initialDelayMillis: 1, maxDelayMillis: 1 },
    ...(options.spoolMode === undefined
      ? {}
      : {
          spool: createFileSpool({ directory: dir.path, fsync: false }),
          spoolMode: options.spoolMode,
          spoolProbeIntervalMillis: 60_000,
        }),
    ...options.delivery,
  });
  const engine = deliveringEngine(delivery, options.engine);
  engines.push(engine);
  return { engine, delivery };
}

/** Each payload given back: exactly once, and after the last send of it settled. */
function expectReleasedAfterSettling(events: readonly Event[]): Buffer[] {
  const released = events.filter(([kind]) => kind === 'release').map(([, payload]) => payload);
  expect(new Set(released).size).toBe(released.length);
  for (const payload of released) {
    const at = events.findIndex(([kind, p]) => kind === 'release' && p === payload);
    const sends = events.filter(([kind, p]) => kind === 'send' && p === payload).length;
    const settled = events.slice(0, at).filter(([kind, p]) => kind === 'settled' && p === payload);
    expect(settled).toHaveLength(sends);
  }
  return released;
}

describe('payloads given back to the encoder (releasesPayload)', () => {
  it('gives back a delivered, a refused and a given-up payload, each once its send settled', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, async (ids) => {
      if (ids[0] === 10) throw new PermanentError('refused');
      if (ids[0] === 20) throw new RetryableError('down');
    });
    const { engine } = setup(transport, recordingEncoder(events, { bounded: true }));
    offerIds(engine, 0, 30);
    await engine.flush();
    expect(expectInvariant(engine.stats())).toMatchObject({ exported: 10 });
    const released = expectReleasedAfterSettling(events);
    expect(released.map((payload) => idsOf(payload)[0] ?? -1).sort((a, b) => a - b)).toEqual([
      0, 10, 20,
    ]);
  });

  it('gives back a payload the backend found too large, and each of its halves', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, async (ids) => {
      if (ids.length > 5) throw new PayloadTooLargeError('413');
    });
    const { engine } = setup(transport, recordingEncoder(events, { bounded: true }));
    offerIds(engine, 0, 10);
    await engine.flush();
    expect(expectInvariant(engine.stats()).exported).toBe(10);
    expect(expectReleasedAfterSettling(events).map(idsOf)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
    ]);
  });

  it('gives back unsent a payload larger than maxRequestBytes, before sending its halves', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, async () => {});
    const { engine } = setup(transport, recordingEncoder(events, { bounded: false }), {
      delivery: { maxRequestBytes: 8 },
    });
    offerIds(engine, 0, 4);
    await engine.flush();
    expect(expectInvariant(engine.stats()).exported).toBe(4);
    expect(events.map(([kind, payload]) => `${kind} ${payload.toString()}`)).toEqual([
      'release [0,1,2,3]',
      'send [0,1]',
      'settled [0,1]',
      'release [0,1]',
      'send [2,3]',
      'settled [2,3]',
      'release [2,3]',
    ]);
  });

  it('gives back a payload aborted at the export deadline only once its send settled', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, (_ids, _attempt, signal) =>
      hangUntilAborted(signal),
    );
    const { engine } = setup(transport, recordingEncoder(events, { bounded: true }), {
      engine: { exportTimeoutMillis: 30 },
    });
    offerIds(engine, 0, 10);
    await engine.flush();
    expect(expectInvariant(engine.stats()).dropped.export_timeout).toBe(10);
    await vi.waitFor(() => expect(events.map(([kind]) => kind)).toContain('release'));
    expect(events.map(([kind]) => kind)).toEqual(['send', 'settled', 'release']);
  });

  it('gives nothing back when the transport does not say it keeps no payload', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, async () => {}, false);
    const { engine } = setup(transport, recordingEncoder(events, { bounded: true }));
    offerIds(engine, 0, 20);
    await engine.flush();
    expect(expectInvariant(engine.stats()).exported).toBe(20);
    expect(events.filter(([kind]) => kind === 'release')).toEqual([]);
  });

  it('delivers on when the encoder throws taking a payload back', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, async () => {});
    const encoder = recordingEncoder(events, { bounded: true });
    encoder.release = () => {
      throw new Error('release failed');
    };
    const debug = vi.fn();
    const { engine } = setup(transport, encoder, {
      delivery: { logger: { warn: vi.fn(), debug } },
    });
    offerIds(engine, 0, 20);
    await engine.flush();
    expect(expectInvariant(engine.stats()).exported).toBe(20);
    expect(debug).toHaveBeenCalledWith(
      expect.stringContaining('encoder release threw'),
      expect.objectContaining({ message: 'release failed' }),
    );
  });
});

describe('payloads given back with a spool', { timeout: 30_000 }, () => {
  it('keeps a payload the spool takes after the retries: the spool writes those bytes', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, async () => {
      throw new RetryableError('down');
    });
    const { engine, delivery } = setup(transport, recordingEncoder(events, { bounded: true }), {
      spoolMode: 'fallback',
    });
    offerIds(engine, 0, 10);
    await engine.flush();
    await vi.waitFor(() => expect(delivery.spoolSummary()?.files).toBe(1), { timeout: 10_000 });
    expect(expectInvariant(engine.stats()).spooled).toBe(10);
    expect(events.filter(([kind]) => kind === 'release')).toEqual([]);
  });

  it('keeps a payload spooled at the export deadline, and one spooled unsent while the backend is down', async () => {
    const events: Event[] = [];
    let down = true;
    const transport = recordingTransport(events, async (_ids, _attempt, signal) => {
      if (down) return hangUntilAborted(signal);
    });
    const { engine, delivery } = setup(transport, recordingEncoder(events, { bounded: true }), {
      spoolMode: 'fallback',
      engine: { exportTimeoutMillis: 30 },
    });
    offerIds(engine, 0, 10);
    await engine.flush();
    await vi.waitFor(() => expect(delivery.spoolSummary()?.files).toBe(1), { timeout: 10_000 });
    down = false;
    // Still counted down (nothing succeeded since): the next batch goes to the spool unsent.
    offerIds(engine, 10, 10);
    await engine.flush();
    await vi.waitFor(() => expect(delivery.spoolSummary()?.files).toBe(2), { timeout: 10_000 });
    expect(expectInvariant(engine.stats()).spooled).toBe(20);
    expect(events.filter(([kind]) => kind === 'release')).toEqual([]);
  });

  it('gives back a payload written ahead once it was delivered', async () => {
    const events: Event[] = [];
    const transport = recordingTransport(events, async () => {});
    const { engine } = setup(transport, recordingEncoder(events, { bounded: true }), {
      spoolMode: 'write-ahead',
    });
    offerIds(engine, 0, 10);
    await engine.flush();
    expect(expectInvariant(engine.stats()).exported).toBe(10);
    expect(events.map(([kind]) => kind)).toEqual(['send', 'settled', 'release']);
  });
});
