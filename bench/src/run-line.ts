// Runs benchmark parts against the SDK line that `#sdk` resolves to in this process (SDK 2 by
// default, SDK 3 under `--conditions=telemetry-reporter-sdk3`) and writes a LineReport as JSON.
// cli.ts starts it with --expose-gc, once per part for a full run; run it directly to debug:
//   node --expose-gc bench/dist/run-line.js --parts hot-path:logs.onEmit.drop
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { SDK_VERSIONS } from '#sdk';
import { FULL, SMOKE } from './config.js';
import { keepResidentProcessors, sdkLine } from './fixtures.js';
import { machineInfo, packageVersion } from './machine.js';
import { selectParts } from './parts.js';
import type { Comparison, E2eResult, LineReport, PolicyResult } from './types.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    parts: { type: 'string' },
  },
});

const config = values.smoke ? SMOKE : FULL;
const parts = selectParts(values.parts);
const machine = machineInfo();
keepResidentProcessors();
const startedAt = new Date();
const comparisons: Comparison[] = [];
const policies: PolicyResult[] = [];
const e2e: E2eResult[] = [];
for (const part of parts) {
  process.stderr.write(`SDK ${sdkLine()}, ${part.id}${config.smoke ? ' (smoke)' : ''}\n`);
  const output = await part.run(config);
  comparisons.push(...output.comparisons);
  policies.push(...(output.policies ?? []));
  e2e.push(...(output.e2e ?? []));
}

const report: LineReport = {
  schema: 1,
  sdkLine: sdkLine(),
  smoke: config.smoke,
  startedAt: startedAt.toISOString(),
  durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
  machine,
  sdkVersions: { ...SDK_VERSIONS },
  reporterVersion: packageVersion('@telemetry-reporter/otel'),
  mitataVersion: packageVersion('mitata'),
  comparisons,
  ...(policies.length > 0 ? { policies } : {}),
  ...(e2e.length > 0 ? { e2e } : {}),
};
if (values.out !== undefined) {
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
}
// Every processor was shut down; exit now rather than wait on an SDK timer nobody needs.
process.exit(0);
