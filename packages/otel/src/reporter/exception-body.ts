/** One error of a `cause` chain, in plain strings, as `logException` records it. */
export interface ExceptionCause {
  /** The error's `name` (`'TypeError'`), else its class; for a thrown non-object, its `typeof`. */
  type: string;
  /** The error's `message`; for anything else, the value as a string. */
  message: string;
  /** The error's `code` (`'ECONNRESET'`), when it has a string or number one. */
  code?: string;
}

/**
 * The body of a `logException` record: the error and its `cause` chain, outermost first, as
 * plain strings (the stack traces are in the `exception.stacktrace` attribute).
 */
export interface ExceptionBody extends ExceptionCause {
  /** The `cause` chain, outermost first, at most 8 long; left out when there is no cause. */
  causes?: ExceptionCause[];
  /** Set when the chain was longer than 8 and the rest was left out. */
  causesTruncated?: boolean;
}
