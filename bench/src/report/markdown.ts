import type { E2eResult, LineReport, PolicyResult } from '../types.js';
import {
  formatMet,
  formatRatio,
  formatSpeedup,
  formatTarget,
  formatValue,
  machineLabel,
  sdkLabel,
} from './format.js';

type Rerun = NonNullable<LineReport['reruns']>[number];

/**
 * The reruns with only the parts no later rerun measured again (a part `e2e` is measured again by
 * `e2e`, not by `e2e:logs` alone): the notes that still say where rows come from.
 */
export function standingReruns(reruns: readonly Rerun[]): Rerun[] {
  return reruns.flatMap((rerun, index) => {
    const later = reruns.slice(index + 1).flatMap((r) => r.parts.split(','));
    const standing = rerun.parts
      .split(',')
      .filter((part) => !later.some((again) => part === again || part.startsWith(`${again}:`)));
    return standing.length === 0 ? [] : [{ ...rerun, parts: standing.join(',') }];
  });
}

/** The table of one SDK line's run, with its machine and versions above it. */
export function lineTable(report: LineReport): string {
  const lines: string[] = [];
  lines.push(`### ${sdkLabel(report)}`);
  lines.push('');
  lines.push(
    `${machineLabel(report)}. telemetry-reporter ${report.reporterVersion}, mitata ${report.mitataVersion}; started ${report.startedAt}, ${Math.round(report.durationSeconds)} s${report.smoke ? '; **smoke run: numbers are meaningless**' : ''}.`,
  );
  for (const rerun of standingReruns(report.reruns ?? [])) {
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

/** Unique values of `key` over `items`, in order of first appearance. */
function inOrder<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/**
 * The overflow-policy table of one SDK line: a row per path and policy, a pair of columns (ns per
 * `onEmit`, ratio to `drop_newest`) per severity mix and queue size.
 */
export function policyTable(report: LineReport): string {
  const results = report.policies ?? [];
  const m = report.machine;
  const runs = inOrder(results, (r) => r.startedAt)
    .map((r) => `${r.startedAt} (load average ${r.loadAverage.toFixed(2)})`)
    .join(', ');
  const columns = inOrder(results, (r) => `${r.mix}.${r.queueSize}`);
  const rows = inOrder(results, (r) => `${r.path}.${r.contender}`);
  const cell = new Map(results.map((r) => [`${r.path}.${r.contender}.${r.mix}.${r.queueSize}`, r]));
  const lines: string[] = [];
  lines.push(`### SDK ${report.sdkLine}: overflow policies`);
  lines.push('');
  lines.push(
    `Node ${m.node} (V8 ${m.v8}) on ${m.cpu}, ${m.cores} cores; telemetry-reporter ${report.reporterVersion}, mitata ${report.mitataVersion}; measured ${runs}${report.smoke ? '; **smoke run: numbers are meaningless**' : ''}. ns per \`onEmit\` (median of the rounds' p50); **/ drop_newest**: that policy's time over \`drop_newest\`'s in the same column.`,
  );
  lines.push('');
  const head = columns.flatMap((c) => [
    `${c.mixTitle}, queue ${c.queueSize.toLocaleString('en-US')}`,
    '/ drop_newest',
  ]);
  lines.push(`| overflow policy | ${head.join(' | ')} |`);
  lines.push(`| --- | ${columns.map(() => '---: | ---:').join(' | ')} |`);
  const blank = columns.map(() => ' | ').join(' | ');
  let path = '';
  for (const row of rows) {
    if (row.path !== path) {
      path = row.path;
      lines.push(`| **${row.pathTitle}** | ${blank} |`);
    }
    const values = columns.flatMap((c) => {
      const r: PolicyResult | undefined = cell.get(
        `${row.path}.${row.contender}.${c.mix}.${c.queueSize}`,
      );
      if (r === undefined) return ['', ''];
      return [
        formatValue(r.nsPerOp, 'ns/op'),
        Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : 'n/a',
      ];
    });
    lines.push(`| ${row.title} | ${values.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** A number with `digits` decimals, or `n/a`. */
function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

const CPU_CLOCKS: Readonly<Record<E2eResult['cpuClock'], string>> = {
  thread: 'main thread only (`process.threadCpuUsage`)',
  process:
    "the whole process (`process.cpuUsage`: this Node has no `process.threadCpuUsage`, so V8's GC and compiler threads count too)",
};

/**
 * The end-to-end table of one SDK line: a group of rows per signal and OTLP format, a row per
 * pipeline, each next to the built-in processor's.
 */
export function e2eTable(report: LineReport): string {
  const results = report.e2e ?? [];
  const first = results[0];
  if (first === undefined) return '';
  const m = report.machine;
  const runs = inOrder(results, (r) => r.startedAt)
    .map((r) => `${r.startedAt} (load average ${r.loadAverage.toFixed(2)})`)
    .join(', ');
  const lines: string[] = [];
  lines.push(`### SDK ${report.sdkLine}: end to end`);
  lines.push('');
  lines.push(
    `Node ${m.node} (V8 ${m.v8}) on ${m.cpu}, ${m.cores} cores; telemetry-reporter ${report.reporterVersion}; measured ${runs}${report.smoke ? '; **smoke run: numbers are meaningless**' : ''}. ${first.records.toLocaleString('en-US')} records per run at up to ${first.ratePerSecond.toLocaleString('en-US')} a second, ${first.slice} per turn of the event loop; ${first.roundCount} interleaved round(s), medians. CPU time of ${CPU_CLOCKS[first.cpuClock]}.`,
  );
  lines.push('');
  const head = [
    'pipeline',
    'CPU µs/record',
    'export side µs/record',
    "export side / built-in's",
    'event-loop delay p99 ms',
    'max ms',
    'longest block ms',
    'block p99 ms',
    'longest task ms',
    'task p99.9 ms',
    'tasks > 0.3 ms per 1,000',
    'longest GC pause ms',
    'ELU',
    'CPU wait',
    'records/s',
    'bytes/record',
    'dropped',
  ];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`| --- |${' ---: |'.repeat(head.length - 1)}`);
  const blank = ' |'.repeat(head.length - 1);
  const floors = new Map(results.filter((r) => r.pipeline === 'floor').map((r) => [r.signal, r]));
  const groups = inOrder(
    results.filter((r) => r.pipeline !== 'floor'),
    (r) => `${r.signal}.${r.format}`,
  );
  const cells = (r: E2eResult) => [
    r.title,
    fixed(r.cpuMicrosPerRecord, 2),
    r.pipeline === 'floor' ? '' : fixed(r.exportMicrosPerRecord, 2),
    fixed(r.exportRatio, 2),
    fixed(r.eldP99Millis, 2),
    fixed(r.eldMaxMillis, 2),
    fixed(r.longestBlockMillis, 2),
    fixed(r.blockP99Millis, 2),
    fixed(r.longestTaskMillis, 2),
    fixed(r.taskP999Millis, 2),
    fixed(r.longTasksPerThousand, 1),
    fixed(r.longestGcMillis, 2),
    fixed(r.utilization, 3),
    r.cpuWaitShare === undefined ? 'n/a' : `${(r.cpuWaitShare * 100).toFixed(0)}%`,
    Math.round(r.recordsPerSecond).toLocaleString('en-US'),
    r.bytesPerRecord > 0 ? fixed(r.bytesPerRecord, 0) : '',
    r.pipeline === 'floor' ? '' : r.dropped.toLocaleString('en-US'),
  ];
  for (const group of groups) {
    const format = group.format === 'json' ? 'JSON' : 'protobuf';
    lines.push(`| **${group.signal}, OTLP ${format}** |${blank}`);
    const floor = floors.get(group.signal);
    if (floor !== undefined) lines.push(`| ${cells(floor).join(' | ')} |`);
    for (const r of results) {
      if (r.signal === group.signal && r.format === group.format) {
        lines.push(`| ${cells(r).join(' | ')} |`);
      }
    }
  }
  return lines.join('\n');
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
    if (report.comparisons.length === 0) continue;
    parts.push('');
    parts.push(lineTable(report));
  }
  const withPolicies = reports.filter((r) => (r.policies ?? []).length > 0);
  if (withPolicies.length > 0) {
    parts.push('');
    parts.push('## Overflow policies');
    parts.push('');
    parts.push(
      "Our processor's overflow policies against our own `drop_newest`, the default and the only policy the SDK's processors have (so no built-in column, and no bar in the chart). `ReporterLogRecordProcessor.onEmit()` of prebuilt SDK log records, with room in the queue (held half full) and with the queue full (one export hangs, so every call sheds a record): `drop_oldest` and the first `drop_lowest_severity` row evict one queued record per call (for the latter the queue holds TRACE records, below every record of both mixes, refilled outside the timed region); `drop_newest`, `drop_newest + maxQueueBytes` and the second `drop_lowest_severity` row drop the arriving record (the latter with a queue of the mix's highest severity only, where a long storm leaves it: an arrival at or below everything queued is the one dropped). `maxQueueBytes` is the queue size times the mix's mean byte estimate, so the byte limit is the one that fills. Severity mixes cycle through 100 records; the policies of a column are interleaved in one process, the first rotating each round. Details in [README.md](README.md).",
    );
    for (const report of withPolicies) {
      parts.push('');
      parts.push(policyTable(report));
    }
  }
  const withE2e = reports.filter((r) => (r.e2e ?? []).length > 0);
  if (withE2e.length > 0) {
    parts.push('');
    parts.push('## End to end');
    parts.push('');
    parts.push(
      "What a service pays on its own event loop for the whole pipeline: `logger.emit()` with five attributes (spans: `startSpan()` + `end()`, five attributes) through a processor and an exporter to an OTLP/HTTP sink in a child process, which decodes and counts every record (the count must equal what the processor delivered). Every pipeline of a signal runs in one process, interleaved. **CPU**: CPU time per delivered record, from the first emit until `forceFlush()` resolved; **export side**: that minus the emit-only floor of the same round, the cost of batching, encoding and sending; **/ built-in's**: over the built-in processor's export side at the same batch size. **Event-loop delay**: `monitorEventLoopDelay` at its finest resolution (1 ms, subtracted). **Task p99.9** and **tasks > 0.3 ms per 1,000**: of the run's tasks of the event loop (a macrotask with its microtasks), timed in runs of their own, emit calls, GC pauses and CPU wait taken out; the emit-only floor's say what this host adds to tasks that export nothing. **Longest block**: the longest single emit call or busy stretch between two slices of emits, with the time the main thread waited for a CPU and GC pauses taken out (see README.md); **block p99**: the 99th percentile over the run's turns of the event loop (a slice and the stretch before it, every 1.28 ms) of each turn's longest block, which a few stray blocks do not move; **longest GC pause** beside them. **ELU**: event-loop utilization over the run. **CPU wait**: the share of the run the main thread waited for a CPU while runnable, because the machine was busy with other work; the higher it is, the less the wall-clock columns (delay, ELU, records/s) say about the pipeline. Batch 512 unless the row says otherwise; `scheduledDelayMillis` 100; the queue holds 32 batches, so that nothing drops. Details in [README.md](README.md).",
    );
    for (const report of withE2e) {
      parts.push('');
      parts.push(e2eTable(report));
    }
  }
  parts.push('');
  return parts.join('\n');
}
