/** How deep a message is copied; deeper objects become a description such as `'[Object]'`. */
export const SNAPSHOT_MAX_DEPTH = 4;
/** How many values (array items and object properties) a message copy holds at most. */
export const SNAPSHOT_MAX_VALUES = 100;

interface Budget {
  left: number;
}

/**
 * A JSON-friendly copy of a diagnostics_channel message, made with bounded work (at most
 * {@link SNAPSHOT_MAX_VALUES} values, {@link SNAPSHOT_MAX_DEPTH} levels) so that it is O(1) on
 * the publisher's stack, and taken at once because a publisher may reuse or mutate the message
 * after `publish()` returns while the record is encoded later.
 *
 * - Strings, finite numbers, booleans and `null` are kept; `undefined` is left out; other
 *   numbers, BigInts and symbols become strings; a function becomes `'[Function name]'`.
 * - Plain objects and arrays are copied; past the depth they become `'[Object]'` /
 *   `'[Array(n)]'`, past the value budget the rest is summarised as `'[n more]'` / `'…'`.
 * - Anything else (a class instance such as a `ClientRequest`, a `Map`): at the top, a shallow
 *   summary of its own enumerable properties; nested, a description such as `'[ClientRequest]'`.
 *   A `Date` becomes its ISO string, an `Error` `'Name: message'`, a byte array `'[Buffer(n)]'`.
 * - Keys are copied as they are, `__proto__` included (as an own key, never as the prototype).
 */
export function snapshotMessage(message: unknown): unknown {
  return copy(message, 0, { left: SNAPSHOT_MAX_VALUES });
}

function copy(value: unknown, depth: number, budget: Budget): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  }
  if (object instanceof Error) return `${object.name}: ${object.message}`;
  if (ArrayBuffer.isView(object)) return `[${typeName(object)}(${object.byteLength})]`;
  if (Array.isArray(object)) {
    if (depth >= SNAPSHOT_MAX_DEPTH) return `[Array(${object.length})]`;
    const out: unknown[] = [];
    for (let i = 0; i < object.length; i++) {
      if (budget.left-- <= 0) {
        out.push(`[${object.length - i} more]`);
        break;
      }
      out.push(copy(object[i], depth + 1, budget));
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(object);
  const plain = proto === Object.prototype || proto === null;
  if ((!plain && depth > 0) || depth >= SNAPSHOT_MAX_DEPTH) return `[${typeName(object)}]`;
  const out: Record<string, unknown> = {};
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (budget.left-- <= 0) {
      out['…'] = 'more properties left out';
      break;
    }
    const value = copy((object as Record<string, unknown>)[key], depth + 1, budget);
    // An own `__proto__` key (JSON.parse makes them) assigned with `=` would set the copy's
    // prototype instead: the key would vanish and its value be inherited by the body.
    if (key === '__proto__') Object.defineProperty(out, key, { ...OWN, value });
    else out[key] = value;
  }
  return out;
}

const OWN = Object.freeze({ enumerable: true, writable: true, configurable: true });

function typeName(object: object): string {
  const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}
