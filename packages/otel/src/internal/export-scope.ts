import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

// Tells the diagnostics_channel messages of our own exports apart. Node's HTTP clients publish
// messages for the requests our transports make; a subscriber that forwarded those would turn
// every export into more telemetry, and that into more exports. Two marks:
// - the export's asynchronous scope (AsyncLocalStorage), for what is published inside it;
// - the request objects our exports made, for what a client publishes later from a connection's
//   callbacks (undici's `request:headers`, node:http's `response.finish`): those run in the
//   context of whoever opened the connection, which a kept-alive connection outlives.
//
// Only while a subscriber reads them: before Node 24, AsyncLocalStorage runs on async_hooks,
// and its first `run` turns promise hooks on for the whole process until it is disabled. Every
// `await` of the application then costs about 2.5 times as much (a million async calls: 79 ms,
// then 190-210 ms, on Node 20 and 22), for marks that nothing reads unless diagnostics channels
// are forwarded.

/** Where each HTTP client announces a request, synchronously, inside the call that makes it. */
const REQUEST_CHANNELS = ['undici:request:create', 'http.client.request.start'] as const;

/** The scope, while at least one reader is registered. */
let scope: AsyncLocalStorage<true> | undefined;
let readers = 0;
/**
 * Requests made inside an export while a reader was registered; kept across readers, so that a
 * request still in flight when the last reader left and a new one came is still told apart.
 */
const ownRequests = new WeakSet<object>();

const markOwnRequest = (message: unknown): void => {
  if (!isInExportScope()) return;
  const request = requestOf(message);
  if (request !== undefined) ownRequests.add(request);
};

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
 * True when `message`, published on any channel, comes from one of our exports: it is published
 * inside one, or its `request` is a request one of them made (both while a reader was
 * registered). Never throws, whatever the message.
 */
export function isFromExport(message: unknown): boolean {
  if (isInExportScope()) return true;
  const request = requestOf(message);
  return request !== undefined && ownRequests.has(request);
}

/**
 * Registers a reader of {@link isFromExport}: exports and their requests are marked from now
 * until every reader has called the function returned (which is idempotent). Exports already in
 * flight stay unmarked. When the last reader leaves, the storage is disabled, so that Node can
 * turn its hooks off again if nothing else uses them.
 */
export function readExportScopes(): () => void {
  if (readers++ === 0) {
    scope = new AsyncLocalStorage<true>();
    for (const name of REQUEST_CHANNELS) subscribe(name, markOwnRequest);
  }
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    if (--readers > 0) return;
    for (const name of REQUEST_CHANNELS) unsubscribe(name, markOwnRequest);
    scope?.disable();
    scope = undefined;
  };
}

/** The `request` a message of an HTTP client carries, if any; never throws. */
function requestOf(message: unknown): object | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  try {
    const request = (message as { request?: unknown }).request;
    return typeof request === 'object' && request !== null ? request : undefined;
  } catch {
    return undefined; // a getter that throws, or a revoked proxy: not one of ours
  }
}
