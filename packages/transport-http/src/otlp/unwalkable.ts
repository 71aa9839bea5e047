/**
 * How deep a value may nest before the cheap check flags it. The transformer converts values
 * recursively, and its serializers overflow the stack well before 10,000 levels (OTLP/JSON from
 * about 800, protobuf from about 3,000, fewer on a deeper stack); found only by bisection, each
 * such record costs several failed serializer calls of milliseconds each, and enough of them
 * exhaust the bisection budget, which then drops good records in whole ranges. Below the JSON
 * limit, and deeper than any backend should be asked to parse (protobuf parsers stop at 100 or
 * 10,000 message levels; each level here is three).
 */
export const MAX_WALK_DEPTH = 512;

/**
 * True when the values `read` returns cannot be converted to OTLP `AnyValue`s: one of them reaches
 * itself (a cycle), nests deeper than {@link MAX_WALK_DEPTH}, or reading them throws (a throwing
 * getter, a proxy). It follows the paths the transformer's conversion follows (array elements and
 * own enumerable properties), so what it flags, the serializer fails on too, or would be asked
 * to nest absurdly deep; it just finds out in a bounded linear walk instead of a stack overflow,
 * which costs milliseconds each. Consulted only once a batch has failed to serialise.
 */
export function isUnwalkable(read: () => readonly unknown[]): boolean {
  try {
    const ancestors = new Set<object>();
    return read().some((value) => reachesAncestor(value, ancestors));
  } catch {
    return true;
  }
}

function reachesAncestor(value: unknown, ancestors: Set<object>): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (ancestors.has(value) || ancestors.size >= MAX_WALK_DEPTH) return true;
  ancestors.add(value);
  const children = Array.isArray(value)
    ? value
    : Object.keys(value).map((key) => (value as Record<string, unknown>)[key]);
  for (const child of children) {
    if (reachesAncestor(child, ancestors)) return true;
  }
  // Only ancestors count: the same object twice in siblings is shared, not circular.
  ancestors.delete(value);
  return false;
}
