import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { MachineInfo } from './types.js';

/** The machine and runtime this process measures on. */
export function machineInfo(): MachineInfo {
  const all = cpus();
  return {
    cpu: (all[0]?.model ?? 'unknown').trim(),
    cores: all.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: loadavg()[0] ?? 0,
  };
}

const require = createRequire(import.meta.url);

/** The `version` of a package this package depends on, read from its manifest. */
export function packageVersion(name: string): string {
  const manifest: unknown = JSON.parse(
    readFileSync(require.resolve(`${name}/package.json`), 'utf8'),
  );
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
