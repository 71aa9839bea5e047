export { crc32, crc32Js } from './crc32.js';
export { createFileSpool } from './file-spool.js';
export { SPOOL_WRITE_FAILURE_REASONS } from './spool-counters.js';
export {
  FILE_SPOOL_DEFAULTS,
  type FileSpoolOptions,
  type ResolvedFileSpoolOptions,
  resolveFileSpoolOptions,
} from './spool-options.js';
export type {
  FileSpool,
  SpoolBatchInput,
  SpoolCount,
  SpoolDirent,
  SpooledBatch,
  SpoolFileHandle,
  SpoolFileSystem,
  SpoolLease,
  SpoolLeasedWriteResult,
  SpoolLogger,
  SpoolStats,
  SpoolTally,
  SpoolWriteFailureReason,
  SpoolWriteResult,
} from './spool-types.js';
