/** What a failed request tells about the failure, without keeping the error itself. */
export interface NetworkFailure {
  /** The system or undici code found in the cause chain (`ECONNREFUSED`, `UND_ERR_SOCKET`). */
  readonly code: string | undefined;
  /** The innermost message (`connect ECONNREFUSED 127.0.0.1:4318`); not yet scrubbed. */
  readonly message: string;
  /**
   * True when the request could not even be built (a `TypeError` with no cause): retrying
   * the same request would fail the same way.
   */
  readonly malformedRequest: boolean;
}

/** How deep a cause chain is followed; undici nests two or three levels. */
const MAX_DEPTH = 8;

/**
 * Summarises what the request (or the user's headers function) threw, so that the error itself,
 * and whatever secret its properties hold, is never attached. `node:http` errors carry the
 * system `code` themselves (`socket hang up` is ECONNRESET); Node's fetch rejects with
 * `TypeError('fetch failed')` whose `cause` is the socket or DNS error carrying a `code`;
 * happy-eyeballs failures nest an `AggregateError`. Never throws, whatever was thrown.
 */
export function describeNetworkFailure(error: unknown): NetworkFailure {
  let code: string | undefined;
  let message = '';
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && isObject(current); depth++) {
    const found = read(current, 'code');
    if (code === undefined && typeof found === 'string' && found !== '') code = found;
    const text = read(current, 'message');
    if (typeof text === 'string' && text !== '') message = text;
    const errors = read(current, 'errors');
    const next = read(current, 'cause') ?? (Array.isArray(errors) ? errors[0] : undefined);
    current = next;
  }
  if (message === '') message = describePrimitive(error);
  return {
    code,
    message,
    malformedRequest: error instanceof TypeError && read(error, 'cause') === undefined,
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Reads a property of a foreign object; a throwing getter reads as `undefined`. */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function describePrimitive(value: unknown): string {
  if (isObject(value)) return 'unknown error';
  return typeof value === 'string' ? value : typeof value;
}
