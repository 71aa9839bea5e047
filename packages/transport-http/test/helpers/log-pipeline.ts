import {
  type Encoder,
  ReporterLogRecordProcessor,
  type ReporterLogRecordProcessorOptions,
  type RetryOptions,
  type Transport,
  TransportLogRecordExporter,
} from '@telemetry-reporter/otel';
import { LoggerProvider, resourceFromAttributes } from '#sdk';

/** Options of {@link logPipeline}. */
export interface LogPipelineOptions<Payload> {
  readonly transport: Transport<Payload>;
  readonly encoder?: Encoder<never, Payload>;
  readonly retry?: RetryOptions | false;
  /** The exporter's request bound; the exporter's default (4 MiB) when left out. */
  readonly maxRequestBytes?: number;
  readonly processor?: Partial<Omit<ReporterLogRecordProcessorOptions, 'exporter'>>;
}

/**
 * What a user builds: a LoggerProvider of the SDK line under test, with a
 * ReporterLogRecordProcessor whose TransportLogRecordExporter ships through `transport`.
 */
export function logPipeline<Payload>(options: LogPipelineOptions<Payload>) {
  const exporter = new TransportLogRecordExporter({
    transport: options.transport,
    encoder: options.encoder,
    retry: options.retry ?? { maxAttempts: 5, initialDelayMillis: 10, maxDelayMillis: 50 },
    ...(options.maxRequestBytes === undefined ? {} : { maxRequestBytes: options.maxRequestBytes }),
  } as ConstructorParameters<typeof TransportLogRecordExporter<Payload>>[0]);
  const processor = new ReporterLogRecordProcessor({
    maxExportBatchSize: 100,
    ...options.processor,
    exporter,
  });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [processor],
  });
  const logger = provider.getLogger('orders');
  return {
    processor,
    provider,
    /** Emits `count` records with bodies `record <from + i>`. */
    emit(count: number, from = 0): void {
      for (let i = 0; i < count; i++) logger.emit({ body: `record ${from + i}` });
    },
    logger,
  };
}
