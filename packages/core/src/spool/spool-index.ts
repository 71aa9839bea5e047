import type { SpoolTally } from './spool-types.js';

/**
 * - `ready`: under its ready name, free to lease or evict.
 * - `busy`: this instance is renaming or deleting it; nobody else in this process touches it.
 * - `leased`: this instance holds its lease.
 * - `elsewhere`: another process holds its lease, or took it from under this instance.
 */
export type EntryState = 'ready' | 'busy' | 'leased' | 'elsewhere';

/** One batch file this spool instance knows of. */
export interface SpoolEntry {
  /** Its ready name: the key, and its place in the order. */
  readonly name: string;
  readonly createdAt: number;
  readonly records: number;
  readonly bytes: number;
  /** Written by this instance (only such entries count in `ownRecords`). */
  readonly own: boolean;
  state: EntryState;
  /** Its name while this instance leases it. */
  leaseName: string | undefined;
  /** The index's clock at the entry's last change: a scan leaves alone what changed under it. */
  stamp: number;
}

/** A mutable {@link SpoolTally}. */
export interface Tally {
  files: number;
  records: number;
  ownRecords: number;
}

/** A zeroed tally. */
export function newTally(): Tally {
  return { files: 0, records: 0, ownRecords: 0 };
}

/** Counts `entry` into `tally`. */
export function countInto(tally: Tally, entry: SpoolEntry): void {
  tally.files++;
  tally.records += entry.records;
  if (entry.own) tally.ownRecords += entry.records;
}

/** A frozen copy of a tally. */
export function snapshot(tally: Tally): SpoolTally {
  return { files: tally.files, records: tally.records, ownRecords: tally.ownRecords };
}

/**
 * The batch files a spool instance knows of, oldest first, with running totals, so that neither a
 * write nor `stats()` lists the directory. Names being written are reserved apart: they are not on
 * disk yet, but a scan must not mistake them for another process's files once they are.
 */
export class SpoolIndex {
  readonly #byName = new Map<string, SpoolEntry>();
  /** Sorted by name, which is creation time, then sequence, then writer. */
  readonly #ordered: SpoolEntry[] = [];
  readonly #stored = newTally();
  readonly #writing = new Map<string, number>();
  /** Victims picked for eviction whose files are being deleted. */
  readonly #freeing = new Set<SpoolEntry>();
  #bytes = 0;
  #reservedBytes = 0;
  #freeingBytes = 0;
  #leased = 0;
  #clock = 0;

  /** Files, records and own records on disk. */
  get stored(): SpoolTally {
    return snapshot(this.#stored);
  }

  /** Bytes of the files on disk. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * What `maxBytes` is checked against: bytes on disk, plus writes in progress, minus evictions in
   * progress (so that two concurrent writes do not both evict for the same room).
   */
  get committedBytes(): number {
    return this.#bytes + this.#reservedBytes - this.#freeingBytes;
  }

  /** Entries this instance leases. */
  get leased(): number {
    return this.#leased;
  }

  /** The clock's current value: entries changed later have a larger stamp. */
  get clock(): number {
    return this.#clock;
  }

  get(name: string): SpoolEntry | undefined {
    return this.#byName.get(name);
  }

  /** Whether `name` is being written by this instance. */
  isWriting(name: string): boolean {
    return this.#writing.has(name);
  }

  /** Reserves `bytes` for a write of `name` until {@link unreserve}. */
  reserve(name: string, bytes: number): void {
    this.#writing.set(name, bytes);
    this.#reservedBytes += bytes;
  }

  unreserve(name: string): void {
    const bytes = this.#writing.get(name);
    if (bytes === undefined) return;
    this.#writing.delete(name);
    this.#reservedBytes -= bytes;
  }

  /** Adds a file that is on disk now. A name already known is replaced. */
  add(fields: Omit<SpoolEntry, 'stamp'>): SpoolEntry {
    const old = this.#byName.get(fields.name);
    if (old !== undefined) this.remove(old);
    const entry: SpoolEntry = { ...fields, stamp: ++this.#clock };
    this.#byName.set(entry.name, entry);
    const ordered = this.#ordered;
    const last = ordered.at(-1);
    if (last === undefined || last.name < entry.name) ordered.push(entry);
    else ordered.splice(this.#position(entry.name), 0, entry);
    this.#bytes += entry.bytes;
    countInto(this.#stored, entry);
    if (entry.state === 'leased') this.#leased++;
    return entry;
  }

  /** Forgets an entry: its file is gone. */
  remove(entry: SpoolEntry): void {
    if (this.#byName.get(entry.name) !== entry) return;
    this.#unfree(entry);
    this.#byName.delete(entry.name);
    const at = this.#position(entry.name);
    if (this.#ordered[at] === entry) this.#ordered.splice(at, 1);
    this.#bytes -= entry.bytes;
    this.#stored.files--;
    this.#stored.records -= entry.records;
    if (entry.own) this.#stored.ownRecords -= entry.records;
    if (entry.state === 'leased') this.#leased--;
    entry.stamp = ++this.#clock;
  }

  /** Moves an entry to `state`, stamping the change. */
  setState(entry: SpoolEntry, state: EntryState, leaseName?: string): void {
    this.#unfree(entry);
    if (entry.state === 'leased') this.#leased--;
    if (state === 'leased') this.#leased++;
    entry.state = state;
    entry.leaseName = leaseName;
    entry.stamp = ++this.#clock;
  }

  /** The oldest entry in `ready` state. */
  oldestReady(): SpoolEntry | undefined {
    for (const entry of this.#ordered) if (entry.state === 'ready') return entry;
    return undefined;
  }

  /** Every entry, oldest first; a copy, safe to change the index while iterating. */
  entries(): SpoolEntry[] {
    return [...this.#ordered];
  }

  /**
   * Picks the oldest ready entries whose eviction makes room for `bytes` more within `maxBytes`,
   * and marks them busy. Returns `undefined`, touching nothing, when evicting every ready entry
   * would not be enough (or the batch alone is larger than `maxBytes`).
   */
  pickVictims(bytes: number, maxBytes: number): SpoolEntry[] | undefined {
    let excess = this.committedBytes + bytes - maxBytes;
    if (excess <= 0) return [];
    if (bytes > maxBytes) return undefined;
    const victims: SpoolEntry[] = [];
    for (const entry of this.#ordered) {
      if (entry.state !== 'ready') continue;
      victims.push(entry);
      excess -= entry.bytes;
      if (excess <= 0) break;
    }
    if (excess > 0) return undefined;
    for (const entry of victims) {
      this.setState(entry, 'busy');
      this.#freeing.add(entry);
      this.#freeingBytes += entry.bytes;
    }
    return victims;
  }

  /** A victim's eviction ended (its file deleted, or kept after all). */
  #unfree(entry: SpoolEntry): void {
    if (this.#freeing.delete(entry)) this.#freeingBytes -= entry.bytes;
  }

  /** Where `name` is, or would be inserted, in the order. */
  #position(name: string): number {
    const ordered = this.#ordered;
    let low = 0;
    let high = ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((ordered[middle] as SpoolEntry).name < name) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
