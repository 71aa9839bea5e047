import { inspect } from 'node:util';
import { DiagLogLevel, diag } from '#sdk';

/** Lines OpenTelemetry's `diag` received while capturing, by level. */
export interface DiagCapture {
  readonly warn: string[];
  readonly debug: string[];
  /** Every argument logged, fully inspected (own properties and cause chains), for secret sweeps. */
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
      capture.all.push(message, ...args.map((a) => inspect(a, { depth: 10 })));
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
