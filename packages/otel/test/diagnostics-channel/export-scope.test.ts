import { AsyncLocalStorage } from 'node:async_hooks';
import { channel, hasSubscribers } from 'node:diagnostics_channel';
import { afterEach, expect, it, vi } from 'vitest';
import { createTelemetryReporter, forwardDiagnosticsChannels } from '../../src/index.js';
import {
  inExportScope,
  isFromExport,
  isInExportScope,
  readExportScopes,
} from '../../src/internal/export-scope.js';
import { MemoryTransport } from '../helpers/memory-transport.js';
import { sdk } from '../helpers/reporter-sdk.js';

// Exports are marked (an AsyncLocalStorage) only while diagnostics channels are forwarded: before
// Node 24 the storage's first use turns async_hooks on for the whole process, and every await
// of the application pays for it.

const unsubscribes: (() => void)[] = [];

afterEach(() => {
  for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  vi.restoreAllMocks();
});

/** A reporter whose transport notes, at each send, whether it runs in the export scope. */
function scopeRecordingReporter() {
  const inScope: boolean[] = [];
  const transport = new MemoryTransport(() => {
    inScope.push(isInExportScope());
  });
  const reporter = createTelemetryReporter({ transport, sdk });
  return {
    inScope,
    reporter,
    /** Logs one record and waits until it is delivered. */
    async exportOne(): Promise<void> {
      reporter.log('export-scope', 'info');
      await reporter.flush(10_000);
    },
  };
}

function forward(reporter: ReturnType<typeof createTelemetryReporter>): () => void {
  const unsubscribe = forwardDiagnosticsChannels({
    channels: ['telemetry-reporter-test:export-scope'],
    reporter,
  });
  unsubscribes.push(unsubscribe);
  return unsubscribe;
}

it('runs exports in no AsyncLocalStorage while nothing forwards diagnostics channels', async () => {
  const run = vi.spyOn(AsyncLocalStorage.prototype, 'run');
  const { inScope, reporter, exportOne } = scopeRecordingReporter();
  await exportOne();
  await exportOne();
  await reporter.stop(10_000);
  expect(inScope).toEqual([false, false]);
  expect(run.mock.calls.filter(([store]) => store === true)).toEqual([]);
});

it('marks exports from the first forwarder subscribed until the last one unsubscribed', async () => {
  const { inScope, reporter, exportOne } = scopeRecordingReporter();
  await exportOne();
  const first = forward(reporter);
  await exportOne();
  const second = forward(reporter);
  first();
  first(); // idempotent: the second forwarder still reads the scope
  await exportOne();
  second();
  await exportOne();
  const third = forward(reporter);
  await exportOne();
  third();
  await reporter.stop(10_000);
  expect(inScope).toEqual([false, true, true, false, true]);
});

it('counts a reader released twice once, and leaves no subscriber behind', () => {
  const first = readExportScopes();
  const second = readExportScopes();
  unsubscribes.push(first, second);
  first();
  first();
  expect(inExportScope(() => isInExportScope())).toBe(true);
  expect(hasSubscribers('undici:request:create')).toBe(true);
  second();
  expect(inExportScope(() => isInExportScope())).toBe(false);
  expect(hasSubscribers('undici:request:create')).toBe(false);
  expect(hasSubscribers('http.client.request.start')).toBe(false);
});

it('tells the messages of requests made inside an export from the others', () => {
  unsubscribes.push(readExportScopes());
  const ours = { path: '/telemetry' };
  const theirs = { path: '/app' };
  inExportScope(() => channel('undici:request:create').publish({ request: ours }));
  channel('undici:request:create').publish({ request: theirs });
  expect(isFromExport({ request: ours, response: {} })).toBe(true);
  expect(isFromExport({ request: theirs, response: {} })).toBe(false);
  const throwing = new Proxy(
    {},
    {
      get: () => {
        throw new Error('no');
      },
    },
  );
  expect(isFromExport(throwing)).toBe(false);
  expect(isFromExport(null)).toBe(false);
});
