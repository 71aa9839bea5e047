import { safeRead } from '@telemetry-reporter/core/internal';
import type { ExceptionBody, ExceptionCause } from './exception-body.js';

/** How many causes of an error are recorded; a longer chain ends with a note. */
export const MAX_EXCEPTION_CAUSES = 8;

/** What `logException` records about a thrown value. */
export interface ExceptionRecordParts {
  /** `exception.type`, `exception.message`, `exception.stacktrace`. */
  readonly attributes: Record<string, string>;
  readonly body: ExceptionBody;
}

interface Described extends ExceptionCause {
  readonly stack: string | undefined;
}

/**
 * Describes a thrown value with plain strings only, never the value itself: a circular property,
 * a BigInt or a throwing getter on the error cannot make the record unencodable, and reading
 * the error cannot throw. The `cause` chain is followed at most {@link MAX_EXCEPTION_CAUSES} deep
 * and stops where it loops back.
 */
export function describeException(error: unknown): ExceptionRecordParts {
  const top = describe(error);
  const causes: ExceptionCause[] = [];
  let stacktrace = top.stack ?? `${top.type}: ${top.message}`;
  const seen = new Set<unknown>([error]);
  let current = safeRead(error, 'cause');
  let truncated = false;
  while (current !== undefined && current !== null) {
    if (seen.has(current)) {
      const loop = describe(current);
      stacktrace += `\nCaused by: [circular reference to ${loop.type}: ${loop.message}]`;
      break;
    }
    if (causes.length === MAX_EXCEPTION_CAUSES) {
      truncated = true;
      stacktrace += '\nCaused by: [further causes omitted]';
      break;
    }
    seen.add(current);
    const cause = describe(current);
    causes.push(withoutStack(cause));
    // Java's and pino's form: every backend shows the stacktrace, few know a structured chain.
    stacktrace += `\nCaused by: ${cause.stack ?? `${cause.type}: ${cause.message}`}`;
    current = safeRead(current, 'cause');
  }
  const body: ExceptionBody = { ...withoutStack(top) };
  if (causes.length > 0) body.causes = causes;
  if (truncated) body.causesTruncated = true;
  return {
    attributes: {
      'exception.type': top.type,
      'exception.message': top.message,
      'exception.stacktrace': stacktrace,
    },
    body,
  };
}

function describe(value: unknown): Described {
  if (typeof value !== 'object' && typeof value !== 'function') {
    return { type: typeof value, message: safeString(value), stack: undefined };
  }
  if (value === null) return { type: 'null', message: 'null', stack: undefined };
  const name = safeRead(value, 'name');
  const message = safeRead(value, 'message');
  const stack = safeRead(value, 'stack');
  const code = safeRead(value, 'code');
  const described: Described = {
    type: typeof name === 'string' && name !== '' ? name : constructorName(value),
    message: typeof message === 'string' ? message : safeString(value),
    stack: typeof stack === 'string' && stack !== '' ? stack : undefined,
  };
  if (typeof code === 'string' || typeof code === 'number') described.code = String(code);
  return described;
}

function withoutStack(described: Described): ExceptionCause {
  const { stack: _stack, ...rest } = described;
  return rest;
}

function constructorName(value: object): string {
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'Object';
  } catch {
    return 'Object';
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[a value that cannot be printed]';
  }
}
