// `pnpm soak`: 5,000,000 log records through ReporterLogRecordProcessor, TransportLogRecordExporter
// and createHttpTransport to a loopback server that fails, throttles, rejects and hangs; checks
// that the server's count equals stats().exported, that every record is accounted for, that the
// heap stays bounded and that no secret leaks; writes soak/RESULTS.md.
// `pnpm soak --quick`: the same on 100,000 records, for CI; writes nothing. Exit code 1 when a
// check fails.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checks, summary } from './report.js';
import { runSoak, type SoakOptions } from './soak.js';

const HELP = `usage: pnpm soak [--quick] [--records N] [--rate N] [--write]
  --quick       100,000 records (default 5,000,000); writes no RESULTS.md unless --write
  --records N   records to emit
  --rate N      target emission rate in records/s (0: unpaced)
  --write       write soak/RESULTS.md (the default for a full run of 5,000,000)`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    records: { type: 'string' },
    rate: { type: 'string' },
    write: { type: 'boolean' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got '${text}'\n${HELP}`);
    process.exit(2);
  }
  return value;
}

const quick = values.quick;
const options: SoakOptions = {
  records: count('records', values.records, quick ? 100_000 : 5_000_000),
  ratePerSecond: count('rate', values.rate, 50_000),
  chunkSize: 1_000,
  plan: { hang: 0.02, reject400: 0.01, fail503: 0.3, throttle429: 0.02, seed: 20_240_601 },
  processor: {
    maxQueueSize: 20_000,
    maxExportBatchSize: 500,
    scheduledDelayMillis: 100,
    // Short, so that hung requests end the run in seconds; long enough that a retry after a
    // `Retry-After: 1` plus backoff (at most ~1.2 s in) ends long before it.
    exportTimeoutMillis: 2_000,
    maxConcurrentExports: 16,
    shutdownTimeoutMillis: 30_000,
  },
  retry: { maxAttempts: 5, initialDelayMillis: 10, maxDelayMillis: 100, multiplier: 2 },
  sampleEveryMillis: 250,
  checkpoints: 10,
};
if (options.records < options.checkpoints) {
  console.error(`--records must be at least ${options.checkpoints}`);
  process.exit(2);
}

console.log(
  `soak: ${options.records.toLocaleString('en-US')} records${quick ? ' (quick)' : ''}, Node ${process.version}${
    (globalThis as { gc?: unknown }).gc === undefined
      ? ' (no --expose-gc: checkpoints without GC)'
      : ''
  }`,
);
// A run that stops making progress must fail, not hang CI.
const limitMillis = Math.max(120_000, options.records * 0.2);
const watchdog = setTimeout(() => {
  console.error(`soak FAILED: no result after ${limitMillis / 1000} s`);
  process.exit(1);
}, limitMillis);
const result = await runSoak(options);
clearTimeout(watchdog);
const runChecks = checks(result);
const text = summary(result, runChecks);
// The report itself is swept too: it is what a CI log would keep.
result.sweep.text(text);
const final = result.sweep.leaks === 0 ? runChecks : checks(result);
const report = final === runChecks ? text : summary(result, final);
console.log(`\n${report}`);

if (values.write ?? (!quick && values.records === undefined)) {
  const title = quick ? '# Soak results (quick run)' : '# Soak results';
  const document = [
    title,
    '',
    `Produced by \`npx -y pnpm@10.34.8 soak${quick ? ' --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}; see soak/README.md for what is measured and why.`,
    '',
    report,
  ].join('\n');
  writeFileSync(new URL('../RESULTS.md', import.meta.url), document);
  console.log('written to soak/RESULTS.md');
}

const failed = final.filter((c) => !c.ok);
if (failed.length > 0) {
  console.error(`\nsoak FAILED: ${failed.map((c) => c.name).join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('\nsoak passed: every check holds');
}
