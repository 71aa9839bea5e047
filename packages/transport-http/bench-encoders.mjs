// Encoding cost per record of the OTLP encoders next to OpenTelemetry's own serializers, on real
// SDK records, in one process. Not a test: run it by hand after a build.
//
//   npx -y pnpm@10.34.8 run build
//   node packages/transport-http/bench-encoders.mjs                  # SDK 2 line (0.2xx transformer)
//   npx -y node@22 packages/transport-http/bench-encoders.mjs --sdk 3 # SDK 3 line (0.30x)
//   ... --quick                                                      # fewer runs
//
// Each figure is the median, over several runs, of the mean ns per record of one run (many
// encodes of the same batch). Batches: 512 log records / spans with 5 attributes, and 2,048
// with 20. Then the cost of one write() of a slice of a 512-record batch with the incremental
// writer, which is what a caller spreading a batch over event-loop turns blocks for.

import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { sdk: { type: 'string', default: '2' }, quick: { type: 'boolean', default: false } },
});
const sdk = await import(
  new URL(`../../compat/otel-sdk-${args.sdk === '3' ? '3' : '2'}/index.js`, import.meta.url).href
);
const { createOtlpLogsEncoder, createOtlpSpansEncoder } = await import(
  new URL('./dist/otlp/index.js', import.meta.url).href
);

const RUNS = args.quick ? 5 : 11;
const TARGET_MILLIS_PER_RUN = args.quick ? 60 : 150;

/** `count` SDK log records with `attributes` attributes, emitted inside a sampled span. */
function logRecords(count, attributes) {
  const records = [];
  const provider = new sdk.LoggerProvider({
    resource: sdk.resourceFromAttributes({
      'service.name': 'checkout',
      'service.version': '1.4.2',
      'deployment.environment.name': 'production',
    }),
    processors: [
      {
        onEmit: (record) => records.push(record),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  const logger = provider.getLogger('orders', '1.0.0');
  const span = spans(1, 0)[0];
  const context = sdk.trace.setSpanContext(sdk.ROOT_CONTEXT, span.spanContext());
  for (let i = 0; i < count; i++) {
    const attrs = {};
    for (let a = 0; a < attributes; a++) {
      attrs[`app.attribute_${a}`] = a % 3 === 0 ? i * 7 + a : `value ${i}-${a}`;
    }
    logger.emit({
      body: `order ${i} was paid with card ending 4242`,
      severityNumber: sdk.SeverityNumber.INFO,
      severityText: 'INFO',
      attributes: attrs,
      context,
    });
  }
  return records;
}

/** `count` ended SDK spans with `attributes` attributes. */
function spans(count, attributes) {
  const ended = [];
  const provider = new sdk.TracerProvider({
    resource: sdk.resourceFromAttributes({
      'service.name': 'checkout',
      'service.version': '1.4.2',
      'deployment.environment.name': 'production',
    }),
    spanProcessors: [
      {
        onStart: () => {},
        onEnd: (span) => ended.push(span),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  const tracer = provider.getTracer('orders', '1.0.0');
  for (let i = 0; i < count; i++) {
    const attrs = {};
    for (let a = 0; a < attributes; a++) {
      attrs[`app.attribute_${a}`] = a % 3 === 0 ? i * 7 + a : `value ${i}-${a}`;
    }
    tracer.startSpan(`GET /orders/${i % 10}`, { attributes: attrs, kind: 1 }).end();
  }
  return ended;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Median ns per record of `encode(items)`, over RUNS runs, after a warm-up. */
function measure(encode, items) {
  let sink = 0;
  const warmUntil = performance.now() + TARGET_MILLIS_PER_RUN;
  let iterations = 0;
  while (performance.now() < warmUntil) {
    sink += encode(items).length;
    iterations++;
  }
  const perRun = Math.max(3, iterations);
  const results = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < perRun; i++) sink += encode(items).length;
    const nanos = Number(process.hrtime.bigint() - started);
    results.push(nanos / perRun / items.length);
  }
  if (sink === 0) throw new Error('nothing was encoded');
  return median(results);
}

function compare(label, items, transformer, ours) {
  const theirs = measure((batch) => transformer.serializeRequest(batch), items);
  const mine = measure((batch) => ours.encode(batch).payload, items);
  console.log(
    `| ${label.padEnd(34)} | ${theirs.toFixed(0).padStart(11)} | ${mine.toFixed(0).padStart(8)} | ${(theirs / mine).toFixed(1).padStart(6)}x |`,
  );
}

/** Median µs of one write() of `size` records (a 512-record batch in slices), and of finish(). */
function slices(encoder, items, size) {
  const writer = encoder.createWriter();
  const writes = [];
  const finishes = [];
  const rounds = args.quick ? 100 : 400;
  for (let round = 0; round < rounds; round++) {
    for (let from = 0; from < items.length; from += size) {
      const started = process.hrtime.bigint();
      writer.write(items, from, Math.min(items.length, from + size));
      writes.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    const started = process.hrtime.bigint();
    writer.finish();
    finishes.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  // the first rounds warm up
  const kept = (values) => values.slice(Math.floor(values.length / 4));
  const p99 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)];
  return {
    median: median(kept(writes)),
    p99: p99(kept(writes)),
    finish: median(kept(finishes)),
  };
}

console.log(
  `Node ${process.version}, SDK line ${sdk.SDK_LINE}, otlp-transformer ${sdk.SDK_VERSIONS['otlp-transformer']}`,
);
console.log('ns per record, median of runs\n');
console.log('| batch                              | transformer |     ours | faster  |');
console.log('| ---------------------------------- | ----------: | -------: | ------: |');
for (const [count, attributes] of [
  [512, 5],
  [2048, 20],
]) {
  const logs = logRecords(count, attributes);
  const traced = spans(count, attributes);
  const tag = `${count} x ${attributes} attrs`;
  compare(`logs protobuf, ${tag}`, logs, sdk.ProtobufLogsSerializer, createOtlpLogsEncoder());
  compare(
    `logs JSON, ${tag}`,
    logs,
    sdk.JsonLogsSerializer,
    createOtlpLogsEncoder({ format: 'json' }),
  );
  compare(`spans protobuf, ${tag}`, traced, sdk.ProtobufTraceSerializer, createOtlpSpansEncoder());
  compare(
    `spans JSON, ${tag}`,
    traced,
    sdk.JsonTraceSerializer,
    createOtlpSpansEncoder({ format: 'json' }),
  );
}

console.log('\nIncremental writer, 512 records x 5 attributes: µs per write() of a slice\n');
console.log('| encoder        | slice | median | p99    | finish() |');
console.log('| -------------- | ----: | -----: | -----: | -------: |');
const logs = logRecords(512, 5);
const traced = spans(512, 5);
for (const [label, encoder, items] of [
  ['logs protobuf', createOtlpLogsEncoder(), logs],
  ['logs JSON', createOtlpLogsEncoder({ format: 'json' }), logs],
  ['spans protobuf', createOtlpSpansEncoder(), traced],
  ['spans JSON', createOtlpSpansEncoder({ format: 'json' }), traced],
]) {
  for (const size of [64, 128, 256, 512]) {
    const { median: m, p99, finish } = slices(encoder, items, size);
    console.log(
      `| ${label.padEnd(14)} | ${String(size).padStart(5)} | ${m.toFixed(1).padStart(6)} | ${p99.toFixed(1).padStart(6)} | ${finish.toFixed(1).padStart(8)} |`,
    );
  }
}
