const INITIAL_SLOTS = 16;

/**
 * A bounded FIFO queue on a circular array: O(1) `push` and `shift`, O(n) `take(n)`.
 *
 * Storage starts small and doubles up to the next power of two above `capacity`, so a queue
 * configured for a million records costs nothing until it fills. Taken slots are cleared so
 * exported records can be garbage-collected at once.
 */
export class RingBuffer<T> {
  readonly #capacity: number;
  #slots: (T | undefined)[];
  #mask: number;
  #head = 0;
  #size = 0;
  #shifted = 0;

  /** @param capacity - the most items the queue holds; an integer >= 1. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(`capacity must be an integer >= 1, got ${String(capacity)}`);
    }
    this.#capacity = capacity;
    const slots = Math.min(INITIAL_SLOTS, nextPowerOfTwo(capacity));
    this.#slots = new Array<T | undefined>(slots);
    this.#mask = slots - 1;
  }

  /** The most items the queue holds. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Items currently queued. */
  get size(): number {
    return this.#size;
  }

  /** True when `push` would be refused. */
  get isFull(): boolean {
    return this.#size >= this.#capacity;
  }

  /** How many items have ever left through `shift` or `take`: the position of the oldest item. */
  get headPosition(): number {
    return this.#shifted;
  }

  /** How many items have ever been pushed: the position the next item will get. */
  get tailPosition(): number {
    return this.#shifted + this.#size;
  }

  /** Appends `item`; returns false, without storing it, when the queue is full. */
  push(item: T): boolean {
    const size = this.#size;
    if (size >= this.#capacity) return false;
    if (size > this.#mask) this.#grow();
    this.#slots[(this.#head + size) & this.#mask] = item;
    this.#size = size + 1;
    return true;
  }

  /** The oldest item, left in place; `undefined` when empty. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#slots[this.#head];
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const head = this.#head;
    const item = this.#slots[head];
    this.#slots[head] = undefined;
    this.#head = (head + 1) & this.#mask;
    this.#size--;
    this.#shifted++;
    return item;
  }

  /** Removes and returns up to `count` of the oldest items, oldest first. */
  take(count: number): T[] {
    const n = count > 0 ? Math.min(Math.floor(count), this.#size) : 0;
    const out = new Array<T>(n);
    const slots = this.#slots;
    const mask = this.#mask;
    let head = this.#head;
    for (let i = 0; i < n; i++) {
      out[i] = slots[head] as T;
      slots[head] = undefined;
      head = (head + 1) & mask;
    }
    this.#head = head;
    this.#size -= n;
    this.#shifted += n;
    return out;
  }

  /** Removes every item and returns how many there were. */
  clear(): number {
    const n = this.#size;
    this.take(n);
    return n;
  }

  #grow(): void {
    const old = this.#slots;
    const oldLength = old.length;
    const grown = new Array<T | undefined>(oldLength * 2);
    for (let i = 0; i < this.#size; i++) grown[i] = old[(this.#head + i) & this.#mask];
    this.#slots = grown;
    this.#mask = grown.length - 1;
    this.#head = 0;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
