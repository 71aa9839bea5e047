// Compile-time checks, run by `pnpm typecheck` (tsconfig.test.json), not by vitest: both SDK
// lines' modules fit the reporter's `sdk` option, its provider is a real Logs API provider on both
// lines, and both lines' loggers fit forwardDiagnosticsChannels, all without a cast.
import * as sdk2 from '@telemetry-reporter-internal/otel-sdk-2';
import * as sdk3 from '@telemetry-reporter-internal/otel-sdk-3';
import {
  createTelemetryReporter,
  forwardDiagnosticsChannels,
  type ReporterSdk,
} from '../../src/index.js';

const transport = { send: async (_payload: string) => {} };

export const sdk2Modules: ReporterSdk = { logs: sdk2, resources: sdk2 };
export const sdk3Modules: ReporterSdk = { logs: sdk3, resources: sdk3 };

export function providersAreLogsApiProviders(): void {
  const reporter = createTelemetryReporter({ transport, sdk: sdk2Modules });
  sdk2.logs.setGlobalLoggerProvider(reporter.loggerProvider);
  sdk3.logs.setGlobalLoggerProvider(reporter.loggerProvider);
  createTelemetryReporter({
    exporter: new sdk3.OTLPLogExporter(),
    sdk: sdk3Modules,
    resource: sdk3.resourceFromAttributes({ 'service.name': 'checkout' }),
  });
  createTelemetryReporter({ exporter: new sdk2.InMemoryLogRecordExporter(), resource: { a: 1 } });
}

export function loggersOfBothLinesForward(): void {
  const reporter = createTelemetryReporter({ transport });
  forwardDiagnosticsChannels({ channels: ['a'], reporter });
  forwardDiagnosticsChannels({
    channels: ['a'],
    logger: new sdk2.LoggerProvider({ processors: [reporter.processor] }).getLogger('dc'),
    processor: reporter.processor,
  });
  forwardDiagnosticsChannels({ channels: ['a'], logger: new sdk3.LoggerProvider().getLogger('x') });
  forwardDiagnosticsChannels({ channels: ['a'], logger: sdk2.logs.getLogger('x') });
  forwardDiagnosticsChannels({ channels: ['a'], logger: sdk3.logs.getLogger('x') });
}

export function optionsAreChecked(): void {
  // @ts-expect-error exactly one of transport and exporter
  createTelemetryReporter({ transport, exporter: new sdk2.InMemoryLogRecordExporter() });
  // @ts-expect-error retry belongs to a transport
  createTelemetryReporter({ exporter: new sdk2.InMemoryLogRecordExporter(), retry: false });
  // @ts-expect-error a transport of bytes needs an encoder that produces bytes
  createTelemetryReporter({ transport: { send: async (_payload: Uint8Array) => {} } });
  const reporter = createTelemetryReporter({ transport });
  // @ts-expect-error a reporter's severity is a name or a number
  reporter.log('e', 'verbose');
  // @ts-expect-error processor goes with a logger
  forwardDiagnosticsChannels({ channels: ['a'], reporter, processor: reporter.processor });
}
