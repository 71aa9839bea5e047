/** Keys longer than this are encoded each time: long keys are rarely repeated. */
const MAX_KEY_LENGTH = 128;

/** How many keys a cache holds before it starts over. */
const MAX_ENTRIES = 1024;

/** Positions of attributes objects whose last key is remembered (see `getAt`). */
const MAX_SLOTS = 64;

/**
 * A bounded cache of an encoding of attribute keys (their protobuf field bytes, their JSON
 * text). Attribute keys repeat from record to record, so each is encoded once. When full, it
 * starts over: a service whose keys never repeat pays one `clear()` per 1,024 keys, not memory.
 */
export class InternCache<Encoded> {
  readonly #encode: (key: string) => Encoded;
  readonly #entries = new Map<string, Encoded>();
  /** The keys last seen at each position of an attributes object, and their encodings. */
  readonly #recentKeys: (string | undefined)[] = [];
  readonly #recentEncoded: Encoded[] = [];

  constructor(encode: (key: string) => Encoded) {
    this.#encode = encode;
  }

  /**
   * {@link get} for the key at position `slot` of an attributes object. Records from one call
   * site have the same keys in the same order, so the key seen last at that position is
   * compared first (property names are interned strings: a pointer comparison), before a
   * lookup by hash.
   */
  getAt(slot: number, key: string): Encoded {
    if (slot >= MAX_SLOTS) return this.get(key);
    if (this.#recentKeys[slot] === key) return this.#recentEncoded[slot] as Encoded;
    const encoded = this.get(key);
    this.#recentKeys[slot] = key;
    this.#recentEncoded[slot] = encoded;
    return encoded;
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
