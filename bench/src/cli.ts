// `pnpm bench`: runs every benchmark part against SDK 2 (this Node) and SDK 3 (Node >= 22.15,
// fetched with `npx -y node@22` when this one is older), each part in a fresh `node --expose-gc`,
// then writes results/sdk-<line>.json, RESULTS.md and results.svg.
// `pnpm bench:smoke`: a few thousand iterations of everything, one process per SDK line, nothing
// written; exits non-zero only when a benchmark crashed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectParts } from './parts.js';
import { resultsChart } from './report/chart.js';
import { e2eTable, lineTable, policyTable, resultsMarkdown } from './report/markdown.js';
import type { E2eResult, LineReport, PolicyResult } from './types.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const RUN_LINE = fileURLToPath(new URL('./run-line.js', import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');
const CHART_FILE = 'results.svg';
const LINES = [2, 3] as const;

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    sdk: { type: 'string', default: 'all' },
    parts: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    [
      'usage: pnpm bench [--smoke] [--sdk 2|3|all] [--parts id,...]',
      '  --smoke   a few thousand iterations, a few seconds per SDK line; writes nothing',
      '  --sdk     which SDK line(s) to measure (default: all)',
      `  --parts   ${selectParts(undefined)
        .map((p) => p.id)
        .join(', ')} (or a prefix such as hot-path)`,
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const lines = values.sdk === 'all' ? [...LINES] : [Number(values.sdk)];
if (lines.some((l) => l !== 2 && l !== 3)) {
  throw new TypeError(`--sdk takes 2, 3 or all; got ${values.sdk}`);
}
const parts = selectParts(values.parts);

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.replace(/^v/, '').split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** The command that runs Node for an SDK line: SDK 3 needs Node >= 22.15. */
function nodeFor(line: number): { command: string; args: string[] } {
  if (line === 2 || atLeast(process.version, 22, 15))
    return { command: process.execPath, args: [] };
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  return { command: npx, args: ['-y', 'node@22'] };
}

/** Runs `partIds` of one SDK line in one child process; returns its report, or undefined. */
function runChild(line: number, partIds: readonly string[], out: string): LineReport | undefined {
  const node = nodeFor(line);
  const args = [
    ...node.args,
    '--expose-gc',
    ...(line === 3 ? ['--conditions=telemetry-reporter-sdk3'] : []),
    RUN_LINE,
    '--parts',
    partIds.join(','),
    '--out',
    out,
    ...(values.smoke ? ['--smoke'] : []),
  ];
  const result = spawnSync(node.command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0 || !existsSync(out)) {
    process.stderr.write(
      `SDK ${line}, ${partIds.join(',')}: failed (${result.status ?? result.signal ?? result.error?.message})\n`,
    );
    return undefined;
  }
  return JSON.parse(readFileSync(out, 'utf8')) as LineReport;
}

/** One SDK line: a fresh process per part for a real run, one process for a smoke run. */
function runLine(line: number, scratch: string): { report?: LineReport; failures: number } {
  const groups = values.smoke ? [parts.map((p) => p.id)] : parts.map((p) => [p.id]);
  const reports: LineReport[] = [];
  let failures = 0;
  for (const [i, group] of groups.entries()) {
    const report = runChild(line, group, join(scratch, `sdk-${line}-${i}.json`));
    if (report === undefined) failures++;
    else reports.push(report);
  }
  const first = reports[0];
  if (first === undefined) return { failures };
  const policies = reports.flatMap((r) => r.policies ?? []);
  const e2e = reports.flatMap((r) => r.e2e ?? []);
  return {
    failures,
    report: {
      ...first,
      durationSeconds: reports.reduce((sum, r) => sum + r.durationSeconds, 0),
      comparisons: reports.flatMap((r) => r.comparisons),
      ...(policies.length > 0 ? { policies } : {}),
      ...(e2e.length > 0 ? { e2e } : {}),
    },
  };
}

/** `earlier` with the entries of `fresh` in place of those of the same id, new ones appended. */
function replaceById<T extends { readonly id: string }>(
  earlier: readonly T[],
  fresh: readonly T[],
): T[] {
  const byId = new Map(fresh.map((item) => [item.id, item]));
  const merged = earlier.map((item) => byId.get(item.id) ?? item);
  for (const item of fresh) {
    if (!earlier.some((e) => e.id === item.id)) merged.push(item);
  }
  return merged;
}

/**
 * A run of some parts only updates their rows in the line's earlier full results, and says so;
 * without earlier results it stands alone. Overflow-policy and end-to-end results carry their
 * own start time, so a run of the policy parts alone adds no rerun note to the comparison table
 * (the end-to-end parts add one: they also write comparisons).
 */
function mergeInto(file: string, partial: LineReport): LineReport {
  if (!existsSync(file)) return partial;
  const earlier = JSON.parse(readFileSync(file, 'utf8')) as LineReport;
  const policies: PolicyResult[] = replaceById(earlier.policies ?? [], partial.policies ?? []);
  const e2e: E2eResult[] = replaceById(earlier.e2e ?? [], partial.e2e ?? []);
  const rerun = {
    parts: values.parts ?? '',
    startedAt: partial.startedAt,
    loadAverage: partial.machine.loadAverage,
  };
  const reruns = [...(earlier.reruns ?? []), ...(partial.comparisons.length > 0 ? [rerun] : [])];
  return {
    ...earlier,
    comparisons: replaceById(earlier.comparisons, partial.comparisons),
    ...(policies.length > 0 ? { policies } : {}),
    ...(e2e.length > 0 ? { e2e } : {}),
    ...(reruns.length > 0 ? { reruns } : {}),
  };
}

/** Lays the generated tables out as `biome check` wants them, when the workspace has Biome. */
function formatWithBiome(file: string): void {
  const biome = join(BENCH_DIR, '..', 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  if (!existsSync(biome)) return;
  spawnSync(process.execPath, [biome, 'format', '--write', file], { stdio: 'ignore' });
}

const scratch = mkdtempSync(join(tmpdir(), 'telemetry-reporter-bench-'));
let failures = 0;
const measured: LineReport[] = [];
try {
  for (const line of lines) {
    const { report, failures: failed } = runLine(line, scratch);
    failures += failed;
    if (report === undefined) continue;
    measured.push(report);
    if (report.comparisons.length > 0) process.stdout.write(`\n${lineTable(report)}\n`);
    if (report.policies !== undefined) process.stdout.write(`\n${policyTable(report)}\n`);
    if (report.e2e !== undefined) process.stdout.write(`\n${e2eTable(report)}\n`);
    if (!values.smoke) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = join(RESULTS_DIR, `sdk-${line}.json`);
      const merged = values.parts === undefined ? report : mergeInto(file, report);
      writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (!values.smoke && measured.length > 0) {
  // The report shows every SDK line that has results, measured now or by an earlier run.
  const all = LINES.map((line) => join(RESULTS_DIR, `sdk-${line}.json`))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as LineReport)
    .filter((r) => !r.smoke);
  writeFileSync(join(BENCH_DIR, CHART_FILE), resultsChart(all));
  writeFileSync(join(BENCH_DIR, 'RESULTS.md'), resultsMarkdown(all, CHART_FILE));
  formatWithBiome(join(BENCH_DIR, 'RESULTS.md'));
  process.stdout.write(`\nwrote bench/RESULTS.md, bench/${CHART_FILE}, bench/results/*.json\n`);
}
if (failures > 0) {
  process.stderr.write(`${failures} benchmark process(es) failed\n`);
  process.exit(1);
}
