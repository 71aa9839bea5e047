#!/usr/bin/env node
// Installs the packages as npm would (from the tarballs `pnpm pack` makes) into a scratch app
// outside the workspace, and checks what a consumer meets:
//
//   1. the packed manifests: no `workspace:` ranges and no private @telemetry-reporter-internal/*
//      package in any dependency field; every `exports` target is in the tarball;
//   2. an ESM app imports the packages, builds a processor, emits and checks stats();
//   3. a CommonJS app ("type": "commonjs") does the same with require(), on a Node that can
//      require() an ES module (>= 20.19 or >= 22.12; skipped, and said so, on an older one), and
//      `require('@telemetry-reporter/otel/register')` fails as docs/install.md says (its top-level
//      await), while `node --import @telemetry-reporter/otel/register` works in that app;
//   4. TypeScript consumers with the settings docs/install.md lists type-check (or fail with the
//      error it names), with the workspace's TypeScript and `--strict --exactOptionalPropertyTypes`.
//
// Build first (`tsc -b`). The scratch app takes @opentelemetry/* and @types/node from this
// workspace's store (no network), symlinked. `--keep` leaves the scratch directory in place.
//
//   node scripts/test-packed-consumers.mjs [--keep]
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const PACKAGES = ['core', 'otel', 'transport-http'];
// The SDK 2.x line the consumers build on; its packages come from the compat harness.
const SDK_DIR = join(root, 'compat/otel-sdk-2/node_modules');

const failures = [];
function check(ok, label, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) {
    failures.push(label);
    if (detail) console.log(detail.trimEnd().replace(/^/gm, '     | '));
  }
  return ok;
}

/** Runs a command; resolves with its exit code and combined output, never rejects. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: -1, output: String(error) }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** pnpm: the one running this script (`pnpm test`), else the version package.json pins. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  return [npx, ['-y', packageManager]];
}

/** require() of an ES module is on by default from Node 20.19, 22.12 and 23.0. */
function canRequireEsm() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major >= 23 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
}

const scratch = mkdtempSync(join(tmpdir(), 'telemetry-reporter-consumers-'));
const tarballs = join(scratch, 'tarballs');
const app = join(scratch, 'app');
const modules = join(app, 'node_modules');
mkdirSync(tarballs);
mkdirSync(join(modules, '@telemetry-reporter'), { recursive: true });
mkdirSync(join(modules, '@opentelemetry'), { recursive: true });
mkdirSync(join(modules, '@types'), { recursive: true });

try {
  // 1. Pack, as `pnpm publish` would, and look at what would be published.
  const [pnpm, pnpmArgs] = pnpmCommand();
  const packed = await Promise.all(
    PACKAGES.map((name) =>
      run(pnpm, [...pnpmArgs, 'pack', '--pack-destination', join(tarballs, name)], {
        cwd: join(root, 'packages', name),
      }),
    ),
  );
  PACKAGES.forEach((name, i) => {
    check(packed[i].code === 0, `pnpm pack packages/${name}`, packed[i].output);
  });
  if (failures.length > 0) throw new Error('packing failed');

  for (const name of PACKAGES) {
    const dir = join(modules, '@telemetry-reporter', name);
    mkdirSync(dir);
    const [tarball] = readdirSync(join(tarballs, name));
    const untar = await run('tar', [
      '-xzf',
      join(tarballs, name, tarball),
      '-C',
      dir,
      '--strip-components=1',
    ]);
    check(untar.code === 0, `unpack ${tarball}`, untar.output);
    checkManifest(name, dir);
  }

  // The peers a consumer installs next to the packages: the SDK 2.x line and Node's types.
  for (const peer of ['api', 'api-logs', 'sdk-logs', 'sdk-trace-base', 'resources']) {
    symlinkSync(
      realpathSync(join(SDK_DIR, '@opentelemetry', peer)),
      join(modules, '@opentelemetry', peer),
      'dir',
    );
  }
  symlinkSync(
    realpathSync(join(root, 'node_modules/@types/node')),
    join(modules, '@types/node'),
    'dir',
  );

  // 2. and 3. Runtime: an ESM app, a CommonJS app.
  await checkRuntime();

  // 4. TypeScript consumers.
  await checkTypeScript();
} catch (error) {
  check(false, 'consumer checks ran to the end', String(error?.stack ?? error));
} finally {
  if (keep) console.log(`\nscratch app kept in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\n${failures.length} consumer check(s) failed`);
  process.exit(1);
}

/** What npm would install must not point into this workspace. */
function checkManifest(name, dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const problems = [];
  for (const field of [
    'dependencies',
    'peerDependencies',
    'optionalDependencies',
    'devDependencies',
  ]) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (dep.startsWith('@telemetry-reporter-internal/'))
        problems.push(`${field}: private ${dep}`);
      if (String(range).startsWith('workspace:')) problems.push(`${field}: ${dep}@${range}`);
    }
  }
  // Every published entry point (the source condition is for this workspace only) is packed.
  const targets = [];
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') {
      for (const [condition, inner] of Object.entries(value)) {
        if (condition !== '@telemetry-reporter/source') walk(inner);
      }
    }
  };
  walk(manifest.exports);
  for (const target of targets) {
    if (!existsSync(join(dir, target)))
      problems.push(`exports target ${target} is not in the tarball`);
  }
  check(
    problems.length === 0,
    `packed manifest of @telemetry-reporter/${name}: no workspace or private dependencies, every export packed`,
    problems.join('\n'),
  );
}

async function checkRuntime() {
  // The same program both ways: a processor over an OTLP encoder and an in-memory transport.
  const body = (load) => `${load}
const transport = {
  sent: 0,
  async send(payload, { recordCount }) {
    if (!(payload instanceof Uint8Array)) throw new TypeError('expected OTLP protobuf bytes');
    this.sent += recordCount;
  },
};
const encoder = createOtlpLogsEncoder();
const processor = new ReporterLogRecordProcessor({
  exporter: new TransportLogRecordExporter({ encoder, transport }),
});
const provider = new LoggerProvider({ processors: [processor] });
const logger = provider.getLogger('consumer');
for (let i = 0; i < 3; i++) logger.emit({ body: 'record ' + i });
provider.forceFlush().then(async () => {
  const stats = processor.stats();
  await provider.shutdown();
  const ok = stats.exported === 3 && transport.sent === 3 && unaccountedRecords(stats) === 0
    && new RetryableError('x') instanceof Error;
  console.log(JSON.stringify({ ok, exported: stats.exported, sent: transport.sent }));
  process.exitCode = ok ? 0 : 1;
});
`;
  const esm = join(app, 'esm');
  mkdirSync(esm);
  writeFileSync(join(esm, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(esm, 'app.js'),
    body(`import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { RetryableError } from '@telemetry-reporter/core';
import { ReporterLogRecordProcessor, TransportLogRecordExporter, unaccountedRecords } from '@telemetry-reporter/otel';
import { createOtlpLogsEncoder } from '@telemetry-reporter/transport-http/otlp';`),
  );
  const esmRun = await run(process.execPath, ['app.js'], { cwd: esm });
  check(
    esmRun.code === 0,
    `ESM app: import, emit, stats() (Node ${process.version})`,
    esmRun.output,
  );

  // The HTTP worker thread loads a file of its own from the installed package: it must be packed.
  writeFileSync(
    join(esm, 'worker.js'),
    `import { createServer } from 'node:http';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
const server = createServer((request, response) => request.resume().on('end', () => response.end()));
server.listen(0, '127.0.0.1', async () => {
  const transport = createHttpTransport({ url: 'http://127.0.0.1:' + server.address().port, thread: 'worker' });
  try {
    await transport.send('[]', { signal: new AbortController().signal, attempt: 1, recordCount: 1 });
    console.log('sent from the worker thread');
  } catch (error) {
    console.log(error.message);
    process.exitCode = 1;
  }
  await transport.shutdown();
  server.close();
});
`,
  );
  const workerRun = await run(process.execPath, ['worker.js'], { cwd: esm });
  check(
    workerRun.code === 0 && workerRun.output.includes('sent from the worker thread'),
    "transport-http thread: 'worker': the worker file is packed and sends",
    workerRun.output,
  );

  const cjs = join(app, 'cjs');
  mkdirSync(cjs);
  writeFileSync(join(cjs, 'package.json'), JSON.stringify({ type: 'commonjs' }));
  writeFileSync(
    join(cjs, 'app.js'),
    body(`const { LoggerProvider } = require('@opentelemetry/sdk-logs');
const { RetryableError } = require('@telemetry-reporter/core');
const { ReporterLogRecordProcessor, TransportLogRecordExporter, unaccountedRecords } = require('@telemetry-reporter/otel');
const { createOtlpLogsEncoder } = require('@telemetry-reporter/transport-http/otlp');`),
  );
  writeFileSync(
    join(cjs, 'register.js'),
    `try {
  require('@telemetry-reporter/otel/register');
  console.log('loaded');
} catch (error) {
  console.log(error.code);
}
`,
  );
  if (!canRequireEsm()) {
    console.log(
      `skip CommonJS app: Node ${process.version} cannot require() an ES module (needs >= 20.19 or >= 22.12)`,
    );
    return;
  }
  const cjsRun = await run(process.execPath, ['app.js'], { cwd: cjs });
  check(
    cjsRun.code === 0 && !/ExperimentalWarning/.test(cjsRun.output),
    `CommonJS app: require, emit, stats(), no warning (Node ${process.version})`,
    cjsRun.output,
  );
  const registerRequired = await run(process.execPath, ['register.js'], { cwd: cjs });
  check(
    registerRequired.output.trim() === 'ERR_REQUIRE_ASYNC_MODULE',
    "CommonJS app: require('@telemetry-reporter/otel/register') throws ERR_REQUIRE_ASYNC_MODULE (top-level await)",
    registerRequired.output,
  );
  const registerImported = await run(
    process.execPath,
    ['--import', '@telemetry-reporter/otel/register', '-e', 'console.log("started")'],
    { cwd: cjs, env: { ...process.env, TELEMETRY_REPORTER_EXPORTER: 'none' } },
  );
  check(
    registerImported.code === 0 && registerImported.output.trim() === 'started',
    'CommonJS app: node --import @telemetry-reporter/otel/register works',
    registerImported.output,
  );
}

async function checkTypeScript() {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const { version } = JSON.parse(
    readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8'),
  );
  const source = `import { LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  ReporterLogRecordProcessor,
  type ReporterStats,
  TransportLogRecordExporter,
} from '@telemetry-reporter/otel';
import { createHttpTransport } from '@telemetry-reporter/transport-http';
import { createOtlpLogsEncoder } from '@telemetry-reporter/transport-http/otlp';

const encoder = createOtlpLogsEncoder();
const processor = new ReporterLogRecordProcessor({
  exporter: new TransportLogRecordExporter({
    encoder,
    transport: createHttpTransport({ url: 'http://localhost:4318/v1/logs', contentType: encoder.contentType }),
  }),
  maxQueueSize: 4096,
  overflowPolicy: 'drop_oldest',
});
export const provider = new LoggerProvider({ processors: [processor] });
export const stats: ReporterStats = processor.stats();
`;
  // file, compiler options, and the outcome docs/install.md promises: '' (type-checks) or a code.
  const cases = [
    {
      name: 'nodenext, ESM file',
      file: 'consumer.mts',
      options: { module: 'nodenext' },
      expect: '',
    },
    {
      name: 'nodenext, CommonJS file',
      file: 'consumer.cts',
      options: { module: 'nodenext' },
      expect: '',
    },
    { name: 'node16, ESM file', file: 'consumer.mts', options: { module: 'node16' }, expect: '' },
    {
      name: 'node16, CommonJS file',
      file: 'consumer.cts',
      options: { module: 'node16' },
      expect: 'TS1479',
    },
    {
      name: 'node20, CommonJS file',
      file: 'consumer.cts',
      options: { module: 'node20' },
      expect: '',
    },
    {
      name: 'preserve + bundler',
      file: 'consumer.ts',
      options: { module: 'preserve', moduleResolution: 'bundler' },
      expect: '',
    },
    {
      // TypeScript 6's default resolution for commonjs; 5.x's was node10 (the next case)
      name: 'commonjs, default moduleResolution',
      file: 'consumer.ts',
      options: { module: 'commonjs' },
      expect: '',
    },
    {
      name: 'commonjs + node10',
      file: 'consumer.ts',
      options: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' },
      expect: 'TS2307',
    },
  ];
  const results = await Promise.all(
    cases.map(async ({ name, file, options }, i) => {
      const dir = join(app, `ts-${i}`);
      mkdirSync(dir);
      writeFileSync(join(dir, file), source);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            strict: true,
            exactOptionalPropertyTypes: true,
            noEmit: true,
            types: ['node'],
            ...options,
          },
          files: [file],
        }),
      );
      return { name, ...(await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'])) };
    }),
  );
  cases.forEach(({ expect }, i) => {
    const { name, code, output } = results[i];
    const codes = [...output.matchAll(/error (TS\d+)/g)].map((m) => m[1]);
    const ok = expect === '' ? code === 0 : codes.length > 0 && codes.every((c) => c === expect);
    check(
      ok,
      `TypeScript ${version}, ${name}: ${expect === '' ? 'type-checks' : `fails with ${expect}`}`,
      output,
    );
  });
}
