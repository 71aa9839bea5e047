/** What replaces a secret in URLs and messages. */
export const REDACTED = '[REDACTED]';

/**
 * Renders `url` for an error message or a log line without its secrets: credentials
 * (`user:pass@`) become `[REDACTED]@`, every query value becomes `[REDACTED]` (parameter names
 * stay) and the fragment is dropped. Every query value, not a list of names: `api_key`, `token`
 * and `sig` are easy to list, but `X-Amz-Signature`, `sv` or `code` are not. A string that does
 * not parse as a URL is redacted by the same rules, textually. Never throws.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    return redactUnparsed(String(url));
  }
  // Without a host, credentials are not recognised as such ('user:pass@host' parses as a URL
  // of scheme 'user:'): fall back to the textual rules.
  if (parsed.host === '') return redactUnparsed(parsed.href);
  const hadCredentials = parsed.username !== '' || parsed.password !== '';
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  let query = '';
  if (parsed.search !== '') {
    const names = [...parsed.searchParams.keys()];
    query = `?${names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&')}`;
    parsed.search = '';
  }
  const href = parsed.href;
  const withCredentials = hadCredentials
    ? href.replace('//', `//${REDACTED}@`) // the first '//' is the authority's, after the scheme
    : href;
  return `${withCredentials}${query}`;
}

/** The same rules on text that is not a URL (a typo in the configuration, say). */
function redactUnparsed(text: string): string {
  const withoutFragment = text.split('#', 1)[0] ?? '';
  const [beforeQuery = '', query] = splitOnce(withoutFragment, '?');
  // Anything between the scheme's '//' (or the start) and the last '@' of the authority.
  const withoutCredentials = beforeQuery.replace(/^([^/]*\/\/)?[^/]*@/, `$1${REDACTED}@`);
  if (query === undefined) return withoutCredentials;
  const names = query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${splitOnce(pair, '=')[0]}=${REDACTED}`);
  return `${withoutCredentials}?${names.join('&')}`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
