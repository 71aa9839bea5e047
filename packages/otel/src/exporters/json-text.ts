// JSON text of the values a record carries, faster than JSON.stringify for what records hold
// most (flat maps of strings, numbers and booleans) and identical to it for everything: any
// value this does not handle itself (nested objects and arrays, toJSON, BigInt) goes to
// JSON.stringify. Object keys are those JSON.stringify writes (own enumerable string keys, in
// their order), and keys are escaped once and remembered.

/** Characters a JSON string must escape: quote, backslash, controls, and any surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `"key":` by key, for the keys attributes repeat in every record; bounded. */
const KEY_TEXTS = new Map<string, string>();
const MAX_KEYS = 4096;

function keyText(key: string): string {
  let text = KEY_TEXTS.get(key);
  if (text === undefined) {
    text = `${stringText(key)}:`;
    if (KEY_TEXTS.size < MAX_KEYS) KEY_TEXTS.set(key, text);
  }
  return text;
}

/** JSON text of a string. */
export function stringText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * JSON text of `value` as JSON.stringify writes it, `undefined` where it leaves the value out
 * (undefined, a function, a symbol). Throws where JSON.stringify throws.
 */
export function valueText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringText(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return isPlainMap(value) ? mapText(value as Record<string, unknown>) : JSON.stringify(value);
    default:
      return JSON.stringify(value); // undefined, function, symbol, bigint (throws)
  }
}

/** A plain object without toJSON: its members can be written one by one. */
function isPlainMap(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return (
    (prototype === Object.prototype || prototype === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** JSON text of a plain object, member by member; nested objects go to JSON.stringify. */
function mapText(map: Record<string, unknown>): string {
  let out = '{';
  for (const key of Object.keys(map)) {
    const member = map[key];
    let text: string | undefined;
    switch (typeof member) {
      case 'string':
        text = stringText(member);
        break;
      case 'number':
        text = Number.isFinite(member) ? String(member) : 'null';
        break;
      case 'boolean':
        text = member ? 'true' : 'false';
        break;
      default:
        text = member === null ? 'null' : JSON.stringify(member);
    }
    if (text === undefined) continue;
    out += out.length === 1 ? `${keyText(key)}${text}` : `,${keyText(key)}${text}`;
  }
  return `${out}}`;
}
