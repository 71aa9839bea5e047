/** Which deadline aborted an export: also the drop reason of its records still unsettled. */
export type ExportDeadline = 'export_timeout' | 'shutdown_timeout';

/**
 * Why an export, or the send it was making, was aborted: one of its deadlines passed, or the
 * exporter it ran in was shut down (`exporter_shutdown`).
 */
export type ExportAbortReason = ExportDeadline | 'exporter_shutdown';

const MESSAGES: Readonly<Record<ExportAbortReason, (millis: number) => string>> = {
  export_timeout: (millis) => `export did not finish within exportTimeoutMillis (${millis} ms)`,
  shutdown_timeout: (millis) =>
    `shutdown did not finish within shutdownTimeoutMillis (${millis} ms)`,
  exporter_shutdown: () => 'the exporter was shut down',
};

/**
 * The reason every `AbortSignal` this library fires carries: `export_timeout` after
 * `exportTimeoutMillis`, `shutdown_timeout` when the shutdown deadline cut the export short,
 * `exporter_shutdown` when the exporter's `shutdown()` aborted an export still running.
 */
export class ExportAbortedError extends Error {
  /** Stable identifier for programmatic checks. */
  readonly code: 'TR_EXPORT_ABORTED' = 'TR_EXPORT_ABORTED';
  /** Why the export was aborted. */
  readonly reason: ExportAbortReason;

  /** `millis`: the deadline that passed, for the message; ignored for `exporter_shutdown`. */
  constructor(reason: ExportAbortReason, millis = 0) {
    super(MESSAGES[reason](millis));
    this.name = 'ExportAbortedError';
    this.reason = reason;
  }

  /**
   * Which deadline passed, or `undefined` when the exporter was shut down.
   * @deprecated Read {@link ExportAbortedError.reason}, which also names `exporter_shutdown`.
   */
  get deadline(): ExportDeadline | undefined {
    return this.reason === 'exporter_shutdown' ? undefined : this.reason;
  }
}
