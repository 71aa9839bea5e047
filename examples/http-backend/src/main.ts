// A service reports its own typed events to its own backend: a small HTTP server with its own
// JSON wire format. The reporter batches and retries; the encoder maps events to the wire format.
import { createTelemetryReporter, type TelemetryReporter } from '@telemetry-reporter/otel';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import { type AppEvent, createWireEncoder, severityOf } from './events.js';
import { startTelemetryServer } from './telemetry-server.js';

const token = process.env.TELEMETRY_TOKEN ?? 'demo-token';
const server = await startTelemetryServer(token);

const reporter = createTelemetryReporter({
  serviceName: 'checkout',
  encoder: createWireEncoder(),
  transport: createHttpTransport({
    url: server.url,
    // A function is called before every attempt, so a rotated token is picked up on retry.
    // Its value never appears in errors or diagnostics.
    headers: () => ({ authorization: `Bearer ${token}` }),
    compression: 'gzip',
  }),
  retry: { initialDelayMillis: 50, maxDelayMillis: 500 }, // short, for the demo
  maxExportBatchSize: 100,
});

/** The one call the service makes: typed, O(1), never throws, never awaits. */
function track(event: AppEvent): void {
  reporter.log(event.type, severityOf(event), event);
}

// The service at work.
for (let i = 1; i <= 250; i++) {
  const orderId = `ord-${i}`;
  if (i % 25 === 0) {
    track({ type: 'payment.declined', orderId, reason: 'card_expired' });
  } else {
    track({ type: 'order.placed', orderId, totalCents: 1999 + i, items: 1 + (i % 3) });
  }
  if (i % 100 === 0) track({ type: 'stock.low', sku: 'SKU-42', remaining: 300 - i });
}
reporter.logException(
  new Error('payment gateway timed out', { cause: new Error('connect ETIMEDOUT 10.0.0.7:443') }),
);
// Not an AppEvent: the encoder cannot map it, so it alone is dropped as encoding_failed.
reporter.log('legacy.ping', 'debug', 'hello');

await reporter.flush(5_000);
printReceived(server.received);
printStats(reporter);

await reporter.stop();
await server.close();
const { exported, dropped } = reporter.stats();
process.exitCode = exported === server.received.length && dropped.encoding_failed === 1 ? 0 : 1;

function printReceived(events: typeof server.received): void {
  const byType = new Map<string, number>();
  for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
  const statuses = [...server.statuses].map(([status, n]) => `${status} x${n}`).join(', ');
  console.log(`server received ${events.length} events (answered ${statuses})`);
  for (const [type, n] of byType) console.log(`  ${type.padEnd(17)} ${n}`);
  const samples = ['order.placed', 'payment.declined', 'exception'];
  for (const type of samples) {
    const event = events.find((e) => e.type === type);
    const json = JSON.stringify(event);
    if (json) console.log(`  e.g. ${json.length > 150 ? `${json.slice(0, 150)}...` : json}`);
  }
}

function printStats(r: TelemetryReporter): void {
  const { received, exported, retries, dropped } = r.stats();
  const drops = Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  console.log(`\nreporter: received ${received}, exported ${exported}, retries ${retries}`);
  console.log(`  dropped: ${drops || 'none'}`);
}
