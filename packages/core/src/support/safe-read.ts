/**
 * Reads `target[key]` of a value we did not make (a thrown error, a record, a user's option)
 * without ever throwing: a hostile getter or Proxy trap gives `undefined`, as does a primitive.
 */
export function safeRead(target: unknown, key: PropertyKey): unknown {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null) {
    return undefined;
  }
  try {
    return (target as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}
