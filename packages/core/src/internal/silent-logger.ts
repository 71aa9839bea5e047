import type { DiagnosticLogger } from '../types.js';

const ignore = (): void => {};

/** The default diagnostic sink: discards everything. */
export const silentLogger: DiagnosticLogger = Object.freeze({ warn: ignore, debug: ignore });
