import { describeValue } from '@telemetry-reporter/core/internal';

/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters no header value may hold: CR, LF, NUL, and anything beyond Latin-1. */
const INVALID_VALUE = /[\r\n\0\u0100-\uffff]/;
/** Headers that describe the body as the transport sends it; a user value would contradict it. */
const MANAGED = new Set([
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'host',
  'connection',
]);

/**
 * Validates user headers and returns them with lower-case names. Throws a `TypeError` naming
 * `option` and the offending header; a header's value is never echoed, it may be a secret.
 */
export function checkHeaders(option: string, headers: unknown): Record<string, string> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new TypeError(
      `${option} must be an object of header names to string values${
        option === 'headers' ? ', or a function returning one' : ''
      }, got ${describeValue(headers)}`,
    );
  }
  // A `Headers` or a `Map` has no own enumerable entries: read as an object it would send none.
  const prototype: unknown = Object.getPrototypeOf(headers);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError(
      `${option} must be an object of header names to string values${
        option === 'headers' ? ', or a function returning one' : ''
      }, got ${describeInstance(prototype)}`,
    );
  }
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) {
      throw new TypeError(`${option} has an invalid header name ${describeValue(name)}`);
    }
    const lower = name.toLowerCase();
    if (MANAGED.has(lower)) {
      throw new TypeError(`${option}['${name}'] is set by the transport itself; remove it`);
    }
    if (Object.hasOwn(checked, lower)) {
      throw new TypeError(
        `${option} has the header '${lower}' twice (header names are case-insensitive)`,
      );
    }
    if (typeof value !== 'string' || INVALID_VALUE.test(value)) {
      // The value may be a token: say what is wrong with it, never what it is.
      throw new TypeError(
        `${option}['${name}'] must be a string of Latin-1 characters without CR, LF or NUL, got ${
          typeof value === 'string'
            ? 'a string with a forbidden character'
            : `a value of type ${typeOf(value)}`
        }`,
      );
    }
    checked[lower] = value;
  }
  return checked;
}

/**
 * `value` when it may be sent as a header value, else undefined: for values that come with a
 * payload (its encoder's `contentType`), where a bad one must not fail the request.
 */
export function validHeaderValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && !INVALID_VALUE.test(value)
    ? value
    : undefined;
}

/** Validates a non-secret header option (`contentType`, `userAgent`), echoing a bad value. */
export function checkHeaderValueOption(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || INVALID_VALUE.test(value)) {
    throw new TypeError(
      `${option} must be a non-empty string of Latin-1 characters without CR, LF or NUL, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** `a Headers`, `a Map`: the class of an object that is not a plain one. */
function describeInstance(prototype: unknown): string {
  const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a prototype';
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
