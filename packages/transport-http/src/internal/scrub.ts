import { REDACTED } from '../redact-url.js';

/**
 * Values shorter than this are left alone: no credential is that short, and scrubbing `1` from
 * `?v=1` would garble every address and status in the message.
 */
const MIN_SECRET_LENGTH = 4;
/**
 * The shortest start of a secret removed where text is cut. Shorter ones stay: three characters
 * of a credential tell nothing, and removing every `Bea` would garble ordinary words.
 */
const MIN_PARTIAL_LENGTH = 4;

/** An auth scheme and its credential: `Bearer abc`, `Basic dXNlcjpwdw==`, `Token abc`. */
const SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]+(\S.*)$/s;
/** `name=value` or `name="value"` auth parameters (Digest, AWS SigV4's `Signature=`). */
const AUTH_PARAM = /[!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:"([^"]*)"|([^\s,"]*))/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Printable Latin-1: what a decoded `user:password` is made of. */
const PRINTABLE = /^[ -~\u00a0-\u00ff]*$/;

/**
 * Every form in which text a server wrote may hold `secret`, whichever way it echoes it: whole,
 * trimmed (as `fetch` sends it), whitespace collapsed (as an excerpt shows it), the credential
 * after an auth scheme (a server quotes the token, not `Bearer`), the user and password inside
 * a Basic credential, the values of auth parameters; each of them also percent-encoded,
 * form-encoded and JSON-escaped.
 */
export function secretForms(secret: string): string[] {
  const trimmed = secret.trim();
  const plain = new Set([secret, trimmed, trimmed.replace(/\s+/g, ' ')]);
  const scheme = SCHEME.exec(trimmed);
  if (scheme !== null) {
    const [, name = '', credential = ''] = scheme;
    const bare = credential.trim();
    plain.add(bare);
    if (name.toLowerCase() === 'basic') {
      for (const part of basicParts(bare)) plain.add(part);
    }
    for (const param of bare.matchAll(AUTH_PARAM)) plain.add(param[1] ?? param[2] ?? '');
  }
  const forms = new Set<string>();
  for (const form of plain) {
    if (form.length < MIN_SECRET_LENGTH) continue;
    const percent = encodeURIComponent(form);
    const json = JSON.stringify(form).slice(1, -1);
    forms.add(form).add(percent).add(percent.replaceAll('%20', '+'));
    forms.add(json).add(json.replaceAll('/', '\\/'));
  }
  return [...forms];
}

/** `user:password`, `user` and `password` of a Basic credential; none if it is not one. */
function basicParts(credential: string): string[] {
  if (!BASE64.test(credential)) return [];
  const decoded = Buffer.from(credential, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  // Not a `user:pass` pair, or not text: only the credential itself is a secret then.
  if (colon < 0 || !PRINTABLE.test(decoded)) return [];
  return [decoded, decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** The forms of every secret, at least {@link MIN_SECRET_LENGTH} long, longest first. */
function formsOf(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
    }
  }
  // Longest first, so that a secret containing another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Removes known secrets (header values, URL credentials and query values) from text we did not
 * write ourselves, such as a response body excerpt or a network error message, before it goes
 * into an error; see {@link secretForms} for the forms matched.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  return replaceAll(text, formsOf(secrets));
}

function replaceAll(text: string, forms: readonly string[]): string {
  let scrubbed = text;
  for (const form of forms) {
    if (scrubbed.includes(form)) scrubbed = scrubbed.split(form).join(REDACTED);
  }
  return scrubbed;
}

/**
 * The start of `text` for an error message, at most `maxChars` characters (then `...`), with
 * whitespace collapsed and every secret removed. The whole text is scrubbed before it is cut,
 * so a secret across the cut is replaced whole; a start of a secret left at the end (by the cut,
 * or already in `text` when `truncated`, the end of what was read) is replaced too. `undefined`
 * when nothing but whitespace is left.
 */
export function scrubbedExcerpt(
  text: string,
  maxChars: number,
  secrets: Iterable<string>,
  truncated = false,
): string | undefined {
  const forms = formsOf(secrets);
  let scrubbed = replaceAll(text, forms);
  if (truncated) scrubbed = replacePartialSecret(scrubbed, forms);
  // Collapsing may bring forms together that only matched with the original whitespace.
  scrubbed = replaceAll(scrubbed.replace(/\s+/g, ' ').trim(), forms);
  if (scrubbed === '') return undefined;
  if (scrubbed.length <= maxChars && !truncated) return scrubbed;
  const cut = completeMarker(replacePartialSecret(scrubbed.slice(0, maxChars), forms));
  return `${cut}...`;
}

/** A `[REDACTED]` the cut went through is shown whole, so it still reads as one. */
function completeMarker(text: string): string {
  const open = text.lastIndexOf('[', text.length - 1);
  if (open < 0 || open < text.length - REDACTED.length) return text;
  const tail = text.slice(open);
  return tail !== REDACTED && REDACTED.startsWith(tail)
    ? `${text.slice(0, open)}${REDACTED}`
    : text;
}

/**
 * Replaces the longest start of any form (at least {@link MIN_PARTIAL_LENGTH} characters) that
 * `text` ends with: the first characters of a secret cut off there.
 */
function replacePartialSecret(text: string, forms: readonly string[]): string {
  let longest = 0;
  for (const form of forms) {
    const from = Math.max(0, text.length - (form.length - 1));
    for (let at = from; at <= text.length - Math.max(MIN_PARTIAL_LENGTH, longest + 1); at++) {
      if (text.charCodeAt(at) === form.charCodeAt(0) && form.startsWith(text.slice(at))) {
        longest = text.length - at;
        break;
      }
    }
  }
  return longest === 0 ? text : `${text.slice(0, text.length - longest)}${REDACTED}`;
}
