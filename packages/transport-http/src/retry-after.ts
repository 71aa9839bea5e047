/**
 * Parses a `Retry-After` header: delay-seconds (`"120"`) or an HTTP date, as milliseconds from
 * `now`. The three date forms of RFC 9110 are read, always as GMT (UTC), whatever the zone of
 * the process: IMF-fixdate (`"Wed, 21 Oct 2015 07:28:00 GMT"`), the obsolete RFC 850 form
 * (`"Wednesday, 21-Oct-15 07:28:00 GMT"`) and asctime (`"Wed Oct 21 07:28:00 2015"`, which has
 * no zone at all). A date in the past gives 0; a missing or malformed value gives `undefined`.
 */
export function parseRetryAfterMillis(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  const at = parseHttpDate(text, now);
  return at === undefined ? undefined : Math.max(0, at - now);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// Matched field by field rather than handed to Date.parse: Date.parse reads a date without a zone
// (asctime, or a sender that left out "GMT") as local time, hours off on a server not set to UTC.
/** IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` and RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`. */
const DAY_FIRST =
  /^[a-z]{3,9}, (\d{1,2})[ -]([a-z]{3})[ -](\d{4}|\d{2}) (\d{2}):(\d{2}):(\d{2})(?: (?:gmt|utc))?$/i;
/** asctime `Sun Nov  6 08:49:37 1994`. */
const ASCTIME = /^[a-z]{3} ([a-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/** An HTTP date as epoch milliseconds, read as GMT; `undefined` when it is not one. */
function parseHttpDate(text: string, now: number): number | undefined {
  const day = DAY_FIRST.exec(text);
  if (day !== null) {
    const [, date, month, year, hours, minutes, seconds] = day;
    return utc(fullYear(year as string, now), month, date, hours, minutes, seconds);
  }
  const asc = ASCTIME.exec(text);
  if (asc !== null) {
    const [, month, date, hours, minutes, seconds, year] = asc;
    return utc(Number(year), month, date, hours, minutes, seconds);
  }
  return undefined;
}

/**
 * RFC 9110: a two-digit year that would lie more than 50 years in the future is the most recent
 * past year with those digits.
 */
function fullYear(year: string, now: number): number {
  if (year.length === 4) return Number(year);
  const current = new Date(now).getUTCFullYear();
  let full = current - (current % 100) + Number(year);
  if (full > current + 50) full -= 100;
  return full;
}

function utc(
  year: number,
  month: string | undefined,
  date: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
  seconds: string | undefined,
): number | undefined {
  const m = MONTHS.indexOf(String(month).toLowerCase());
  const d = Number(date);
  const h = Number(hours);
  const min = Number(minutes);
  const s = Number(seconds);
  if (m < 0 || h > 23 || min > 59 || s > 60) return undefined; // 60: a leap second
  // Date.UTC rolls 31 Feb over into March: such a date is malformed, not a date in March.
  if (new Date(Date.UTC(year, m, d)).getUTCDate() !== d) return undefined;
  return Date.UTC(year, m, d, h, min, s);
}
