// The growable byte buffer the JSON and OTLP writers fill. The writing itself is plain module
// functions over its public fields (json-string.ts, json-number.ts, json-writes.ts,
// fragment.ts here; protobuf-wire.ts in transport-http): the writers call them millions of times
// a second, and V8 inlines small monomorphic functions best.

/** Where a growable buffer starts; one 512-record batch of small log records fits. */
const INITIAL_BYTES = 128 * 1024;

/**
 * A buffer kept past this after a batch (a 10 MiB body grew it) is given back, so one huge
 * record does not pin its memory for the life of the process.
 */
const RETAINED_BYTES = 8 * 1024 * 1024;

/**
 * A growable byte buffer written front to back. `buf` and `pos` are public because the
 * writers read and write them directly; `ensure` makes room before they do.
 */
export class ByteSink {
  /** The storage; replaced (and the old one copied) when it grows. */
  buf: Buffer;
  /** The next position to write. */
  pos = 0;
  /** A view of `buf`, for doubles and 8-byte copies; replaced with it. */
  view: DataView;
  /** The arrays and objects enclosing the value being written, outermost first (for cycles). */
  readonly path: unknown[] = [];

  constructor(initialBytes: number = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Makes room for `extra` more bytes after `pos`. */
  ensure(extra: number): void {
    if (this.pos + extra > this.buf.length) this.#grow(this.pos + extra);
  }

  /** Forgets what was written; gives back a buffer that grew past {@link RETAINED_BYTES}. */
  reset(): void {
    this.pos = 0;
    this.path.length = 0;
    if (this.buf.length > RETAINED_BYTES) this.#replace(Buffer.allocUnsafeSlow(INITIAL_BYTES));
  }

  #grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.#replace(next);
  }

  #replace(next: Buffer): void {
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }
}
