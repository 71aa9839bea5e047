import { scrubbedExcerpt } from '../internal/scrub.js';
import type { IncomingResponse } from './http-client.js';

/**
 * How much of a response body is read so that its connection can be reused; a longer body is
 * cut and its connection closed instead.
 */
export const DRAIN_LIMIT_BYTES: number = 64 * 1024;
/** How much of a failed response's body is read for the error message. */
const EXCERPT_LIMIT_BYTES = 1024;
/** How many characters of it the error keeps. */
const EXCERPT_CHARS = 256;
/** Bodies worth quoting in an error: text, JSON and XML, not protobuf or HTML pages. */
const TEXTUAL = /^(text\/plain|application\/(?:[\w.+-]+\+)?(?:json|xml))\b/i;

/**
 * The start of a textual body for an error message, scrubbed of `secrets` before it is cut (see
 * `scrubbedExcerpt`); the connection is released either way. `undefined` for empty or binary
 * bodies. Never throws.
 */
export async function bodyExcerpt(
  response: IncomingResponse,
  secrets: readonly string[],
): Promise<string | undefined> {
  if (!TEXTUAL.test(response.header('content-type') ?? '')) {
    await response.discard();
    return undefined;
  }
  const { bytes, truncated } = await response.read(EXCERPT_LIMIT_BYTES);
  // A character cut at the end of what was read is left out rather than shown as U+FFFD.
  const text = new TextDecoder().decode(bytes, { stream: truncated });
  return scrubbedExcerpt(text, EXCERPT_CHARS, secrets, truncated);
}
