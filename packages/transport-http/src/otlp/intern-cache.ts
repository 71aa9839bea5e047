/** Keys longer than this are encoded each time: long keys are rarely repeated. */
const MAX_KEY_LENGTH = 128;

/** How many keys a cache holds before it starts over. */
const MAX_ENTRIES = 4096;

/**
 * A bounded cache of an encoding of attribute keys (their protobuf field bytes, their JSON
 * text). Attribute keys repeat from record to record, so each is encoded once. When full, it
 * starts over: a service whose keys never repeat pays one `clear()` per 4,096 keys, not memory.
 */
export class InternCache<Encoded> {
  readonly #encode: (key: string) => Encoded;
  readonly #entries = new Map<string, Encoded>();

  constructor(encode: (key: string) => Encoded) {
    this.#encode = encode;
  }

  /** The encoding of `key`, from the cache when it is there. */
  get(key: string): Encoded {
    const cached = this.#entries.get(key);
    if (cached !== undefined) return cached;
    const encoded = this.#encode(key);
    if (key.length <= MAX_KEY_LENGTH) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(key, encoded);
    }
    return encoded;
  }
}
