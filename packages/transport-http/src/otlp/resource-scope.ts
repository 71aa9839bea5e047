import {
  ascii,
  ByteSink,
  writeByte,
  writeFragment,
  writeMember,
  writeRawJson,
} from '@telemetry-reporter/core/internal';
import { writeAttributesJson } from './any-value-json.js';
import { writeAttributes } from './any-value-protobuf.js';
import { stringField, writeString } from './proto-string.js';
import { beginLength, endLength, writeVarint } from './protobuf-wire.js';
import type { OtlpResource, OtlpScope } from './types.js';

// A batch's records share a handful of resources and scopes, and so do consecutive batches, so
// each is encoded once and kept, per object, for as long as the object lives. The fields an
// encoding was built from are kept too and compared on each batch's first use, so a resource
// whose attributes change (SDK resources memoize them only once async attributes settle) is
// encoded again rather than sent stale.

/** The encoded parts of a `ResourceLogs` / `ResourceSpans` that come from the resource. */
export interface ResourceParts {
  /** `resource` (field 1) with its tag and length, or its JSON object. */
  readonly resource: Uint8Array;
  /** `schema_url` (field 3) with its tag, or `,"schemaUrl":...`; empty when there is none. */
  readonly schemaUrl: Uint8Array;
}

/** The encoded parts of a `ScopeLogs` / `ScopeSpans` that come from the scope. */
export interface ScopeParts {
  /** `scope` (field 1) with its tag and length, or its JSON object. */
  readonly scope: Uint8Array;
  /** `schema_url` (field 3) with its tag, or `,"schemaUrl":...`; empty when there is none. */
  readonly schemaUrl: Uint8Array;
}

interface CachedResource extends ResourceParts {
  readonly from: readonly unknown[];
}

interface CachedScope extends ScopeParts {
  readonly from: readonly unknown[];
}

const EMPTY = new Uint8Array(0);

const resourceSource = (resource: OtlpResource): unknown[] => [
  resource.attributes,
  resource.schemaUrl,
];
const scopeSource = (scope: OtlpScope): unknown[] => [
  scope.name,
  scope.version,
  scope.schemaUrl,
  scope.attributes,
  scope.droppedAttributesCount,
];

function sameSource(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cached<Key extends object, Parts>(
  cache: WeakMap<Key, Parts & { readonly from: readonly unknown[] }>,
  key: Key,
  source: (key: Key) => unknown[],
  build: (from: readonly unknown[]) => Parts,
): Parts {
  const from = source(key);
  const hit = cache.get(key);
  if (hit !== undefined && sameSource(hit.from, from)) return hit;
  const built = { ...build(from), from };
  cache.set(key, built);
  return built;
}

const protobufResources = new WeakMap<OtlpResource, CachedResource>();
const protobufScopes = new WeakMap<OtlpScope, CachedScope>();
const jsonResources = new WeakMap<OtlpResource, CachedResource>();
const jsonScopes = new WeakMap<OtlpScope, CachedScope>();

/** The protobuf parts of `resource`. Throws when they cannot be encoded. */
export function protobufResource(resource: OtlpResource): ResourceParts {
  return cached<OtlpResource, ResourceParts>(
    protobufResources,
    resource,
    resourceSource,
    ([attributes, schemaUrl]) => {
      const sink = new ByteSink(1024);
      sink.buf[sink.pos++] = 0x0a;
      const at = beginLength(sink);
      if (attributes) writeAttributes(sink, 0x0a, attributes as object);
      sink.ensure(2);
      sink.buf[sink.pos++] = 0x10; // dropped_attributes_count: 0, as OpenTelemetry sends it
      sink.buf[sink.pos++] = 0;
      endLength(sink, at);
      return {
        resource: sink.buf.slice(0, sink.pos),
        schemaUrl:
          typeof schemaUrl === 'string' && schemaUrl ? stringField(0x1a, schemaUrl) : EMPTY,
      };
    },
  );
}

/** The protobuf parts of `scope`. Throws when they cannot be encoded (no name, for one). */
export function protobufScope(scope: OtlpScope): ScopeParts {
  return cached<OtlpScope, ScopeParts>(protobufScopes, scope, scopeSource, (from) => {
    const [name, version, schemaUrl, attributes, dropped] = from;
    if (typeof name !== 'string') throw new TypeError('an instrumentation scope needs a name');
    const sink = new ByteSink(1024);
    sink.buf[sink.pos++] = 0x0a;
    const at = beginLength(sink);
    sink.buf[sink.pos++] = 0x0a;
    writeString(sink, name);
    if (typeof version === 'string' && version) {
      sink.ensure(1);
      sink.buf[sink.pos++] = 0x12;
      writeString(sink, version);
    }
    if (attributes) writeAttributes(sink, 0x1a, attributes as object);
    if (dropped) {
      sink.ensure(1);
      sink.buf[sink.pos++] = 0x20;
      writeVarint(sink, dropped);
    }
    endLength(sink, at);
    return {
      scope: sink.buf.slice(0, sink.pos),
      schemaUrl: typeof schemaUrl === 'string' && schemaUrl ? stringField(0x1a, schemaUrl) : EMPTY,
    };
  });
}

const NAME = ascii(',"name":');
const VERSION = ascii(',"version":');
const ATTRIBUTES = ascii(',"attributes":');
const DROPPED_ATTRIBUTES = ascii(',"droppedAttributesCount":');
const SCHEMA_URL = ascii(',"schemaUrl":');

/** The bytes `write` writes into a fresh sink (for cache entries). */
function written(write: (sink: ByteSink) => void): Uint8Array {
  const sink = new ByteSink(256);
  write(sink);
  return sink.buf.slice(0, sink.pos);
}

/** The OTLP/JSON parts of `resource`. */
export function jsonResource(resource: OtlpResource): ResourceParts {
  return cached<OtlpResource, ResourceParts>(
    jsonResources,
    resource,
    resourceSource,
    ([attributes, schemaUrl]) => {
      // OpenTelemetry leaves out an empty schema URL, and repeats it in ResourceLogs / ResourceSpans
      const schema = written((sink) => {
        if (schemaUrl) writeMember(sink, SCHEMA_URL, schemaUrl);
      });
      return {
        resource: written((sink) => {
          writeFragment(sink, ascii('{"attributes":'));
          writeAttributesJson(sink, attributes as object | undefined);
          writeFragment(sink, ascii(',"droppedAttributesCount":0'));
          writeRawJson(sink, schema);
          writeByte(sink, 0x7d);
        }),
        schemaUrl: schema,
      };
    },
  );
}

/** The OTLP/JSON parts of `scope`. */
export function jsonScope(scope: OtlpScope): ScopeParts {
  return cached<OtlpScope, ScopeParts>(jsonScopes, scope, scopeSource, (from) => {
    const [name, version, schemaUrl, attributes, dropped] = from;
    return {
      scope: written((sink) => {
        writeByte(sink, 0x7b);
        const start = sink.pos;
        writeMember(sink, NAME, name);
        writeMember(sink, VERSION, version);
        if (
          typeof attributes === 'object' &&
          attributes !== null &&
          Object.keys(attributes).length
        ) {
          writeFragment(sink, ATTRIBUTES);
          writeAttributesJson(sink, attributes);
          writeMember(sink, DROPPED_ATTRIBUTES, dropped ?? 0);
        }
        // the members were written with a leading comma each: the first one goes
        if (sink.pos > start) {
          sink.buf.copyWithin(start, start + 1, sink.pos);
          sink.pos--;
        }
        writeByte(sink, 0x7d);
      }),
      schemaUrl: written((sink) => writeMember(sink, SCHEMA_URL, schemaUrl)),
    };
  });
}

/** The key OpenTelemetry's JSON span serializer groups scopes by (not the scope object). */
export function jsonScopeKey(scope: OtlpScope): string {
  return `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`;
}
