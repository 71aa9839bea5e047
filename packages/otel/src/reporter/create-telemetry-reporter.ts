import { describeValue } from '@telemetry-reporter/core/internal';
import {
  TransportLogRecordExporter,
  type TransportLogRecordExporterOptions,
} from '../exporters/transport-log-record-exporter.js';
import { ReporterLogRecordProcessor } from '../processors/reporter-log-record-processor.js';
import { checkSdk, loadSdk } from '../sdk/load-sdk.js';
import { buildResource } from '../sdk/reporter-resource.js';
import type { ResourceObjectLike } from '../sdk/reporter-sdk.js';
import type { AttributesLike } from '../sdk/sdk-types.js';
import { ReporterFacade } from './reporter-facade.js';
import type { TelemetryReporter, TelemetryReporterOptions } from './telemetry-reporter.js';

const DEFAULT_LOGGER_NAME = '@telemetry-reporter/otel';

/**
 * A reporter for teams that report events rather than use the Logs API: an SDK `LoggerProvider`
 * with one {@link ReporterLogRecordProcessor} in front of your `transport` (through a
 * `TransportLogRecordExporter`) or `exporter`. Works on OpenTelemetry SDK 2.x and 3.x: the SDK
 * is the app's own `@opentelemetry/sdk-logs`, loaded on the first call, or the `sdk` option.
 * Throws a `TypeError` for a bad option and an `SdkLoadError` when the SDK is missing.
 */
export function createTelemetryReporter<Payload = string>(
  options: TelemetryReporterOptions<Payload>,
): TelemetryReporter {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `createTelemetryReporter options must be an object with a transport or an exporter, got ${describeValue(options)}`,
    );
  }
  const { transport, exporter, encoder, retry, spool } = options;
  if ((transport === undefined) === (exporter === undefined)) {
    throw new TypeError(
      `createTelemetryReporter needs exactly one of transport and exporter, got ${transport === undefined ? 'neither' : 'both'}`,
    );
  }
  if (exporter !== undefined) {
    const misplaced = [
      ['encoder', encoder],
      ['retry', retry],
      ['spool', spool],
    ].find(([, value]) => value !== undefined)?.[0];
    if (misplaced !== undefined) {
      throw new TypeError(
        `${misplaced} applies to a transport; an exporter encodes, retries and buffers on its own`,
      );
    }
  }
  const serviceName = nonEmptyString('serviceName', options.serviceName);
  const loggerName = nonEmptyString('loggerName', options.loggerName) ?? DEFAULT_LOGGER_NAME;
  const resource = checkResource(options.resource);
  // Options first, so that a bad value is reported even where the SDK is missing too.
  const processor = new ReporterLogRecordProcessor({
    ...options,
    exporter:
      exporter ??
      new TransportLogRecordExporter(options as TransportLogRecordExporterOptions<unknown>),
  });
  const sdk = options.sdk === undefined ? loadSdk() : checkSdk(options.sdk, 'sdk');
  const loggerProvider = new sdk.logs.LoggerProvider({
    resource: buildResource(sdk, resource, serviceName),
    processors: [processor],
  } as never);
  return new ReporterFacade(loggerProvider, processor, loggerName);
}

function checkResource(
  resource: AttributesLike | ResourceObjectLike | undefined,
): AttributesLike | ResourceObjectLike | undefined {
  if (
    resource !== undefined &&
    (typeof resource !== 'object' || resource === null || Array.isArray(resource))
  ) {
    throw new TypeError(
      `resource must be an attributes object or an OpenTelemetry Resource, got ${describeValue(resource)}`,
    );
  }
  return resource;
}

function nonEmptyString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}
