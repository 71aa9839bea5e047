import { AsyncLocalStorage } from 'node:async_hooks';

// Marks the asynchronous scope of an export. Node's HTTP clients publish diagnostics_channel
// messages for the requests our own transports make; a subscriber that forwarded those would
// turn every export into more telemetry, and that into more exports. AsyncLocalStorage follows
// the export into the clients' callbacks, so the subscriber can tell and skip them.
//
// Only while a subscriber reads the scope: before Node 24, AsyncLocalStorage runs on async_hooks,
// and its first `run` turns promise hooks on for the whole process. Every `await` of the
// application then costs about 2.5 times as much (a million async calls: 79 ms, then 190-210 ms,
// on Node 20 and 22), for a mark that nothing reads unless diagnostics channels are forwarded.

/** The scope, while at least one reader is registered. */
let scope: AsyncLocalStorage<true> | undefined;
let readers = 0;

/** Runs `fn` (an export) inside the export scope, if anything reads it; otherwise just runs it. */
export function inExportScope<T>(fn: () => T): T {
  return scope === undefined ? fn() : scope.run(true, fn);
}

/**
 * True when called, directly or asynchronously, from inside an export that started while a
 * reader was registered (see {@link readExportScopes}).
 */
export function isInExportScope(): boolean {
  return scope?.getStore() === true;
}

/**
 * Registers a reader of {@link isInExportScope}: exports are marked from now until every reader
 * has called the function returned (which is idempotent). Exports already in flight stay
 * unmarked. When the last reader leaves, the storage is disabled, so that Node can turn its
 * hooks off again if nothing else uses them.
 */
export function readExportScopes(): () => void {
  readers++;
  scope ??= new AsyncLocalStorage<true>();
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    readers--;
    if (readers > 0) return;
    scope?.disable();
    scope = undefined;
  };
}
