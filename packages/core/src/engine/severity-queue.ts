/** Severity classes: 0 (unspecified) and OpenTelemetry's severity numbers 1 to 24. */
export const SEVERITY_CLASSES = 25;

const NONE = -1;
const INITIAL_SLOTS = 1024;

/** Clamps a severity number to a class of {@link SeverityQueue}: 1-24, else 0 (none). */
export function severityClass(severity: number): number {
  return severity >= 1 && severity < SEVERITY_CLASSES ? Math.floor(severity) : 0;
}

/**
 * A bounded queue that keeps emission order for taking, and can evict in O(1) either the oldest
 * record or the oldest record of the lowest severity class present. It also keeps the sum of
 * the records' byte estimates, in all and per class, for byte-bounded queues: a caller can tell
 * in O(1) whether evicting lower classes would make room at all, before evicting anything (a
 * slot: {@link SeverityQueue.lowestSeverity}; bytes: {@link SeverityQueue.bytesBelow}).
 *
 * Records live in a pool of slots linked twice: once in emission order, once per severity class.
 * Every removal takes the head of its class list (the oldest of a class is always the first of
 * it in emission order), so both lists unlink in O(1). A bit mask of non-empty classes finds the
 * lowest class in O(1). The pool grows by doubling up to `capacity`; nothing is allocated per
 * record once it has grown.
 */
export class SeverityQueue<T> {
  readonly #capacity: number;
  #items: (T | undefined)[] = [];
  #next = new Int32Array(0);
  #prev = new Int32Array(0);
  #classNext = new Int32Array(0);
  #severity = new Uint8Array(0);
  #bytes = new Float64Array(0);
  #position = new Float64Array(0);
  #free = NONE;
  #head = NONE;
  #tail = NONE;
  readonly #classHead = new Int32Array(SEVERITY_CLASSES).fill(NONE);
  readonly #classTail = new Int32Array(SEVERITY_CLASSES).fill(NONE);
  readonly #classSize = new Int32Array(SEVERITY_CLASSES);
  readonly #classBytes = new Float64Array(SEVERITY_CLASSES);
  #nonEmpty = 0;
  #size = 0;
  #totalBytes = 0;
  #pushed = 0;
  #lastEvictedSeverity = 0;

  /** @param capacity - the most records held; an integer >= 1. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(`capacity must be an integer >= 1, got ${String(capacity)}`);
    }
    this.#capacity = capacity;
    this.#grow(Math.min(INITIAL_SLOTS, capacity));
  }

  /** Records queued. */
  get size(): number {
    return this.#size;
  }

  /** Sum of the byte estimates of the queued records. */
  get bytes(): number {
    return this.#totalBytes;
  }

  /** True when no slot is left. */
  get isFull(): boolean {
    return this.#size >= this.#capacity;
  }

  /** Emission position of the oldest queued record (the next position when empty). */
  get headPosition(): number {
    return this.#head === NONE ? this.#pushed : (this.#position[this.#head] as number);
  }

  /** The position the next record will get: how many have ever been pushed. */
  get tailPosition(): number {
    return this.#pushed;
  }

  /** Severity class of the record the last `evict*` call removed (0 before any). */
  get lastEvictedSeverity(): number {
    return this.#lastEvictedSeverity;
  }

  /** The lowest severity class present, or -1 when empty. */
  lowestSeverity(): number {
    const mask = this.#nonEmpty;
    return mask === 0 ? -1 : 31 - Math.clz32(mask & -mask);
  }

  /**
   * Sum of the byte estimates of the records in classes strictly below `severity` (0 to 24):
   * what evicting all of them would free. O(1): at most 24 per-class sums are read.
   */
  bytesBelow(severity: number): number {
    let mask = this.#nonEmpty & belowMask(severity);
    let bytes = 0;
    while (mask !== 0) {
      bytes += this.#classBytes[31 - Math.clz32(mask & -mask)] as number;
      mask &= mask - 1;
    }
    return bytes;
  }

  /**
   * Appends a record of severity class `severity` (0 to 24) and byte estimate `bytes`. The
   * caller makes room first; returns false, storing nothing, when the queue is full.
   */
  push(item: T, severity: number, bytes: number): boolean {
    if (this.#size >= this.#capacity) return false;
    if (this.#free === NONE) this.#grow(Math.min(this.#capacity, this.#next.length * 2));
    const slot = this.#free;
    this.#free = this.#next[slot] as number;
    this.#items[slot] = item;
    this.#severity[slot] = severity;
    this.#bytes[slot] = bytes;
    this.#position[slot] = this.#pushed++;
    this.#next[slot] = NONE;
    this.#prev[slot] = this.#tail;
    if (this.#tail === NONE) this.#head = slot;
    else this.#next[this.#tail] = slot;
    this.#tail = slot;
    this.#classNext[slot] = NONE;
    const classTail = this.#classTail[severity] as number;
    if (classTail === NONE) this.#classHead[severity] = slot;
    else this.#classNext[classTail] = slot;
    this.#classTail[severity] = slot;
    const classSize = this.#classSize[severity] as number;
    this.#classSize[severity] = classSize + 1;
    if (classSize === 0) this.#nonEmpty |= 1 << severity;
    // Queues without a byte limit push 0 bytes: skip the sum on their (hot) path.
    if (bytes !== 0) this.#classBytes[severity] = (this.#classBytes[severity] as number) + bytes;
    this.#size++;
    this.#totalBytes += bytes;
    return true;
  }

  /** Removes and returns up to `count` of the oldest records, in emission order. */
  take(count: number): T[] {
    const n = count > 0 ? Math.min(Math.floor(count), this.#size) : 0;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.#remove(this.#head);
    return out;
  }

  /** Removes and returns the oldest record, or `undefined` when empty. */
  evictOldest(): T | undefined {
    if (this.#head === NONE) return undefined;
    this.#lastEvictedSeverity = this.#severity[this.#head] as number;
    return this.#remove(this.#head);
  }

  /** Removes and returns the oldest record of the lowest severity class present. */
  evictLowest(): T | undefined {
    const lowest = this.lowestSeverity();
    if (lowest === -1) return undefined;
    this.#lastEvictedSeverity = lowest;
    return this.#remove(this.#classHead[lowest] as number);
  }

  /** Removes every record and returns how many there were. */
  clear(): number {
    const n = this.#size;
    while (this.#head !== NONE) this.#remove(this.#head);
    return n;
  }

  /** Unlinks `slot`, which is always the head of its class list, and frees it. */
  #remove(slot: number): T {
    const item = this.#items[slot] as T;
    const severity = this.#severity[slot] as number;
    const prev = this.#prev[slot] as number;
    const next = this.#next[slot] as number;
    if (prev === NONE) this.#head = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#tail = prev;
    else this.#prev[next] = prev;
    const classNext = this.#classNext[slot] as number;
    this.#classHead[severity] = classNext;
    if (classNext === NONE) this.#classTail[severity] = NONE;
    const bytes = this.#bytes[slot] as number;
    const classSize = (this.#classSize[severity] as number) - 1;
    this.#classSize[severity] = classSize;
    this.#size--;
    this.#totalBytes -= bytes;
    if (classSize === 0) {
      this.#nonEmpty &= ~(1 << severity);
      // An emptied sum restarts at an exact 0, so fractional estimates cannot drift apart from
      // the records they stand for.
      this.#classBytes[severity] = 0;
      if (this.#nonEmpty === 0) this.#totalBytes = 0;
    } else if (bytes !== 0) {
      this.#classBytes[severity] = (this.#classBytes[severity] as number) - bytes;
    }
    this.#items[slot] = undefined;
    this.#next[slot] = this.#free;
    this.#free = slot;
    return item;
  }

  /** Grows the pool to `slots`, threading the new slots onto the free list. */
  #grow(slots: number): void {
    const old = this.#next.length;
    if (slots <= old) return;
    this.#next = copyInto(new Int32Array(slots), this.#next);
    this.#prev = copyInto(new Int32Array(slots), this.#prev);
    this.#classNext = copyInto(new Int32Array(slots), this.#classNext);
    this.#severity = copyInto(new Uint8Array(slots), this.#severity);
    this.#bytes = copyInto(new Float64Array(slots), this.#bytes);
    this.#position = copyInto(new Float64Array(slots), this.#position);
    this.#items.length = slots;
    for (let slot = slots - 1; slot >= old; slot--) {
      this.#next[slot] = this.#free;
      this.#free = slot;
    }
  }
}

/** Bits of the classes strictly below `severity` (0 to 24). */
function belowMask(severity: number): number {
  return (1 << severity) - 1;
}

function copyInto<A extends Int32Array | Uint8Array | Float64Array>(target: A, source: A): A {
  target.set(source);
  return target;
}
