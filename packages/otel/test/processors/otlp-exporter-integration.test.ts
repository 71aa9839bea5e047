import { afterEach, beforeEach, expect, it } from 'vitest';
import { LoggerProvider, OTLPLogExporter, resourceFromAttributes } from '#sdk';
import { ReporterLogRecordProcessor, unaccountedRecords } from '../../src/index.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';

// The processor must work with any OpenTelemetry exporter, not only ours: here the real
// OTLP/HTTP log exporter ships to a receiver started by the test.

let receiver: OtlpReceiver;

beforeEach(async () => {
  receiver = await OtlpReceiver.start();
});

afterEach(async () => {
  await receiver.stop();
});

function setup() {
  const exporter = new OTLPLogExporter({ url: receiver.url });
  const processor = new ReporterLogRecordProcessor({ exporter, maxExportBatchSize: 200 });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-test' }),
    processors: [processor],
  });
  return { processor, provider, logger: provider.getLogger('integration') };
}

it('delivers every record through the real OTLP/HTTP exporter', async () => {
  const { processor, provider, logger } = setup();
  for (let i = 0; i < 1000; i++) logger.emit({ body: `record ${i}` });
  await provider.forceFlush();
  expect(receiver.bodies()).toEqual(Array.from({ length: 1000 }, (_, i) => `record ${i}`));
  expect(receiver.requests).toHaveLength(5);
  const serviceName = receiver.requests[0]?.resourceLogs?.[0]?.resource?.attributes?.find(
    (a) => a.key === 'service.name',
  );
  expect(serviceName?.value).toEqual({ stringValue: 'otlp-test' });
  expect(processor.stats()).toMatchObject({
    received: 1000,
    exported: 1000,
    queued: 0,
    inFlight: 0,
  });
  await provider.shutdown();
});

it('counts a batch the collector refuses as rejected', async () => {
  receiver.statuses.push(400);
  const { processor, provider, logger } = setup();
  for (let i = 0; i < 300; i++) logger.emit({ body: `record ${i}` });
  await provider.forceFlush();
  // the first batch of 200 was refused, the second delivered
  expect(receiver.bodies()).toHaveLength(100);
  expect(processor.stats()).toMatchObject({
    exported: 100,
    dropped: expect.objectContaining({ rejected: 200 }),
  });
  expect(unaccountedRecords(processor.stats())).toBe(0);
  await provider.shutdown();
});
