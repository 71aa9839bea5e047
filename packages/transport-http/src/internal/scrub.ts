import { REDACTED } from '../redact-url.js';

/**
 * Values shorter than this are left alone: no credential is that short, and scrubbing `1` from
 * `?v=1` would garble every address and status in the message.
 */
const MIN_SECRET_LENGTH = 4;

/**
 * Removes known secrets (header values, URL credentials and query values) from text we did not
 * write ourselves, such as a response body excerpt or a network error message, before it goes
 * into an error. Each secret is also matched percent-encoded, as a server may echo it from a URL.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
  }
  // Longest first, so that a secret containing another is replaced whole.
  let scrubbed = text;
  for (const secret of [...variants].sort((a, b) => b.length - a.length)) {
    scrubbed = scrubbed.split(secret).join(REDACTED);
  }
  return scrubbed;
}
