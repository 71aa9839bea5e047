// Forward node:diagnostics_channel messages to a telemetry reporter: the undici channels Node's
// fetch publishes on, and the app's own channels. Subscribers run on the publisher's stack, so
// forwarding is O(1) there; encoding and delivery happen later, in batches.
import { channel } from 'node:diagnostics_channel';
import {
  createTelemetryReporter,
  type DiagnosticsChannelMap,
  forwardDiagnosticsChannels,
  type LogRecordJson,
  type Transport,
} from '@telemetry-reporter/otel';
import { startItemServer } from './item-server.js';

// Stands in for your backend: keeps what arrives, in the default JSON shape (LogRecordJson).
// A reporter that shipped over fetch would publish on the undici channels itself: see README.
const delivered: LogRecordJson[] = [];
const memory: Transport<string> = {
  async send(payload) {
    delivered.push(...(JSON.parse(payload) as LogRecordJson[]));
  },
};
const reporter = createTelemetryReporter({ transport: memory, serviceName: 'dc-example' });

/** The fields of undici's request object this example reads. */
interface UndiciRequest {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
}

function requestFields(message: unknown): { method: string; url: string } {
  const { request } = message as { request: UndiciRequest };
  // The query string is left out: it can carry tokens. Headers too, for the same reason.
  return { method: request.method, url: `${request.origin}${request.path.split('?')[0]}` };
}

const mapUndici: DiagnosticsChannelMap = (message, name) => {
  if (name === 'undici:request:create') {
    return { eventName: 'http.client.request', severityNumber: 9, body: requestFields(message) };
  }
  const { statusCode } = (message as { response: { statusCode: number } }).response;
  return {
    eventName: 'http.client.response',
    severityNumber: statusCode >= 400 ? 13 : 9, // WARN : INFO
    body: { ...requestFields(message), status: statusCode },
  };
};

const unsubscribers = [
  forwardDiagnosticsChannels({
    channels: ['undici:request:create', 'undici:request:headers'],
    reporter,
    map: mapUndici,
  }),
  // No map: the record's eventName is the channel, its body a bounded copy of the message.
  forwardDiagnosticsChannels({ channels: ['app:cache:miss'], reporter }),
  // A map with a bug: it assumes every message has an `order`. When one does not, that message
  // is dropped and counted as encoding_failed; the publisher never sees the error.
  forwardDiagnosticsChannels({
    channels: ['app:checkout'],
    reporter,
    map: (message) => ({
      eventName: 'checkout',
      body: { orderId: (message as { order: { id: string } }).order.id },
    }),
  }),
];

const server = await startItemServer();
for (const path of ['/items/1', '/items/2?token=s3cr3t', '/items/404']) {
  const response = await fetch(`${server.url}${path}`);
  await response.text();
}
channel('app:cache:miss').publish({ key: 'item:2', tier: 'l1', ttlSeconds: 60 });
channel('app:checkout').publish({ order: { id: 'ord-1' } });
channel('app:checkout').publish({ cart: 'no order here' }); // the map throws on this one
console.log('publisher: all messages published, no error reached it\n');

await reporter.flush();
for (const unsubscribe of unsubscribers) unsubscribe();
console.log(`forwarded ${delivered.length} records:`);
for (const record of delivered) {
  console.log(`  ${(record.eventName ?? '').padEnd(21)} ${JSON.stringify(record.body)}`);
}
const { received, exported, dropped } = reporter.stats();
console.log(
  `\nreporter: received ${received}, exported ${exported}, dropped encoding_failed ${dropped.encoding_failed}`,
);

await reporter.stop();
await server.close();
// 3 requests + 3 responses + 1 cache miss + 1 checkout; the malformed checkout only counted.
process.exitCode = delivered.length === 8 && dropped.encoding_failed === 1 ? 0 : 1;
