import { describe, expect, it } from 'vitest';
import { ExportAbortedError } from '../../src/index.js';

describe('ExportAbortedError: one vocabulary for every abort', () => {
  it.each([
    [
      'export_timeout',
      'export did not finish within exportTimeoutMillis (250 ms)',
      'export_timeout',
    ],
    [
      'shutdown_timeout',
      'shutdown did not finish within shutdownTimeoutMillis (250 ms)',
      'shutdown_timeout',
    ],
    ['exporter_shutdown', 'the exporter was shut down', undefined],
  ] as const)('%s: message, reason and the deprecated deadline', (reason, message, deadline) => {
    const error = new ExportAbortedError(reason, 250);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ExportAbortedError');
    expect(error.code).toBe('TR_EXPORT_ABORTED');
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(message);
    expect(error.deadline).toBe(deadline);
  });
});
