import { inspect } from 'node:util';

/**
 * The shortest piece of a secret a sweep looks for. Secrets under test are at least twice as
 * long and look random, so eight characters of one never turn up by chance in a message, a
 * stack or a path, while any real leak (a secret's start left at a cut, a half-scrubbed echo)
 * is caught.
 */
export const MIN_FRAGMENT_LENGTH = 8;

/** Everything an error exposes: message, stack, own properties, and the same for each cause. */
export function exposed(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true }), String(error)];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(Object.entries(e)));
  }
  return parts.join('\n');
}

/** Every piece of `secrets`, at least {@link MIN_FRAGMENT_LENGTH} long, found in `text`. */
export function leakedFragments(text: string, secrets: readonly string[]): string[] {
  const leaked = new Set<string>();
  for (const secret of secrets) {
    for (let at = 0; at + MIN_FRAGMENT_LENGTH <= secret.length; at++) {
      const fragment = secret.slice(at, at + MIN_FRAGMENT_LENGTH);
      if (text.includes(fragment)) leaked.add(fragment);
    }
  }
  return [...leaked];
}

/** The longest start of `secret` (at least `min` characters) that `text` ends with, or ''. */
export function trailingStartOf(text: string, secret: string, min = 4): string {
  for (let length = secret.length; length >= min; length--) {
    const start = secret.slice(0, length);
    if (text.endsWith(start)) return start;
  }
  return '';
}
