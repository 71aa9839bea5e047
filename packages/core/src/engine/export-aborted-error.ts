/** Which deadline aborted an export. */
export type ExportDeadline = 'export_timeout' | 'shutdown_timeout';

/**
 * The reason an export's `AbortSignal` carries when its deadline passed: `export_timeout` after
 * `exportTimeoutMillis`, `shutdown_timeout` when the shutdown deadline cut it short.
 */
export class ExportAbortedError extends Error {
  /** Stable identifier for programmatic checks. */
  readonly code: 'TR_EXPORT_ABORTED' = 'TR_EXPORT_ABORTED';
  /** Which deadline passed; also the drop reason of the records still unsettled. */
  readonly deadline: ExportDeadline;

  constructor(deadline: ExportDeadline, millis: number) {
    super(
      deadline === 'export_timeout'
        ? `export did not finish within exportTimeoutMillis (${millis} ms)`
        : `shutdown did not finish within shutdownTimeoutMillis (${millis} ms)`,
    );
    this.name = 'ExportAbortedError';
    this.deadline = deadline;
  }
}
