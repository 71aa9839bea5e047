#!/usr/bin/env node
// The release PR's version step (`pnpm run version-packages`, run by .github/workflows/release.yml
// through changesets/action): applies the pending changesets (`changeset version`: package.json
// versions and CHANGELOG.md files), then keeps what changesets does not know about in step:
//
//   - a package's `src/version.ts` (`export const VERSION = '...'`; transport-http sends it in its
//     User-Agent, and a test holds it equal to package.json);
//   - the formatting Biome checks, for the CHANGELOG.md and package.json files just written.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) =>
  join(root, 'node_modules/.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(bin('changeset'), ['version']);

const touched = [];
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  touched.push(join(dir, 'package.json'));
  if (existsSync(join(dir, 'CHANGELOG.md'))) touched.push(join(dir, 'CHANGELOG.md'));
  const versionFile = join(dir, 'src/version.ts');
  if (!existsSync(versionFile)) continue;
  const text = readFileSync(versionFile, 'utf8');
  const updated = text.replace(/(export const VERSION = ')[^']*(';)/, `$1${version}$2`);
  if (updated !== text) {
    writeFileSync(versionFile, updated);
    console.log(`${name}: src/version.ts now says ${version}`);
  }
}
run(bin('biome'), ['format', '--write', ...touched]);
