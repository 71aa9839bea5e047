import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  describeValue,
  Throttle,
  WARNING_INTERVAL_MILLIS,
} from '@telemetry-reporter/core/internal';
import { diagLogger } from '../internal/diag-logger.js';
import { isFromExport, readExportScopes } from '../internal/export-scope.js';
import { controlOf } from '../processors/processor-registry.js';
import type { TelemetryReporter } from '../reporter/telemetry-reporter.js';
import type { LoggerLike, LogRecordLike } from '../sdk/logger-types.js';
import { snapshotMessage } from './message-snapshot.js';

/**
 * Turns a message published on `channel` into the log record to emit, or `undefined` to skip the
 * message (not counted anywhere). Runs on the publisher's stack: keep it O(1). If it throws or
 * returns something else than an object, the message is dropped and counted as `encoding_failed`.
 */
export type DiagnosticsChannelMap = (
  message: unknown,
  channel: string,
) => LogRecordLike | undefined;

/** Where a message that could not become a record is counted: a `ReporterLogRecordProcessor`. */
export interface DropCounter {
  /** Counts records dropped before they reached the queue. */
  countDropped(reason: 'encoding_failed' | 'already_shutdown', count?: number): void;
}

/** Options of {@link forwardDiagnosticsChannels} shared by both destinations. */
export interface ForwardDiagnosticsChannelsBaseOptions {
  /** Names of the `node:diagnostics_channel` channels to forward; at least one. */
  channels: readonly (string | symbol)[];
  /**
   * Turns a message into a record.
   * @default `{ eventName: channel, body }`, where `body` is a bounded JSON-friendly copy of the
   * message: plain data is copied up to 4 levels and 100 values, anything else (a class instance
   * such as a `ClientRequest`) is summarised by its own enumerable properties at the top and as
   * `'[ClassName]'` below it. No severity is set.
   */
  map?: DiagnosticsChannelMap;
}

/**
 * Options of {@link forwardDiagnosticsChannels}: the channels, and either a `reporter` or an
 * OpenTelemetry `logger` (with, optionally, the `processor` that counts what is dropped).
 */
export type ForwardDiagnosticsChannelsOptions = ForwardDiagnosticsChannelsBaseOptions &
  (
    | {
        /** A reporter from `createTelemetryReporter`; drops are counted in its `stats()`. */
        reporter: TelemetryReporter;
        logger?: undefined;
        processor?: undefined;
      }
    | {
        /** Any OpenTelemetry Logs API logger (SDK 2.x or 3.x), e.g. `provider.getLogger('http')`. */
        logger: LoggerLike;
        /**
         * The `ReporterLogRecordProcessor` behind `logger`: messages that could not become records
         * are counted in its `stats()`, and messages after its shutdown as `already_shutdown`.
         * @default none: such messages are only reported through `diag.warn`, at most every 10 s
         */
        processor?: DropCounter;
        reporter?: undefined;
      }
  );

/** Stops forwarding; idempotent. */
export type UnsubscribeDiagnosticsChannels = () => void;

const SCOPE = '@telemetry-reporter/otel/diagnostics-channel';

/**
 * Forwards every message published on the named `node:diagnostics_channel` channels as a log
 * record. Node runs subscribers on the publisher's stack, so the subscriber is O(1), never awaits,
 * starts no timer and never throws: a `map` that throws drops only its message, as
 * `encoding_failed`. Messages of this package's own exports (the HTTP requests of its transports,
 * say) are skipped, so forwarding `undici:*` or `http.client.*` channels cannot feed back:
 * messages published inside an export, and those whose `request` an export made. Messages of
 * exports already in flight when forwarding starts are not told apart. To tell them apart,
 * exports run in an `AsyncLocalStorage` while anything is forwarded, and only then: before
 * Node 24, that turns on async_hooks for the whole process, which makes every `await` of the
 * application slower.
 * Returns a function that unsubscribes from every channel.
 */
export function forwardDiagnosticsChannels(
  options: ForwardDiagnosticsChannelsOptions,
): UnsubscribeDiagnosticsChannels {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `forwardDiagnosticsChannels options must be an object, got ${describeValue(options)}`,
    );
  }
  const names = checkChannels(options.channels);
  const map = options.map;
  if (map !== undefined && typeof map !== 'function') {
    throw new TypeError(`map must be a function, got ${describeValue(map)}`);
  }
  const { logger, counter } = destination(options);
  const control = controlOf(counter);
  const warnings = new Throttle(WARNING_INTERVAL_MILLIS);

  const drop = (error: unknown, channel: string): void => {
    try {
      if (counter !== undefined) {
        counter.countDropped('encoding_failed'); // the processor's drop warnings report it
      } else {
        const unreported = warnings.pass();
        if (unreported > 0) {
          diagLogger.warn(
            `forwardDiagnosticsChannels: dropped ${unreported} message${unreported === 1 ? '' : 's'} that could not become log records (pass processor to count them in its stats())`,
          );
        }
      }
      diagLogger.debug(`forwardDiagnosticsChannels: message on '${channel}' dropped`, error);
    } catch {
      // nothing may reach the publisher, not even a throwing diag logger
    }
  };

  const onMessage = (message: unknown, name: string | symbol): void => {
    // Published by our own exports (their HTTP requests): forwarding would feed back forever.
    if (isFromExport(message)) return;
    const channel = typeof name === 'string' ? name : (name.description ?? '');
    let record: LogRecordLike | undefined;
    try {
      record =
        map === undefined
          ? { eventName: channel, body: snapshotMessage(message) }
          : map(message, channel);
    } catch (error) {
      drop(error, channel);
      return;
    }
    if (record === undefined) return;
    if (typeof record !== 'object' || record === null) {
      drop(
        new TypeError(`map must return a log record or undefined, got ${describeValue(record)}`),
        channel,
      );
      return;
    }
    if (control !== undefined && !control.accepting) {
      // The SDK would discard it without a trace once its provider is shut down.
      counter?.countDropped('already_shutdown');
      return;
    }
    try {
      logger.emit(record);
    } catch (error) {
      drop(error, channel);
    }
  };

  // From here on exports are marked, so that onMessage can skip their requests.
  const stopReadingScopes = readExportScopes();
  for (const name of names) subscribe(name, onMessage);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    for (const name of names) unsubscribe(name, onMessage);
    stopReadingScopes();
  };
}

function checkChannels(channels: unknown): (string | symbol)[] {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new TypeError(
      `channels must be a non-empty array of channel names, got ${describeValue(channels)}`,
    );
  }
  channels.forEach((name: unknown, i) => {
    if ((typeof name !== 'string' || name === '') && typeof name !== 'symbol') {
      throw new TypeError(
        `channels[${i}] must be a non-empty string or a symbol, got ${describeValue(name)}`,
      );
    }
  });
  // A channel named twice would deliver each message twice.
  return [...new Set(channels as (string | symbol)[])];
}

function destination(options: ForwardDiagnosticsChannelsOptions): {
  logger: LoggerLike;
  counter: DropCounter | undefined;
} {
  const { reporter, logger, processor } = options;
  if ((reporter === undefined) === (logger === undefined)) {
    throw new TypeError(
      `forwardDiagnosticsChannels needs exactly one of reporter and logger, got ${reporter === undefined ? 'neither' : 'both'}`,
    );
  }
  if (reporter !== undefined) {
    if (processor !== undefined) {
      throw new TypeError(
        'processor goes with logger; a reporter counts drops in its own processor',
      );
    }
    if (typeof reporter?.loggerProvider?.getLogger !== 'function') {
      throw new TypeError(
        `reporter must be a reporter from createTelemetryReporter, got ${describeValue(reporter)}`,
      );
    }
    return { logger: reporter.loggerProvider.getLogger(SCOPE), counter: reporter.processor };
  }
  if (typeof logger?.emit !== 'function') {
    throw new TypeError(
      `logger must be an OpenTelemetry logger with emit(), got ${describeValue(logger)}`,
    );
  }
  if (processor !== undefined && typeof processor?.countDropped !== 'function') {
    throw new TypeError(
      `processor must be a ReporterLogRecordProcessor, got ${describeValue(processor)}`,
    );
  }
  return { logger, counter: processor };
}
