import type { PayloadPool } from '@telemetry-reporter/core/internal';
import { putVarint32, varintSize } from './protobuf-wire.js';
import type { ResourceGroup } from './request-writer.js';

// The outer layers of an export request, written once per batch around the records: protobuf
// `ResourceLogs { resource, scope_logs: ScopeLogs { scope, log_records, schema_url },
// schema_url }` (the same for spans), or the same in OTLP/JSON. The payload is a buffer of exactly
// its size from the encoder's pool, copied out, so the writer's buffer can be reused at once.

/** Copies `[start, end)` of `source` to `out` at `at`; returns the end. */
function copyRange(
  out: Uint8Array,
  at: number,
  source: Buffer,
  start: number,
  end: number,
): number {
  return at + source.copy(out, at, start, end);
}

function copy(out: Uint8Array, at: number, bytes: Uint8Array): number {
  out.set(bytes, at);
  return at + bytes.length;
}

/** The protobuf request (`ExportLogsServiceRequest` / `ExportTraceServiceRequest`). */
export function assembleProtobuf(
  resources: readonly ResourceGroup[],
  source: Buffer,
  payloads: PayloadPool,
): Uint8Array {
  let total = 0;
  for (const resource of resources) {
    let size = resource.parts.resource.length + resource.parts.schemaUrl.length;
    for (const group of resource.groups) {
      group.size = group.parts.scope.length + group.bytes + group.parts.schemaUrl.length;
      size += 1 + varintSize(group.size) + group.size;
    }
    resource.size = size;
    total += 1 + varintSize(size) + size;
  }
  // Every byte is written below, so the memory need not be zeroed first.
  const out = payloads.take(total);
  let pos = 0;
  for (const resource of resources) {
    out[pos++] = 0x0a; // field 1: resource_logs / resource_spans
    pos = putVarint32(out, pos, resource.size);
    pos = copy(out, pos, resource.parts.resource);
    for (const group of resource.groups) {
      out[pos++] = 0x12; // field 2: scope_logs / scope_spans
      pos = putVarint32(out, pos, group.size);
      pos = copy(out, pos, group.parts.scope);
      const runs = group.runs;
      for (let i = 0; i < runs.length; i += 2) {
        pos = copyRange(out, pos, source, runs[i] as number, runs[i + 1] as number);
      }
      pos = copy(out, pos, group.parts.schemaUrl);
    }
    pos = copy(out, pos, resource.parts.schemaUrl);
  }
  return checked(out, pos);
}

/** The JSON field names of one signal's request: resources, scopes, records. */
export type JsonNames = readonly [string, string, string];

/**
 * An assembler of the OTLP/JSON request of a signal. Each record in the sink starts with a
 * comma; the first of each group is dropped.
 */
export function jsonAssembler(
  names: JsonNames,
): (resources: readonly ResourceGroup[], source: Buffer, payloads: PayloadPool) => Uint8Array {
  const [resourcesName, scopesName, recordsName] = names;
  const open = Buffer.from(`{"${resourcesName}":[`);
  const resourceOpen = Buffer.from('{"resource":');
  const scopesOpen = Buffer.from(`,"${scopesName}":[`);
  const scopeOpen = Buffer.from('{"scope":');
  const recordsOpen = Buffer.from(`,"${recordsName}":[`);
  return (resources, source, payloads) => {
    let total = open.length + 2; // ']}'
    for (const resource of resources) {
      total += resourceOpen.length + resource.parts.resource.length + scopesOpen.length;
      total += 2 + resource.parts.schemaUrl.length; // ']' ... '}'
      for (const group of resource.groups) {
        total += scopeOpen.length + group.parts.scope.length + recordsOpen.length;
        total += group.bytes - 1 + 1 + group.parts.schemaUrl.length + 1; // records, ']', '}'
      }
      total += resource.groups.length - 1; // commas between scope groups
    }
    total += resources.length - 1; // commas between resources
    const out = payloads.take(total);
    let pos = copy(out, 0, open);
    resources.forEach((resource, r) => {
      if (r > 0) out[pos++] = 0x2c;
      pos = copy(out, pos, resourceOpen);
      pos = copy(out, pos, resource.parts.resource);
      pos = copy(out, pos, scopesOpen);
      resource.groups.forEach((group, g) => {
        if (g > 0) out[pos++] = 0x2c;
        pos = copy(out, pos, scopeOpen);
        pos = copy(out, pos, group.parts.scope);
        pos = copy(out, pos, recordsOpen);
        const runs = group.runs;
        for (let i = 0; i < runs.length; i += 2) {
          const start = (runs[i] as number) + (i === 0 ? 1 : 0); // the first record's comma
          pos = copyRange(out, pos, source, start, runs[i + 1] as number);
        }
        out[pos++] = 0x5d; // ]
        pos = copy(out, pos, group.parts.schemaUrl);
        out[pos++] = 0x7d; // }
      });
      out[pos++] = 0x5d;
      pos = copy(out, pos, resource.parts.schemaUrl);
      out[pos++] = 0x7d;
    });
    out[pos++] = 0x5d;
    out[pos++] = 0x7d;
    return checked(out, pos);
  };
}

/** The buffer, after checking that exactly all of it was written (it is not zeroed). */
function checked(out: Buffer, written: number): Uint8Array {
  if (written !== out.length) {
    throw new Error(`OTLP request assembly wrote ${written} of ${out.length} bytes`);
  }
  return out;
}
