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
 * The start of a textual body, whitespace collapsed, for an error message; the rest is
 * cancelled. `undefined` for empty or binary bodies. Never throws.
 */
export async function bodyExcerpt(response: Response): Promise<string | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!TEXTUAL.test(type)) {
    await cancel(response);
    return undefined;
  }
  const bytes = await readUpTo(response, EXCERPT_LIMIT_BYTES);
  const text = new TextDecoder().decode(bytes).replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}...` : text;
}

async function readUpTo(response: Response, limit: number): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // aborted or reset while reading: nothing more to release
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks, total).subarray(0, limit);
}

async function cancel(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
