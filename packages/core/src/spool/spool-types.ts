/** A batch to persist: an encoded payload and what a replay needs to send it again. */
export interface SpoolBatchInput {
  /** The encoded payload; a string comes back as a string, bytes as a `Uint8Array`. */
  readonly payload: Uint8Array | string;
  /** The payload's media type, e.g. `application/x-protobuf`; at most 1024 UTF-8 bytes. */
  readonly contentType: string;
  /** How many records the payload holds: an integer between 0 and 2^32 - 1. */
  readonly recordCount: number;
  /**
   * The batch's de-duplication key, 32 hex digits or a UUID (stored as 16 bytes, read back as 32
   * lowercase hex digits). Pass the id a first send already used, so that a receiver can drop the
   * copy.
   * @default a random 128-bit id
   */
  readonly id?: string;
}

/** A batch read back from the spool. */
export interface SpooledBatch {
  /** 32 lowercase hex digits: the de-duplication key a receiver can use. */
  readonly id: string;
  /** The payload, of the type it was written with. */
  readonly payload: Uint8Array | string;
  readonly contentType: string;
  readonly recordCount: number;
  /** When the batch was written, in milliseconds since the epoch (the spool's clock). */
  readonly createdAt: number;
  /** Size of its file in bytes, header included. */
  readonly bytes: number;
  /**
   * True when this spool instance wrote it; false for a batch of an earlier process or of another
   * process sharing the directory. Accounting uses it: only its own records were counted in.
   */
  readonly writtenByThisSpool: boolean;
}

/**
 * A batch held by one spool instance: no other instance or process replays it until it is
 * completed, released, or the lease is recovered as stale. Settle each lease exactly once;
 * further calls do nothing. Neither method ever rejects.
 */
export interface SpoolLease {
  readonly batch: SpooledBatch;
  /** The batch was delivered (or is given up): its file is deleted and counted as replayed. */
  complete(): Promise<void>;
  /** The batch goes back to the spool, at its old place in the order, for a later attempt. */
  release(): Promise<void>;
}

/** Why a write did not persist its batch. */
export type SpoolWriteFailureReason =
  /** The batch alone is larger than `maxBytes` (or than a file of the format can hold). */
  | 'batch_too_large'
  /** Evicting every batch nobody holds would not make room: leased batches fill the spool. */
  | 'spool_full'
  /** ENOSPC or EDQUOT: the file system is full. */
  | 'disk_full'
  /** EACCES or EPERM. */
  | 'permission_denied'
  /** EROFS. */
  | 'read_only'
  /** The directory vanished and could not be recreated, or vanished again. */
  | 'directory_missing'
  /** Any other I/O error (EIO, EMFILE, ...). */
  | 'io_error'
  /** The input is not a valid batch (payload type, record count, content type, id). */
  | 'invalid_batch'
  /** `close()` was called. */
  | 'closed';

/** The outcome of a write; a write never rejects. */
export type SpoolWriteResult =
  | {
      readonly ok: true;
      /** The batch's id (the one given, normalized, or a new random one). */
      readonly id: string;
      /** Size of its file in bytes. */
      readonly bytes: number;
      /** The writer's lease, for a write-ahead write (`leased: true`). */
      readonly lease?: SpoolLease;
    }
  | {
      readonly ok: false;
      readonly reason: SpoolWriteFailureReason;
      /** What happened, for a log line. */
      readonly message: string;
      /** The underlying error, for I/O failures. */
      readonly error?: unknown;
    };

/** A write that succeeded in write-ahead mode holds its lease. */
export type SpoolLeasedWriteResult =
  | (Extract<SpoolWriteResult, { ok: true }> & { readonly lease: SpoolLease })
  | Extract<SpoolWriteResult, { ok: false }>;

/** Batch files and the records in them. */
export interface SpoolCount {
  readonly files: number;
  readonly records: number;
}

/** Batch files and records, and how many of those records this spool instance wrote. */
export interface SpoolTally extends SpoolCount {
  /** The records of `records` written by this instance (the ones its reporter counted in). */
  readonly ownRecords: number;
}

/**
 * A snapshot of a spool's counters. For the records this instance wrote, at every instant:
 * `written.records === ownRecords + replayed.ownRecords + evicted.ownRecords +
 * expired.ownRecords + corrupt.ownRecords + vanished.ownRecords`.
 */
export interface SpoolStats {
  /** Batch files on disk as this instance knows them (ready, leased by it or by others). */
  readonly files: number;
  /** Their size in bytes, headers included; what `maxBytes` bounds. */
  readonly bytes: number;
  readonly records: number;
  /** The records of `records` written by this instance. */
  readonly ownRecords: number;
  /** Batches this instance holds leases on now. */
  readonly leased: number;
  /** Batches persisted by this instance. */
  readonly written: SpoolCount & { readonly bytes: number };
  /** Leases completed (delivered, or given up by the caller) and their files deleted. */
  readonly replayed: SpoolTally;
  /** Deleted, oldest first, to make room for newer batches within `maxBytes`. */
  readonly evicted: SpoolTally;
  /** Deleted because they were older than `maxAgeMillis`. */
  readonly expired: SpoolTally;
  /**
   * Moved aside into `corrupt/`: truncated, damaged, of a later format version, or not a batch at
   * all (records are 0 when the header could not be trusted).
   */
  readonly corrupt: SpoolTally;
  /**
   * Known batches that disappeared from under this instance: replayed or deleted by another
   * process sharing the directory, deleted by hand, or lost with the directory.
   */
  readonly vanished: SpoolTally;
  /** Writes that persisted nothing, by reason. */
  readonly writeFailures: Readonly<Record<SpoolWriteFailureReason, SpoolCount>>;
}

/** Persistent storage of encoded batches, replayed oldest first, shared safely by processes. */
export interface FileSpool {
  /** The spool's directory, absolute. */
  readonly directory: string;
  /**
   * Persists a batch: written under a temporary name, fsynced, renamed into place, and the
   * directory fsynced. The oldest batches are evicted when it would exceed `maxBytes`. Never
   * rejects: a failure is a result with a reason, counted in `stats()`.
   */
  write(batch: SpoolBatchInput): Promise<SpoolWriteResult>;
  /**
   * Write-ahead: the batch is persisted already leased by this instance, so that nobody replays
   * it while the caller still sends it; `complete()` it once delivered, `release()` it otherwise.
   */
  write(
    batch: SpoolBatchInput,
    options: { readonly leased: true },
  ): Promise<SpoolLeasedWriteResult>;
  write(batch: SpoolBatchInput, options?: { readonly leased?: boolean }): Promise<SpoolWriteResult>;
  /**
   * Leases the oldest batch nobody holds, or resolves `undefined` when there is none. Expired
   * batches met on the way are deleted; unreadable ones are moved aside; both are counted.
   * Never rejects.
   */
  lease(): Promise<SpoolLease | undefined>;
  /** The counters; see {@link SpoolStats}. */
  stats(): SpoolStats;
  /**
   * Waits for running writes and leases, gives back every lease still held, closes the directory
   * (held open for its fsyncs), and stops: later writes fail as `closed`, `lease()` resolves
   * `undefined`. Idempotent; never rejects.
   */
  close(): Promise<void>;
}

/** Where a spool reports what went wrong (`@telemetry-reporter/otel` passes OpenTelemetry's `diag`). */
export interface SpoolLogger {
  warn(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
}

/** A directory entry, as `readdir(path, { withFileTypes: true })` gives it. */
export interface SpoolDirent {
  readonly name: string;
  isFile(): boolean;
}

/** The part of a `fs/promises` `FileHandle` a spool uses. */
export interface SpoolFileHandle {
  writev(buffers: readonly Uint8Array[], position?: number): Promise<{ bytesWritten: number }>;
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The part of `node:fs/promises` a spool uses; the module itself fits. Tests pass one that fails
 * on purpose (ENOSPC, EACCES, EROFS).
 */
export interface SpoolFileSystem {
  mkdir(path: string, options: { recursive: true; mode?: number }): Promise<unknown>;
  readdir(path: string, options: { withFileTypes: true }): Promise<SpoolDirent[]>;
  open(path: string, flags: string, mode?: number): Promise<SpoolFileHandle>;
  rename(oldPath: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
}
