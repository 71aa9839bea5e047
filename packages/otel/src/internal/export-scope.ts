import { AsyncLocalStorage } from 'node:async_hooks';

// Marks the asynchronous scope of an export. Node's fetch publishes diagnostics_channel messages
// for the requests our own transports make; a subscriber that forwarded those would turn every
// export into more telemetry, and that into more exports. AsyncLocalStorage follows the export
// into undici's callbacks, so the subscriber can tell and skip them.
const scope = new AsyncLocalStorage<true>();

/** Runs `fn` (an export) inside the export scope. */
export function inExportScope<T>(fn: () => T): T {
  return scope.run(true, fn);
}

/** True when called, directly or asynchronously, from inside an export. */
export function isInExportScope(): boolean {
  return scope.getStore() === true;
}
