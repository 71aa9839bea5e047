import type { ByteSink } from '@telemetry-reporter/core/internal';

const NONE = {};

/**
 * The last id written at one place (a log record's trace id, a span's parent...), and its bytes:
 * records of one trace, or of one span, often come together, and the id is then copied instead
 * of converted again. One per place, since ids of different places alternate. `write` converts
 * an id that is not the last one (to protobuf bytes, or to a JSON string); what it writes is
 * kept when it takes at most `maxBytes`.
 */
export class LastIdCache<Id> {
  readonly #write: (sink: ByteSink, id: Id) => void;
  readonly #bytes: Uint8Array;
  #id: unknown = NONE;
  #length = 0;

  constructor(write: (sink: ByteSink, id: Id) => void, maxBytes: number) {
    this.#write = write;
    this.#bytes = new Uint8Array(maxBytes);
  }

  /** Writes `id` as the converter does, from the cache when it is the one written last. */
  write(sink: ByteSink, id: Id): void {
    const length = this.#length;
    if (id === this.#id) {
      sink.ensure(length);
      const buf = sink.buf;
      const bytes = this.#bytes;
      let pos = sink.pos;
      for (let i = 0; i < length; i++) buf[pos++] = bytes[i] as number;
      sink.pos = pos;
      return;
    }
    const at = sink.pos;
    this.#write(sink, id);
    const written = sink.pos - at;
    if (written <= this.#bytes.length) {
      const buf = sink.buf;
      for (let i = 0; i < written; i++) this.#bytes[i] = buf[at + i] as number;
      this.#length = written;
      this.#id = id;
    }
  }
}
