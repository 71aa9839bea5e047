import { type EncodedBatch, RecordTooLargeError } from '@telemetry-reporter/core';
import { ByteSink, type PayloadPool } from '@telemetry-reporter/core/internal';
import type { ResourceParts, ScopeParts } from './resource-scope.js';
import type { OtlpRequestWriter, OtlpResource, OtlpScope } from './types.js';

// An export request is records grouped by resource, then by scope, each group in the order its
// first record arrived. Records are encoded one at a time as they come, into one buffer that is
// rolled back when a record fails; the grouping envelope, whose lengths depend on everything
// inside, is written once, by finish(), around byte ranges of that buffer.

/** What every OTLP record carries. */
export interface GroupedRecord {
  readonly resource: OtlpResource;
  readonly instrumentationScope: OtlpScope;
}

/** How a signal's records are written and grouped, in one format. */
export interface SignalFormat<Item> {
  /** The resource's parts of the envelope (cached); throws when they cannot be encoded. */
  readonly resource: (resource: OtlpResource) => ResourceParts;
  /** The scope's parts of the envelope (cached); throws when they cannot be encoded. */
  readonly scope: (scope: OtlpScope) => ScopeParts;
  /** What records of one scope group share: the scope object, unless stated otherwise. */
  readonly scopeKey?: (scope: OtlpScope) => unknown;
  /**
   * Writes one record into the sink: protobuf, as a field entry (tag, length, message); JSON,
   * as a comma and the object. Throws when it cannot, possibly after writing part of it.
   */
  readonly record: (sink: ByteSink, item: Item) => void;
  /**
   * The request around the records of `groups`, whose bytes `source` holds, in a buffer taken
   * from `payloads`.
   */
  readonly assemble: (
    groups: readonly ResourceGroup[],
    source: Buffer,
    payloads: PayloadPool,
  ) => Uint8Array;
}

/** The records of one scope in one resource. */
export interface ScopeGroup {
  readonly parts: ScopeParts;
  /** [start, end) byte ranges of the records in the sink, merged when adjacent. */
  readonly runs: number[];
  /** How many bytes the runs hold. */
  bytes: number;
  /** Scratch for assemble(). */
  size: number;
}

/** The scope groups of one resource. */
export interface ResourceGroup {
  readonly parts: ResourceParts;
  /** Scope groups that hold records, in order. */
  readonly groups: ScopeGroup[];
  /** Scratch for assemble(). */
  size: number;
}

interface ResourceEntry extends ResourceGroup {
  /** Scope groups by key, and what failed to build for a key (every record there fails too). */
  readonly byKey: Map<unknown, ScopeGroup | Failure>;
}

/**
 * Bytes the envelope may add per group (tags, lengths, JSON names and punctuation) besides the
 * resource and scope themselves, and around the whole request: generous, so that a payload
 * bounded by `maxBytes` never passes it.
 */
const GROUP_OVERHEAD = 64;
const REQUEST_OVERHEAD = 64;

/** A resource or scope that could not be encoded; kept so the next record fails fast. */
class Failure {
  constructor(readonly error: unknown) {}
}

function checkRange(items: readonly unknown[], from: number, to: number): void {
  if (
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    from < 0 ||
    from > to ||
    to > items.length
  ) {
    throw new RangeError(
      `from and to must be integers with 0 <= from <= to <= items.length (${items.length}), got ${String(from)} and ${String(to)}`,
    );
  }
}

/** Writes OTLP requests (either format); see {@link OtlpRequestWriter}. */
export class RequestWriter<Item extends GroupedRecord> implements OtlpRequestWriter<Item> {
  readonly #format: SignalFormat<Item>;
  readonly #sink = new ByteSink();
  #byResource = new Map<OtlpResource, ResourceEntry | Failure>();
  #resources: ResourceEntry[] = [];
  #lastResource: OtlpResource | undefined;
  #lastScope: OtlpScope | undefined;
  #last: ScopeGroup | undefined;
  #count = 0;
  #failedIndexes: number[] = [];
  #firstError: unknown;
  /** The most bytes the request may take; past it, the writer is full. */
  #maxBytes = Number.POSITIVE_INFINITY;
  /** An upper bound of what the envelope adds to the records' bytes. */
  #envelope = REQUEST_OVERHEAD;
  #full = false;

  /** Where finished requests get their buffers; the encoder gives them back there. */
  readonly #payloads: PayloadPool;

  constructor(format: SignalFormat<Item>, payloads: PayloadPool) {
    this.#format = format;
    this.#payloads = payloads;
  }

  /**
   * Bounds the request being written to `maxBytes` (`Infinity`: no bound), until the next
   * `finish()` or `reset()`.
   */
  limit(maxBytes: number): void {
    this.#maxBytes = maxBytes;
  }

  get writtenCount(): number {
    return this.#count;
  }

  write(items: readonly Item[], from = 0, to: number = items.length): void {
    this.add(items, from, to);
  }

  /**
   * Writes `items[from, to)` as {@link write} does, until the request would pass the bound set
   * by {@link limit}: returns the position after the last record taken (`to`, or less once the
   * request is full). A record too large even alone is failed, as its own fault.
   */
  add(items: readonly Item[], from: number, to: number): number {
    checkRange(items, from, to);
    const sink = this.#sink;
    const record = this.#format.record;
    for (let i = from; i < to; i++) {
      if (this.#full) return i;
      const index = this.#count++;
      const start = sink.pos;
      try {
        const item = items[i] as Item;
        record(sink, item);
        // Grouping comes after the record is written, so a group (and its place in the
        // request) comes from the first record that made it, as when failed ones are left out.
        const group = this.#groupOf(item);
        const runs = group.runs;
        const end = sink.pos;
        if (end + this.#envelope > this.#maxBytes) {
          // What a request holding this record alone would take.
          const alone =
            end -
            start +
            REQUEST_OVERHEAD +
            2 * GROUP_OVERHEAD +
            partsBytes(group.parts) +
            partsBytes(this.#format.resource(item.resource));
          if (alone > this.#maxBytes) {
            this.#takeBack(start, group);
            throw new RecordTooLargeError(alone, this.#maxBytes);
          }
          // Full, unless it is the first record: a request always takes one that fits alone.
          if (this.#count - 1 - this.#failedIndexes.length > 0) {
            this.#takeBack(start, group);
            this.#count--; // not written: it goes into the next request
            this.#full = true;
            return i;
          }
        }
        if (runs.length > 0 && runs[runs.length - 1] === start) runs[runs.length - 1] = end;
        else runs.push(start, end);
        group.bytes += end - start;
      } catch (error) {
        sink.pos = start;
        if (this.#failedIndexes.length === 0) this.#firstError = error;
        this.#failedIndexes.push(index);
      }
    }
    return to;
  }

  /** Takes back a record written at `start` of `group`, and the group if it was new for it. */
  #takeBack(start: number, group: ScopeGroup): void {
    this.#sink.pos = start;
    if (group.runs.length > 0) return;
    const entry = this.#resources.find((r) => r.groups.includes(group));
    if (entry === undefined) return;
    entry.groups.splice(entry.groups.indexOf(group), 1);
    for (const [key, value] of entry.byKey) if (value === group) entry.byKey.delete(key);
    this.#envelope -= partsBytes(group.parts) + GROUP_OVERHEAD;
    if (entry.groups.length === 0) {
      this.#resources.splice(this.#resources.indexOf(entry), 1);
      for (const [key, value] of this.#byResource)
        if (value === entry) this.#byResource.delete(key);
      this.#envelope -= partsBytes(entry.parts) + GROUP_OVERHEAD;
    }
    this.#last = undefined;
    this.#lastResource = undefined;
    this.#lastScope = undefined;
  }

  finish(): EncodedBatch<Uint8Array> {
    const failedIndexes = this.#failedIndexes;
    const failedCount = failedIndexes.length;
    const recordCount = this.#count - failedCount;
    const payload =
      recordCount === 0
        ? undefined
        : this.#format.assemble(this.#resources, this.#sink.buf, this.#payloads);
    const firstError = this.#firstError;
    const consumed = this.#count;
    this.reset();
    return failedCount === 0
      ? { payload, recordCount, failedCount, consumed }
      : { payload, recordCount, failedCount, failedIndexes, firstError, consumed };
  }

  reset(): void {
    this.#sink.reset();
    this.#byResource = new Map();
    this.#resources = [];
    this.#lastResource = undefined;
    this.#lastScope = undefined;
    this.#last = undefined;
    this.#count = 0;
    this.#failedIndexes = [];
    this.#firstError = undefined;
    this.#maxBytes = Number.POSITIVE_INFINITY;
    this.#envelope = REQUEST_OVERHEAD;
    this.#full = false;
  }

  /** The group `item` belongs in, created (and its resource or scope encoded) if new. */
  #groupOf(item: Item): ScopeGroup {
    const resource = item.resource;
    const scope = item.instrumentationScope;
    const last = this.#last;
    if (last !== undefined && resource === this.#lastResource && scope === this.#lastScope) {
      return last;
    }
    let entry = this.#byResource.get(resource);
    if (entry === undefined) {
      try {
        entry = { parts: this.#format.resource(resource), byKey: new Map(), groups: [], size: 0 };
        this.#envelope += partsBytes(entry.parts) + GROUP_OVERHEAD;
      } catch (error) {
        entry = new Failure(error);
      }
      this.#byResource.set(resource, entry);
    }
    if (entry instanceof Failure) throw entry.error;
    const key = this.#format.scopeKey === undefined ? scope : this.#format.scopeKey(scope);
    let group = entry.byKey.get(key);
    if (group === undefined) {
      try {
        group = { parts: this.#format.scope(scope), runs: [], bytes: 0, size: 0 };
        this.#envelope += partsBytes(group.parts) + GROUP_OVERHEAD;
        if (entry.groups.length === 0) this.#resources.push(entry);
        entry.groups.push(group);
      } catch (error) {
        group = new Failure(error);
      }
      entry.byKey.set(key, group);
    }
    if (group instanceof Failure) throw group.error;
    this.#lastResource = resource;
    this.#lastScope = scope;
    this.#last = group;
    return group;
  }
}

/** Bytes of a resource's or scope's encoded parts. */
function partsBytes(parts: ResourceParts | ScopeParts): number {
  const main = 'resource' in parts ? parts.resource : parts.scope;
  return main.byteLength + parts.schemaUrl.byteLength;
}
