// Encoding cost per record of the OTLP encoders next to OpenTelemetry's own serializers, on real
// SDK records, in one process. Not a test: run it by hand after a build.
//
//   npx -y pnpm@10.34.8 run build
//   node packages/transport-http/bench-encoders.mjs                  # SDK 2 line (0.2xx transformer)
//   npx -y node@22 packages/transport-http/bench-encoders.mjs --sdk 3 # SDK 3 line (0.30x)
//   ... --quick                                                      # fewer runs
//
// Each figure is the median, over several rounds, of the mean CPU time per record of one round
// (many encodes of the same batch; the transformer and ours take turns in each round, so both
// see the same machine). CPU time, not wall time: on a shared machine it is what the encoding
// costs. Batches: 512 log records / spans with 5 attributes, and 2,048 with 20; logs come eight
// per trace, spans as traces of eight. Then the wall time of one write() of a slice of a
// 512-record batch with the incremental writer: what a caller spreading a batch over
// event-loop turns blocks for.

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

const resource = () =>
  sdk.resourceFromAttributes({
    'service.name': 'checkout',
    'service.version': '1.4.2',
    'deployment.environment.name': 'production',
  });

/** `attributes` attributes of record `i`: a third integers, the rest short strings. */
function attributesOf(i, attributes) {
  const attrs = {};
  for (let a = 0; a < attributes; a++) {
    attrs[`app.attribute_${a}`] = a % 3 === 0 ? i * 7 + a : `value ${i}-${a}`;
  }
  return attrs;
}

/**
 * `count` SDK log records with `attributes` attributes, as a service logs them: eight per
 * request, inside the request's sampled span.
 */
function logRecords(count, attributes) {
  const records = [];
  const provider = new sdk.LoggerProvider({
    resource: resource(),
    processors: [
      {
        onEmit: (record) => records.push(record),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  const logger = provider.getLogger('orders', '1.0.0');
  const requests = spans(Math.ceil(count / 8), 0, 1);
  for (let i = 0; i < count; i++) {
    const context = sdk.trace.setSpanContext(sdk.ROOT_CONTEXT, requests[i >> 3].spanContext());
    logger.emit({
      body: `order ${i} was paid with card ending 4242`,
      severityNumber: sdk.SeverityNumber.INFO,
      severityText: 'INFO',
      attributes: attributesOf(i, attributes),
      context,
    });
  }
  return records;
}

/** `count` ended SDK spans with `attributes` attributes: traces of a root and `perTrace - 1` children. */
function spans(count, attributes, perTrace = 8) {
  const ended = [];
  const provider = new sdk.TracerProvider({
    resource: resource(),
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
  let root;
  let parent;
  for (let i = 0; i < count; i++) {
    const options = { attributes: attributesOf(i, attributes), kind: i % perTrace === 0 ? 1 : 2 };
    const span = tracer.startSpan(
      `GET /orders/${i % 10}`,
      options,
      i % perTrace === 0 ? undefined : parent,
    );
    if (i % perTrace === 0) {
      root?.end();
      root = span;
      parent = sdk.trace.setSpan(sdk.ROOT_CONTEXT, span);
    } else {
      span.end();
    }
  }
  root?.end();
  return ended;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** CPU time of this process, in µs: what the encoding costs, whatever else the machine runs. */
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Median ns per record of each of `encoders` on `items`: RUNS rounds, each running every
 * encoder in turn for TARGET_MILLIS_PER_RUN of CPU time, after a warm-up of each.
 */
function measure(encoders, items) {
  let sink = 0;
  const results = encoders.map(() => []);
  for (let round = -1; round < RUNS; round++) {
    encoders.forEach((encode, e) => {
      const started = cpu();
      let iterations = 0;
      while (cpu() - started < TARGET_MILLIS_PER_RUN * 1000) {
        sink += encode(items).length;
        iterations++;
      }
      if (round >= 0) results[e].push(((cpu() - started) * 1000) / iterations / items.length);
    });
  }
  if (sink === 0) throw new Error('nothing was encoded');
  return results.map(median);
}

function compare(label, items, transformer, ours) {
  const [theirs, mine] = measure(
    [(batch) => transformer.serializeRequest(batch), (batch) => ours.encode(batch).payload],
    items,
  );
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
