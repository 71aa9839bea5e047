/**
 * True when the values `read` returns cannot be converted to OTLP `AnyValue`s: one of them reaches
 * itself (a cycle), or reading them throws (a throwing getter, a structure deeper than the stack).
 * It follows the paths the transformer's conversion follows (array elements and own enumerable
 * properties), so what it flags, the serializer would fail on too; it just finds out in a linear
 * walk instead of a stack overflow, which costs milliseconds each.
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
  if (ancestors.has(value)) return true;
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
