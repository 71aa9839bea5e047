// Payload buffers an encoder reuses once the delivery gives them back (`Encoder.release`). A fresh
// buffer per payload costs its page faults when first written, measured 17-23% of writing the
// default JSON as bytes, and being outside V8's heap it is reclaimed only by major collections.
// A payload never given back (a transport that may keep it) is simply left to the collector: the
// pool then allocates as if it did not exist.

/** Idle buffers kept at most: one per export in flight, for the usual concurrency. */
const IDLE_BUFFERS = 4;

/** A buffer larger than this is not kept: one huge payload does not pin its memory. */
const RETAINED_BYTES = 8 * 1024 * 1024;

/** Fresh buffers are a multiple of this. */
const GRAIN_BYTES = 16 * 1024;

/**
 * Buffers for payloads, taken at the exact length of a payload and given back when the delivery
 * is done with it. Giving back anything else (a payload of another pool, one given back already,
 * one whose memory was transferred to another thread) does nothing.
 */
export class PayloadPool {
  readonly #idle: Buffer[] = [];
  /** The whole buffer behind each payload taken and not given back. */
  readonly #lent = new WeakMap<Uint8Array, Buffer>();

  /** A buffer of `length` bytes, not zeroed: the caller writes all of it. */
  take(length: number): Buffer {
    let whole = this.#idle.pop();
    // Payload sizes drift slowly: a buffer too small now is dropped for a larger one.
    if (whole === undefined || whole.length < length) whole = Buffer.allocUnsafeSlow(room(length));
    const payload = whole.subarray(0, length);
    this.#lent.set(payload, whole);
    return payload;
  }

  /** Takes `payload` back for a later {@link take}; its bytes may be overwritten from now on. */
  give(payload: unknown): void {
    if (!(payload instanceof Uint8Array)) return;
    const whole = this.#lent.get(payload);
    if (whole === undefined) return;
    this.#lent.delete(payload);
    // Transferred to a worker, the memory is detached here: nothing is left to reuse.
    if (whole.buffer.byteLength === 0) return;
    if (this.#idle.length < IDLE_BUFFERS && whole.length <= RETAINED_BYTES) this.#idle.push(whole);
  }
}

/**
 * The size of a fresh buffer for `length` bytes: an eighth more, in whole grains, so that a
 * later, slightly larger payload fits it too.
 */
function room(length: number): number {
  const wanted = length + (length >>> 3);
  return Math.max(GRAIN_BYTES, Math.ceil(wanted / GRAIN_BYTES) * GRAIN_BYTES);
}
