import type { ConfiguredTelemetry } from './configure-from-environment.js';

// What `--import @telemetry-reporter/otel/register` set up, kept for the app to reach: the
// register module has no exports an app could import, since Node loads it before the app.
let registered: ConfiguredTelemetry | undefined;

/** Records what `register` configured; called by the register entry point only. */
export function setRegisteredTelemetry(telemetry: ConfiguredTelemetry): void {
  registered = telemetry;
}

/**
 * What `node --import @telemetry-reporter/otel/register` set up: the providers and the
 * processors (for `stats()`), or `undefined` when register did not run in this process (or
 * turned telemetry off after a configuration error). Import it from the same copy of
 * `@telemetry-reporter/otel` that `--import` loaded.
 *
 * @example
 * ```ts
 * import { getRegisteredTelemetry } from '@telemetry-reporter/otel';
 *
 * const telemetry = getRegisteredTelemetry();
 * console.log(telemetry?.logProcessor?.stats());
 * ```
 */
export function getRegisteredTelemetry(): ConfiguredTelemetry | undefined {
  return registered;
}
