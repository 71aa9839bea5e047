import { scrubbedExcerpt } from './scrub.js';

/** How much of a successful response's body is read, so the connection can be reused. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
/** How much of a failed response's body is read for the error message. */
const EXCERPT_LIMIT_BYTES = 1024;
/** How many characters of it the error keeps. */
const EXCERPT_CHARS = 256;
/** Bodies worth quoting in an error: text, JSON and XML, not protobuf or HTML pages. */
const TEXTUAL = /^(text\/plain|application\/(?:[\w.+-]+\+)?(?:json|xml))\b/i;

/**
 * Reads and discards a body (up to a limit), then cancels what is left. Reading a small body to
 * its end lets the connection be reused; cancelling releases it. Never throws: the status has
 * already decided the outcome.
 */
export async function discardBody(response: Response): Promise<void> {
  await readUpTo(response, DRAIN_LIMIT_BYTES);
}

/**
 * The start of a textual body for an error message, scrubbed of `secrets` before it is cut (see
 * `scrubbedExcerpt`); the rest is cancelled. `undefined` for empty or binary bodies. Never throws.
 */
export async function bodyExcerpt(
  response: Response,
  secrets: readonly string[],
): Promise<string | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!TEXTUAL.test(type)) {
    await cancel(response);
    return undefined;
  }
  const { bytes, truncated } = await readUpTo(response, EXCERPT_LIMIT_BYTES);
  return excerptOf(bytes, truncated, secrets);
}

/**
 * The excerpt of the first bytes of a body: decoded as UTF-8 (a character cut at the end of what
 * was read is left out), then scrubbed and cut.
 */
export function excerptOf(
  bytes: Uint8Array,
  truncated: boolean,
  secrets: readonly string[],
): string | undefined {
  const text = new TextDecoder().decode(bytes, { stream: truncated });
  return scrubbedExcerpt(text, EXCERPT_CHARS, secrets, truncated);
}

/** Up to `limit` bytes of the body; `truncated` when there was more (or may have been). */
async function readUpTo(
  response: Response,
  limit: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const body = response.body;
  if (body === null) return { bytes: new Uint8Array(0), truncated: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  const reader = body.getReader();
  try {
    while (true) {
      if (total >= limit) {
        truncated = true;
        break;
      }
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // aborted or reset while reading: what arrived may end inside a secret
    truncated = true;
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { bytes: Buffer.concat(chunks, total).subarray(0, limit), truncated };
}

async function cancel(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
