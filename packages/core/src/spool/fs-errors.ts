import type { SpoolWriteFailureReason } from './spool-types.js';

/** The `code` of a Node.js system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The write failure an I/O error stands for. */
export function failureReason(error: unknown): SpoolWriteFailureReason {
  switch (errorCode(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'disk_full';
    case 'EACCES':
    case 'EPERM':
      return 'permission_denied';
    case 'EROFS':
      return 'read_only';
    case 'ENOENT':
      return 'directory_missing';
    default:
      return 'io_error';
  }
}

/** A short description of an error for a log line: its code and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
