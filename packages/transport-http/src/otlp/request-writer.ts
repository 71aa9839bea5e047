import type { EncodedBatch } from '@telemetry-reporter/core';
import { ByteSink } from './byte-sink.js';
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
  /** The request around the records of `groups`, whose bytes `source` holds. */
  readonly assemble: (groups: readonly ResourceGroup[], source: Buffer) => Uint8Array;
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

  constructor(format: SignalFormat<Item>) {
    this.#format = format;
  }

  get writtenCount(): number {
    return this.#count;
  }

  write(items: readonly Item[], from = 0, to: number = items.length): void {
    checkRange(items, from, to);
    const sink = this.#sink;
    const record = this.#format.record;
    for (let i = from; i < to; i++) {
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
        if (runs.length > 0 && runs[runs.length - 1] === start) runs[runs.length - 1] = end;
        else runs.push(start, end);
        group.bytes += end - start;
      } catch (error) {
        sink.pos = start;
        if (this.#failedIndexes.length === 0) this.#firstError = error;
        this.#failedIndexes.push(index);
      }
    }
  }

  finish(): EncodedBatch<Uint8Array> {
    const failedIndexes = this.#failedIndexes;
    const failedCount = failedIndexes.length;
    const recordCount = this.#count - failedCount;
    const payload =
      recordCount === 0 ? undefined : this.#format.assemble(this.#resources, this.#sink.buf);
    const firstError = this.#firstError;
    this.reset();
    return failedCount === 0
      ? { payload, recordCount, failedCount }
      : { payload, recordCount, failedCount, failedIndexes, firstError };
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
