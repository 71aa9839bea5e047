#!/usr/bin/env node
// Runs the whole vitest suite on this Node (OpenTelemetry SDK 2.x harness), then the
// SDK-sensitive projects again against the SDK 3.x harness. SDK 3 needs Node >= 22.15: on an
// older Node it runs under Node 22 fetched from the npm registry (`npx -y node@22`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const extra = process.argv.slice(2);

function atLeast(version, major, minor) {
  const [a, b] = version.replace(/^v/, '').split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

function run(label, command, args, env) {
  console.log(`\n> ${label}\n`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    console.error(`\n${label} failed (${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

run(`SDK 2.x on Node ${process.version}`, process.execPath, [vitest, 'run', ...extra], {
  OTEL_SDK_LINE: '2',
});

const sdk3Args = [vitest, 'run', '--project', '*(SDK 3)', ...extra];
if (atLeast(process.version, 22, 15)) {
  run(`SDK 3.x on Node ${process.version}`, process.execPath, sdk3Args, { OTEL_SDK_LINE: '3' });
} else {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  run('SDK 3.x on Node 22 (npx -y node@22)', npx, ['-y', 'node@22', ...sdk3Args], {
    OTEL_SDK_LINE: '3',
  });
}
