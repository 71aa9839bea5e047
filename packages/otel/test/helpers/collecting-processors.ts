import type { ReporterLogRecord, ReporterSpan } from '../../src/index.js';

/** A log record processor that keeps every record the SDK emits in `into`, and nothing else. */
export function collectingLogProcessor(into: ReporterLogRecord[]) {
  return {
    onEmit: (record: ReporterLogRecord): void => {
      into.push(record);
    },
    forceFlush: async (): Promise<void> => {},
    shutdown: async (): Promise<void> => {},
  };
}

/** A span processor that keeps every span the SDK ends in `into`, and nothing else. */
export function collectingSpanProcessor(into: ReporterSpan[]) {
  return {
    onStart: (): void => {},
    onEnd: (span: ReporterSpan): void => {
      into.push(span);
    },
    forceFlush: async (): Promise<void> => {},
    shutdown: async (): Promise<void> => {},
  };
}
