// The parts of HTTP/1.1 (RFC 9112) a client needs to read a server's answer to a POST: the
// status line and header fields, then the body framed by Content-Length, by the chunked coding,
// or by the connection's close. Strict: anything else is a protocol error, and the connection
// it came on is never reused, so a misread answer cannot shift onto the next request's.

/** The longest response head accepted, status line and fields together (Node's default). */
export const MAX_HEAD_BYTES: number = 16 * 1024;
/** The longest chunk-size line accepted, extensions included. */
const MAX_CHUNK_LINE_BYTES = 4096;

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;
const FIELD = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;
const DIGITS = /^\d{1,15}$/;
const HEX = /^[0-9A-Fa-f]{1,12}$/;
const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
const LF_LF = Buffer.from('\n\n', 'latin1');
/**
 * Fields a response has one of: a repeat is dropped, as `node:http` drops it, so that a server
 * that sends `Retry-After: 7` twice is still understood.
 */
const SINGLE_FIELDS: ReadonlySet<string> = new Set([
  'age',
  'authorization',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** A response that breaks the protocol; `code` in the style of Node's own parser errors. */
export class ResponseProtocolError extends Error {
  readonly code = 'TR_HTTP_PROTOCOL';
  constructor(detail: string) {
    super(`the server's response is not valid HTTP/1.1: ${detail}`);
  }
}

/** How the body that follows a head ends. */
export type BodyFraming =
  | { readonly kind: 'length'; readonly bytes: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' };

/** A response head, parsed. */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** Field values by lower-case name; repeats joined with ', ', or the first kept (`node:http`'s rule). */
  readonly headers: ReadonlyMap<string, string>;
  readonly framing: BodyFraming;
  /** True when the connection may carry another request once this body was read. */
  readonly keepAlive: boolean;
}

/**
 * Where the head ends in `bytes` (the index just past its empty line), or -1 when it has not
 * ended yet. Throws once the head passes {@link MAX_HEAD_BYTES}.
 */
export function headEnd(bytes: Buffer): number {
  const at = bytes.indexOf(CRLF_CRLF);
  if (at >= 0 && at + 4 <= MAX_HEAD_BYTES) return at + 4;
  // A head whose lines end in a bare LF would otherwise wait for 16 KiB or the timeout.
  if (at < 0 && bytes.indexOf(LF_LF) >= 0) throw new ResponseProtocolError('a bare LF in the head');
  if (at >= 0 || bytes.length > MAX_HEAD_BYTES) {
    throw new ResponseProtocolError(`a head of more than ${MAX_HEAD_BYTES} bytes`);
  }
  return -1;
}

/** Parses a head (without its final empty line) read as Latin-1. Throws a protocol error. */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = STATUS_LINE.exec(lines[0] ?? '');
  if (statusLine === null) throw new ResponseProtocolError('a malformed status line');
  const minor = statusLine[1];
  const status = Number(statusLine[2]);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue; // the split leaves one at the end of the fields
    const field = FIELD.exec(line);
    // Obsolete line folding (a line starting with whitespace) is refused, as RFC 9112 allows.
    if (field === null) throw new ResponseProtocolError('a malformed header field');
    const name = (field[1] as string).toLowerCase();
    const value = field[2] as string;
    const previous = headers.get(name);
    // Repeated Content-Lengths are joined, for `contentLength` to check that they agree.
    if (previous === undefined) headers.set(name, value);
    else if (!SINGLE_FIELDS.has(name)) headers.set(name, `${previous}, ${value}`);
  }
  const connection = (headers.get('connection') ?? '').toLowerCase();
  let keepAlive = minor === '1' && !/(?:^|,)\s*close\s*(?:,|$)/.test(connection);
  let framing: BodyFraming;
  const transferEncoding = headers.get('transfer-encoding');
  if (status < 200 || status === 204 || status === 304) {
    framing = { kind: 'length', bytes: 0 };
  } else if (transferEncoding !== undefined) {
    const codings = transferEncoding.toLowerCase().split(',');
    if (codings[codings.length - 1]?.trim() === 'chunked') framing = { kind: 'chunked' };
    else framing = { kind: 'close' };
    // Both framings at once is how responses get smuggled: read this one, then close.
    if (headers.has('content-length')) keepAlive = false;
  } else if (headers.has('content-length')) {
    framing = { kind: 'length', bytes: contentLength(headers.get('content-length') as string) };
  } else {
    framing = { kind: 'close' };
  }
  if (framing.kind === 'close') keepAlive = false;
  return { status, statusText: statusLine[3] ?? '', headers, framing, keepAlive };
}

/** A Content-Length value; repeated fields must agree. */
function contentLength(value: string): number {
  const values = new Set(value.split(',').map((part) => part.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || !DIGITS.test(only)) {
    throw new ResponseProtocolError('an invalid content-length');
  }
  return Number(only);
}

/**
 * Reads a body as it arrives, by its framing. `push` takes the bytes after the head; it returns
 * how many of them belonged to the body (the rest would be a next response, which a client that
 * sends one request at a time never gets) and throws a protocol error on a malformed chunk.
 */
export class BodyReader {
  /** The body's bytes, decoded from the chunked coding, each time some arrive. */
  readonly #onBytes: (bytes: Buffer) => void;
  #state: 'length' | 'size' | 'data' | 'data-end' | 'trailers' | 'close' | 'done';
  /** Bytes left of the body (`length`) or of the current chunk (`data`). */
  #left = 0;
  /** A chunk-size line, CRLF, or trailer line not yet complete. */
  #line = '';

  constructor(framing: BodyFraming, onBytes: (bytes: Buffer) => void) {
    this.#onBytes = onBytes;
    if (framing.kind === 'length') {
      this.#left = framing.bytes;
      this.#state = framing.bytes === 0 ? 'done' : 'length';
    } else {
      this.#state = framing.kind === 'chunked' ? 'size' : 'close';
    }
  }

  /** True once the body ended by its framing. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** True when the body ends only with the connection. */
  get endsWithClose(): boolean {
    return this.#state === 'close';
  }

  push(bytes: Buffer): number {
    let at = 0;
    while (at < bytes.length && this.#state !== 'done') {
      switch (this.#state) {
        case 'close':
          this.#onBytes(at === 0 ? bytes : bytes.subarray(at));
          return bytes.length;
        case 'length':
        case 'data': {
          const take = Math.min(this.#left, bytes.length - at);
          this.#onBytes(bytes.subarray(at, at + take));
          at += take;
          this.#left -= take;
          if (this.#left === 0) this.#state = this.#state === 'length' ? 'done' : 'data-end';
          break;
        }
        default:
          at = this.#readLine(bytes, at);
      }
    }
    return at;
  }

  /** Reads towards the end of a line of the chunked coding; acts on the line once complete. */
  #readLine(bytes: Buffer, from: number): number {
    const end = bytes.indexOf(0x0a, from);
    const upTo = end < 0 ? bytes.length : end + 1;
    this.#line += bytes.toString('latin1', from, upTo);
    if (this.#line.length > MAX_CHUNK_LINE_BYTES) {
      throw new ResponseProtocolError('a chunk line too long');
    }
    if (end < 0) return upTo;
    if (!this.#line.endsWith('\r\n')) throw new ResponseProtocolError('a bare LF in a chunk');
    const line = this.#line.slice(0, -2);
    this.#line = '';
    if (this.#state === 'data-end') {
      if (line !== '') throw new ResponseProtocolError('a chunk longer than its size');
      this.#state = 'size';
    } else if (this.#state === 'size') {
      const size = line.split(';', 1)[0]?.trim() ?? '';
      if (!HEX.test(size)) throw new ResponseProtocolError('an invalid chunk size');
      this.#left = Number.parseInt(size, 16);
      this.#state = this.#left === 0 ? 'trailers' : 'data';
    } else if (line === '') {
      this.#state = 'done'; // the empty line after the trailers
    }
    return upTo;
  }
}
