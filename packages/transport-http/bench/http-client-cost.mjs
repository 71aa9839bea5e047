// What one export request costs the exporting process, by HTTP client: createHttpTransport over
// our own HTTP/1.1 on sockets (the default), over node:http (its test oracle, forced here), from a worker thread (thread: 'worker', our HTTP/1.1 there too), and over the
// `fetch` option (Node's global fetch, the transport's
// client before 0.2), and, for reference, bare `http.request` with a keep-alive agent and bare
// `fetch` with nothing of the transport around them.
//
// Payloads are OTLP protobuf ExportLogsServiceRequests of 512 SDK log records (the default
// batch), encoded once by createOtlpLogsEncoder; compression off and gzip. The server is an
// OTLP-like sink (reads the body, answers 200 with an empty protobuf body) in ANOTHER process,
// on 127.0.0.1, so that its work is not counted. Requests go one after another, as with the
// default maxConcurrentExports of 1 (--concurrency to change it).
//
// Measured per request, median over rounds that alternate which contender goes first:
// - main-thread CPU (process.threadCpuUsage(), Node >= 22.19 / 23.9; otherwise
//   process.cpuUsage(), which also counts the libuv pool that gzips);
// - process CPU (process.cpuUsage(): every thread, gzip on the libuv pool and GC helpers too);
// - requests per second (wall clock, one request at a time).
//
//   npx -y pnpm@10.34.8 run build        # the script runs the built dist/
//   npx -y node@22 --expose-gc packages/transport-http/bench/http-client-cost.mjs [--quick]
//     [--rounds 7] [--requests 400] [--concurrency 1] [--json results.json]
//
// A benchmark, not a test: it checks that every request was delivered, nothing about speed.

import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const role = process.argv[2];
if (role === 'server') await serve();
else await main();

/** The sink, in its own process: answers every request once its body has arrived. */
async function serve() {
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 5000; // Node's default, stated: the client must idle out before it
  process.on('message', (message) => {
    if (message === 'count') process.send?.({ requests, bytes });
  });
  process.on('disconnect', () => process.exit(0));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ port: server.address().port });
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string', default: '1' },
      json: { type: 'string' },
    },
  });
  const rounds = Number(values.rounds ?? (values.quick ? 3 : 7));
  const requests = Number(values.requests ?? (values.quick ? 100 : 400));
  const warmup = Number(values.warmup ?? (values.quick ? 30 : 100));
  const concurrency = Number(values.concurrency);

  const { createHttpTransport } = await import('../dist/index.js');
  const { createHttpTransportOver } = await import('../dist/http-transport.js');
  const { NodeHttpClient } = await import('../dist/client/node-http-client.js');
  const { nextTurn } = await import('@telemetry-reporter/core/internal');
  const { createOtlpLogsEncoder } = await import('../dist/otlp/index.js');
  const sdk = await import('@telemetry-reporter-internal/otel-sdk-2');

  const child = fork(new URL(import.meta.url).pathname, ['server'], { stdio: 'inherit' });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const url = `http://127.0.0.1:${port}/v1/logs`;
  const encoder = createOtlpLogsEncoder();

  const payloads = [
    { name: '512 small records', payload: encode(sdk, encoder, { bodyChars: 24, attributes: 2 }) },
    { name: '512 large records', payload: encode(sdk, encoder, { bodyChars: 110, attributes: 5 }) },
  ];

  const contenders = [
    {
      name: 'transport over our HTTP/1.1 on sockets',
      make: (compression) =>
        transportSender(
          createHttpTransport({ url, contentType: encoder.contentType, compression }),
        ),
    },
    {
      name: 'transport over node:http',
      make: (compression) =>
        transportSender(
          createHttpTransportOver(
            { url, contentType: encoder.contentType, compression },
            new NodeHttpClient(url, { laterTurn: nextTurn }),
          ),
        ),
    },
    {
      name: "transport, thread: 'worker' (our HTTP/1.1 there)",
      make: (compression) =>
        transportSender(
          createHttpTransport({
            url,
            contentType: encoder.contentType,
            compression,
            thread: 'worker',
          }),
        ),
    },
    {
      name: 'transport over fetch',
      make: (compression) =>
        transportSender(
          createHttpTransport({
            url,
            contentType: encoder.contentType,
            compression,
            fetch: (u, init) => globalThis.fetch(u, init),
          }),
        ),
    },
    { name: 'bare http.request (reference)', make: (compression) => bareHttp(url, compression) },
    { name: 'bare fetch (reference)', make: (compression) => bareFetch(url, compression) },
  ];

  const clock = typeof process.threadCpuUsage === 'function' ? 'thread' : 'process';
  const rows = [];
  for (const { name: payloadName, payload } of payloads) {
    const gzipped = gzipSync(payload).length;
    for (const compression of ['none', 'gzip']) {
      const senders = contenders.map((c) => ({ name: c.name, send: c.make(compression) }));
      const samples = new Map(senders.map((s) => [s.name, []]));
      for (let round = 0; round < rounds; round++) {
        // Rotate who goes first, so that warm-up and GC drift do not favour one contender.
        const order = senders.map((_, i) => senders[(i + round) % senders.length]);
        for (const sender of order) {
          await run(sender.send, payload, warmup, concurrency);
          globalThis.gc?.();
          samples.get(sender.name).push(await measure(sender.send, payload, requests, concurrency));
        }
      }
      for (const sender of senders) {
        const s = samples.get(sender.name);
        rows.push({
          payload: payloadName,
          bytes: payload.length,
          wireBytes: compression === 'gzip' ? gzipped : payload.length,
          compression,
          contender: sender.name,
          mainThreadMicrosPerRequest: median(s.map((x) => x.main)),
          processMicrosPerRequest: median(s.map((x) => x.process)),
          requestsPerSecond: median(s.map((x) => x.rate)),
        });
      }
      for (const sender of senders) await sender.send.close?.();
    }
  }

  const expected = payloads.length * 2 * contenders.length * rounds * (warmup + requests);
  child.send('count');
  const counted = await new Promise((resolve) => child.once('message', resolve));
  child.disconnect();
  if (counted.requests !== expected) {
    throw new Error(`the sink counted ${counted.requests} requests, expected ${expected}`);
  }

  printTable(rows, { clock, rounds, requests, concurrency });
  if (values.json !== undefined) {
    writeFileSync(
      values.json,
      `${JSON.stringify({ node: process.version, clock, rounds, requests, concurrency, rows }, null, 2)}\n`,
    );
  }
}

/**
 * 512 SDK log records as one OTLP protobuf payload, about 50 KiB (small) or 150 KiB (large):
 * bodies of `bodyChars` characters, the first `attributes` of five attributes.
 */
function encode(sdk, encoder, { bodyChars, attributes }) {
  const records = [];
  const provider = new sdk.LoggerProvider({
    resource: sdk.resourceFromAttributes({
      'service.name': 'checkout',
      'service.version': '4.2.1',
      'deployment.environment.name': 'production',
      'host.name': 'checkout-7d9f8c6b5-x2kqp',
    }),
    processors: [
      {
        onEmit: (record) => records.push(record),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  const logger = provider.getLogger('checkout.http', '4.2.1');
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const hex = (n) =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const words = ['order', 'payment', 'cart', 'user', 'item', 'shipping', 'coupon', 'invoice'];
  for (let i = 0; i < 512; i++) {
    let body = `request ${hex(16)} handled:`;
    while (body.length < bodyChars)
      body += ` ${words[Math.floor(random() * words.length)]}=${hex(6)}`;
    logger.emit({
      body,
      severityNumber: i % 20 === 0 ? sdk.SeverityNumber.WARN : sdk.SeverityNumber.INFO,
      severityText: i % 20 === 0 ? 'WARN' : 'INFO',
      attributes: Object.fromEntries(
        Object.entries({
          'http.route': `/api/v1/${words[i % words.length]}s/:id`,
          'http.response.status_code': i % 50 === 0 ? 500 : 200,
          'http.request.method': i % 3 === 0 ? 'POST' : 'GET',
          'user.id': `u-${hex(8)}`,
          'duration.ms': Math.round(random() * 5000) / 10,
        }).slice(0, attributes),
      ),
    });
  }
  const encoded = encoder.encode(records);
  if (encoded.payload === undefined || encoded.failedCount !== 0)
    throw new Error('encoding failed');
  return encoded.payload;
}

function transportSender(transport) {
  const context = { signal: new AbortController().signal, attempt: 1, recordCount: 512 };
  const send = (payload) => transport.send(payload, context);
  send.close = () => transport.shutdown();
  return send;
}

function bareHttp(url, compression) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6, timeout: 4000 });
  const send = async (payload) => {
    const body = compression === 'gzip' ? await gzipAsync(payload) : payload;
    await new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-protobuf',
          'content-length': body.length,
          ...(compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
        },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('status'))));
      });
      req.end(body);
    });
  };
  send.close = () => agent.destroy();
  return send;
}

function bareFetch(url, compression) {
  return async (payload) => {
    const body = compression === 'gzip' ? await gzipAsync(payload) : payload;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-protobuf',
        ...(compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
      },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error('status');
  };
}

async function gzipAsync(payload) {
  const { gzip } = await import('node:zlib');
  return new Promise((resolve, reject) =>
    gzip(payload, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/** Sends `count` requests, `concurrency` at a time. */
async function run(send, payload, count, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await send(payload);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function measure(send, payload, count, concurrency) {
  const mainBefore = mainThreadCpu();
  const processBefore = process.cpuUsage();
  const started = performance.now();
  await run(send, payload, count, concurrency);
  const wall = performance.now() - started;
  const main = mainThreadCpu(mainBefore);
  const all = process.cpuUsage(processBefore);
  return {
    main: (main.user + main.system) / count,
    process: (all.user + all.system) / count,
    rate: (count * 1000) / wall,
  };
}

function mainThreadCpu(previous) {
  return typeof process.threadCpuUsage === 'function'
    ? process.threadCpuUsage(previous)
    : process.cpuUsage(previous);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(rows, { clock, rounds, requests, concurrency }) {
  console.log(
    `Node ${process.version}; main-thread CPU from ${clock === 'thread' ? 'process.threadCpuUsage()' : 'process.cpuUsage() (includes the libuv pool)'}; ` +
      `median of ${rounds} rounds of ${requests} requests, ${concurrency} at a time; sink in another process\n`,
  );
  console.log(
    '| payload | gzip | contender | main-thread CPU µs/req | process CPU µs/req | req/s | vs node:http (main thread) |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    const base = rows.find(
      (r) =>
        r.payload === row.payload &&
        r.compression === row.compression &&
        r.contender === 'transport over node:http',
    );
    const size = `${row.payload} (${kb(row.bytes)}${row.compression === 'gzip' ? ` → ${kb(row.wireBytes)} gzipped` : ''})`;
    console.log(
      `| ${size} | ${row.compression === 'gzip' ? 'on' : 'off'} | ${row.contender} | ${row.mainThreadMicrosPerRequest.toFixed(0)} | ${row.processMicrosPerRequest.toFixed(0)} | ${row.requestsPerSecond.toFixed(0)} | ${(row.mainThreadMicrosPerRequest / base.mainThreadMicrosPerRequest).toFixed(2)}x |`,
    );
  }
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
