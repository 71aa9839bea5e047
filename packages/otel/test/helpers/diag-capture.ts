import { DiagLogLevel, diag } from '#sdk';

/** Lines OpenTelemetry's `diag` received while capturing, by level. */
export interface DiagCapture {
  readonly warn: string[];
  readonly debug: string[];
  /** Every argument logged, stringified, for secret sweeps. */
  readonly all: string[];
  restore(): void;
}

/** Routes `diag` into arrays until `restore()`. */
export function captureDiag(level: DiagLogLevel = DiagLogLevel.DEBUG): DiagCapture {
  const capture: DiagCapture = {
    warn: [],
    debug: [],
    all: [],
    restore: () => diag.disable(),
  };
  const record =
    (into: string[]) =>
    (message: string, ...args: unknown[]): void => {
      into.push(message);
      capture.all.push(
        message,
        ...args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))),
      );
    };
  diag.setLogger(
    {
      error: record(capture.warn),
      warn: record(capture.warn),
      info: record(capture.debug),
      debug: record(capture.debug),
      verbose: record(capture.debug),
    },
    { logLevel: level, suppressOverrideMessage: true },
  );
  return capture;
}
