#!/usr/bin/env node
// Runs every built example (examples/<name>/dist/main.js) in its own process, as a user would,
// and fails when one exits non-zero or is still running after the timeout: an example that no
// longer ends on its own is as broken as one that throws. Build first (`tsc -b`).
//
//   node scripts/run-examples.mjs [--verbose] [name ...]
//
// An example is a folder with a package.json and a src/main.ts (examples/support, a library the
// examples share, has none). It runs in its own folder, as `pnpm start` would, with the node
// arguments of its package.json's "exampleArgs" (preloads such as `--import ./dist/telemetry.js`)
// before dist/main.js. Output is shown for failures only, or for every example with --verbose.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TIMEOUT_MILLIS = 15_000;
const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url));
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const wanted = args.filter((a) => !a.startsWith('--'));

const all = readdirSync(examplesDir, { withFileTypes: true })
  .filter(
    (d) =>
      d.isDirectory() &&
      existsSync(`${examplesDir}${d.name}/package.json`) &&
      existsSync(`${examplesDir}${d.name}/src/main.ts`),
  )
  .map((d) => d.name)
  .sort();
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown example(s): ${unknown.join(', ')}; there are: ${all.join(', ')}`);
  process.exit(2);
}

// The examples check their own outcome against a clean environment: an OTLP endpoint or batch
// sizes set in the shell would send them elsewhere or change what they expect.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !name.startsWith('OTEL_') && !name.startsWith('TELEMETRY_REPORTER_'),
  ),
);

/** The example's "exampleArgs": node arguments that go before dist/main.js. */
function exampleArgs(dir) {
  const manifest = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  const args = manifest.exampleArgs ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new TypeError(`${dir}/package.json: exampleArgs must be an array of strings`);
  }
  return args;
}

function run(name) {
  const dir = `${examplesDir}${name}`;
  const main = `${dir}/dist/main.js`;
  if (!existsSync(main)) {
    return Promise.resolve({ ok: false, detail: `${main} not found: build first (tsc -b)` });
  }
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...exampleArgs(dir), 'dist/main.js'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MILLIS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const ok = code === 0 && !timedOut;
      const detail = ok
        ? `${seconds} s`
        : timedOut
          ? `still running after ${TIMEOUT_MILLIS / 1000} s, killed`
          : `exit ${code ?? signal} after ${seconds} s`;
      resolve({ ok, detail, output });
    });
  });
}

let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  const { ok, detail, output } = await run(name);
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${detail})`);
  if ((!ok || verbose) && output) console.log(output.trimEnd().replace(/^/gm, '     | '));
}
if (failed > 0) {
  console.error(`\n${failed} example(s) failed`);
  process.exit(1);
}
