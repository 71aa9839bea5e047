import { inspect } from 'node:util';

// The credentials the soak configures. The server checks that every request carries them (so a
// sweep that finds nothing is not vacuous) and echoes them back in every error body.

/** The bearer token of the `authorization` header. */
export const TOKEN = 's3cr3t-soak-token-8f1c';
/** The `x-api-key` header. */
export const API_KEY = 'k3y-soak-api-77aa';
/** URL credentials (`user:pass@`), overridden on the wire by the `authorization` header. */
export const URL_USER = 'soak-admin';
export const URL_PASSWORD = 'p4ss-soak-hunter2';
/** The `api_key` query parameter. */
export const QUERY_KEY = 'q-soak-query-key-31';

/** Every string that must never appear in an error, a diag line or a stats object. */
export const SECRETS: readonly string[] = Object.freeze([
  TOKEN,
  API_KEY,
  URL_PASSWORD,
  QUERY_KEY,
  `${URL_USER}:`,
  Buffer.from(`${URL_USER}:${URL_PASSWORD}`).toString('base64'),
  encodeURIComponent(QUERY_KEY),
]);

/** `base` with the URL credentials and the query key. */
export function secretUrl(base: string): string {
  const url = new URL(base);
  url.username = URL_USER;
  url.password = URL_PASSWORD;
  url.pathname = '/v1/logs';
  url.search = `?api_key=${QUERY_KEY}&dataset=soak`;
  return url.href;
}

/**
 * Everything an error exposes: `inspect` with hidden properties, its string form, and for each
 * error of its `cause` chain its message, stack and own enumerable properties.
 */
export function exposedText(value: unknown): string {
  const parts = [inspect(value, { depth: 10, showHidden: true }), safeString(value)];
  let current: unknown = value;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    parts.push(current.message, current.stack ?? '', safeJson(Object.entries(current)));
    current = current.cause;
  }
  return parts.join('\n');
}

/** Counts what was swept and keeps the first leaks found, without holding what was swept. */
export class SecretSweep {
  errors = 0;
  diagLines = 0;
  statsObjects = 0;
  texts = 0;
  leaks = 0;
  readonly samples: string[] = [];

  /** Sweeps an error (or any thrown value) with its cause chain. */
  error(value: unknown): void {
    this.errors++;
    this.#check('error', exposedText(value));
  }

  /** Sweeps a diag line and its arguments, fully inspected. */
  diag(message: string, args: readonly unknown[]): void {
    this.diagLines++;
    this.#check('diag', [message, ...args.map(exposedText)].join('\n'));
  }

  /** Sweeps a stats object as it would be logged or exported. */
  stats(stats: unknown): void {
    this.statsObjects++;
    this.#check('stats', `${safeJson(stats)}\n${inspect(stats, { depth: 10 })}`);
  }

  /** Sweeps any other text (the summary the soak prints). */
  text(text: string): void {
    this.texts++;
    this.#check('text', text);
  }

  /**
   * Whether a fresh sweep catches secrets planted where they would hide: deep in a cause chain,
   * in an own property of an error, percent-encoded in a stats object. A sweep that cannot find
   * them proves nothing by finding nothing.
   */
  static selfTest(): boolean {
    const probe = new SecretSweep();
    const inner = Object.assign(new Error('inner'), { header: `Bearer ${TOKEN}` });
    probe.error(new Error('outer', { cause: new Error('middle', { cause: inner }) }));
    probe.diag('a line', [{ nested: { deeper: [API_KEY] } }]);
    probe.stats({ url: `/v1/logs?api_key=${encodeURIComponent(QUERY_KEY)}` });
    probe.text(`https://${URL_USER}:${URL_PASSWORD}@example.com`);
    return probe.leaks >= 4 && probe.samples.every((sample) => !sample.includes(TOKEN));
  }

  #check(kind: string, text: string): void {
    for (const secret of SECRETS) {
      const at = text.indexOf(secret);
      if (at < 0) continue;
      this.leaks++;
      // Never print the secret itself, even when reporting that it leaked.
      if (this.samples.length < 5) {
        this.samples.push(`${kind}: ...${text.slice(Math.max(0, at - 60), at)}<SECRET>...`);
      }
    }
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '';
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
