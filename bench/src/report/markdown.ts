import type { LineReport } from '../types.js';
import {
  formatMet,
  formatRatio,
  formatSpeedup,
  formatTarget,
  formatValue,
  machineLabel,
  sdkLabel,
} from './format.js';

/** The table of one SDK line's run, with its machine and versions above it. */
export function lineTable(report: LineReport): string {
  const lines: string[] = [];
  lines.push(`### ${sdkLabel(report)}`);
  lines.push('');
  lines.push(
    `${machineLabel(report)}. telemetry-reporter ${report.reporterVersion}, mitata ${report.mitataVersion}; started ${report.startedAt}, ${Math.round(report.durationSeconds)} s${report.smoke ? '; **smoke run: numbers are meaningless**' : ''}.`,
  );
  for (const rerun of report.reruns ?? []) {
    lines.push('');
    lines.push(
      `Measured again at ${rerun.startedAt}, same machine, load average ${rerun.loadAverage.toFixed(2)}: ${rerun.parts}.`,
    );
  }
  lines.push('');
  lines.push(
    '| benchmark | unit | telemetry-reporter | built-in | ours / built-in | ours better by | target | met |',
  );
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | --- | :-: |');
  let suite = '';
  const notes: string[] = [];
  for (const c of report.comparisons) {
    if (c.suite !== suite) {
      suite = c.suite;
      lines.push(`| **${suite}** | | | | | | | |`);
    }
    const marks: string[] = [];
    if (c.note !== undefined || c.detail !== undefined) {
      notes.push(
        `${c.title}: ${[
          c.note,
          ...Object.entries(c.detail ?? {}).map(([k, v]) => `${k} ${formatDetail(v)}`),
        ]
          .filter((s) => s !== undefined)
          .join('; ')}.`,
      );
      marks.push(`[${notes.length}]`);
    }
    lines.push(
      `| ${c.title}${marks.length > 0 ? ` ${marks.join('')}` : ''} | ${c.unit} | ${formatValue(c.ours, c.unit)} | ${formatValue(c.builtin, c.unit)} | ${formatRatio(c)} | ${formatSpeedup(c)} | ${formatTarget(c)} | ${formatMet(c)} |`,
    );
  }
  if (notes.length > 0) {
    lines.push('');
    notes.forEach((note, i) => {
      lines.push(`${i + 1}. ${note}`);
    });
  }
  return lines.join('\n');
}

function formatDetail(value: number | string): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}

/** `bench/RESULTS.md`: every SDK line's table, the chart, and how to read them. */
export function resultsMarkdown(reports: readonly LineReport[], chartFile: string): string {
  const parts: string[] = [];
  parts.push('# Benchmark results');
  parts.push('');
  parts.push(
    '`ReporterLogRecordProcessor` / `ReporterSpanProcessor` against the SDK\'s own `BatchLogRecordProcessor` / `BatchSpanProcessor` of the same SDK line, measured in the same process, interleaved (ours, built-in, built-in, ours, ...). Each value is the median over the rounds; **ours / built-in** is the ratio of those medians (below 1 is better for times, above 1 for records/s); **ours better by** turns it into "how many times better", whatever the unit. Regenerate with `pnpm bench`; how each number is measured is in [README.md](README.md).',
  );
  parts.push('');
  parts.push(`![ours / built-in, per benchmark and SDK line](${chartFile})`);
  parts.push('');
  parts.push('## Results');
  for (const report of reports) {
    parts.push('');
    parts.push(lineTable(report));
  }
  parts.push('');
  return parts.join('\n');
}
