import type { Comparison, LineReport } from '../types.js';
import { formatValue } from './format.js';

const WIDTH = 900;
const LABEL_X = 16;
const PLOT_LEFT = 330;
const PLOT_RIGHT = 800;
const BAR_HEIGHT = 13;
const BAR_GAP = 3;
const ROW_GAP = 12;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const COLORS = { met: '#2e7d32', missed: '#c62828', none: '#78909c' } as const;
/** SDK 2 bars solid, SDK 3 bars lighter, so the lines can be told apart without a legend hunt. */
const LINE_OPACITY = [1, 0.55, 0.35];

/** Short chart labels; the table keeps the long titles. */
const LABELS: Readonly<Record<string, string>> = {
  'logs.onEmit.room': 'logs onEmit (room in queue)',
  'logs.onEmit.drop': 'logs onEmit (queue full, drop)',
  'logs.emit.e2e': 'logger.emit() end to end',
  'spans.onEnd.room': 'spans onEnd (room in queue)',
  'spans.onEnd.drop': 'spans onEnd (queue full, drop)',
  'spans.startSpan.e2e': 'startSpan().end() end to end',
  'logs.throughput': 'logger.emit() throughput',
  'logs.throughput.processor': 'onEmit throughput (no SDK record)',
  'logs.eld.p99': 'event-loop delay p99, JSON export',
};

/** `logs, protobuf` for an end-to-end comparison's id. */
function e2eGroup(id: string): string | undefined {
  const match = /^e2e\.(logs|spans)\.(protobuf|json)\./.exec(id);
  return match === null ? undefined : `${match[1]}, ${match[2] === 'json' ? 'JSON' : 'protobuf'}`;
}

function labelOf(c: Comparison): string {
  const known = LABELS[c.id];
  if (known !== undefined) return known;
  const group = e2eGroup(c.id);
  if (group !== undefined) {
    if (c.id.endsWith('.export')) return `e2e ${group}: export-side CPU`;
    if (c.id.endsWith('.eld.p99')) return `e2e ${group}: event-loop delay p99`;
  }
  const drain = /^logs\.(drain|shutdown)\.(\d+)(\.fresh)?$/.exec(c.id);
  if (drain !== null) {
    const n = Number(drain[2]);
    const size = n >= 1e6 ? `${n / 1e6}M` : `${Math.round(n / 1e3)}k`;
    const how = drain[1] === 'drain' ? 'forceFlush()' : 'shutdown()';
    return `${how}, full ${size} queue${drain[3] === undefined ? ', after GC' : ', no GC yet'}`;
  }
  return c.title;
}

/** Rows of the bar chart: comparisons with a meaningful ratio, except the latency extremes. */
function charted(c: Comparison): boolean {
  // The spool rows compare with the disk, not with a built-in processor.
  if (c.id.startsWith('spool.')) return false;
  return !c.noRatio && c.target?.on !== 'ours' && !/\.eld\.(p50|max)$/.test(c.id);
}

/** Speedup a ratio target asks for, in "times better". */
function targetSpeedup(c: Comparison): number | undefined {
  const t = c.target;
  if (t === undefined || t.on !== 'ratio') return undefined;
  return c.better === 'lower' ? 1 / t.value : t.value;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function text(
  x: number,
  y: number,
  content: string,
  attrs: Readonly<Record<string, string | number>> = {},
): string {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${extra}>${escapeXml(content)}</text>`;
}

function formatTimes(x: number): string {
  if (x >= 10) return `${x.toFixed(0)}x`;
  if (x >= 1) return `${x.toFixed(2)}x`;
  return `${x.toFixed(2)}x`;
}

/**
 * A horizontal bar chart of "how many times better than the built-in processor" per benchmark,
 * on a log scale, one bar per SDK line, green where the target is met and red where it is not,
 * with each target as a black tick; the absolute targets (heap growth, event-loop p99) listed
 * below. Plain SVG 1.1, no scripts, no external fonts.
 */
export function resultsChart(reports: readonly LineReport[]): string {
  const ids: string[] = [];
  const byId = new Map<string, Comparison[]>();
  for (const report of reports) {
    for (const c of report.comparisons) {
      if (!charted(c)) continue;
      if (!byId.has(c.id)) {
        ids.push(c.id);
        byId.set(c.id, []);
      }
    }
  }
  for (const id of ids) {
    byId.set(
      id,
      reports.map((r) => r.comparisons.find((c) => c.id === id)).filter((c) => c !== undefined),
    );
  }
  const values = [...byId.values()].flat().flatMap((c) => [c.speedup, targetSpeedup(c) ?? 1]);
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.floor(Math.log10(Math.min(0.5, ...finite)));
  const hi = Math.ceil(Math.log10(Math.max(2, ...finite)));
  const x = (v: number) => {
    const clamped = Math.min(Math.max(v, 10 ** lo), 10 ** hi);
    return PLOT_LEFT + ((Math.log10(clamped) - lo) / (hi - lo)) * (PLOT_RIGHT - PLOT_LEFT);
  };

  const out: string[] = [];
  let y = 28;
  out.push(
    text(LABEL_X, y, 'telemetry-reporter vs the built-in batch processors', {
      'font-size': 17,
      'font-weight': 'bold',
    }),
  );
  y += 20;
  out.push(
    text(
      LABEL_X,
      y,
      'times better than the built-in processor of the same SDK line, same process (log scale; right of 1x: ours is better)',
      { 'font-size': 12, fill: '#37474f' },
    ),
  );
  for (const [i, r] of reports.entries()) {
    y += 16;
    const m = r.machine;
    const sdk = Object.entries(r.sdkVersions)
      .filter(([name]) => name !== 'api' && name !== 'otlp-transformer')
      .map(([name, v]) => `${name} ${v}`)
      .join(', ');
    out.push(
      `<rect x="${LABEL_X}" y="${(y - 10).toFixed(1)}" width="22" height="10" fill="#455a64" fill-opacity="${LINE_OPACITY[i] ?? 0.3}"/>`,
    );
    out.push(
      text(
        LABEL_X + 28,
        y,
        `SDK ${r.sdkLine}: ${sdk}; Node ${m.node}; ${m.cpu}, ${m.cores} cores${r.smoke ? ' (SMOKE RUN)' : ''}`,
        { 'font-size': 11, fill: '#37474f' },
      ),
    );
  }
  y += 18;
  const axisTop = y;

  const rows: string[] = [];
  let suite = '';
  for (const id of ids) {
    const cs = byId.get(id) ?? [];
    const first = cs[0];
    if (first === undefined) continue;
    if (first.suite !== suite) {
      suite = first.suite;
      y += 6;
      rows.push(
        text(LABEL_X, y + 10, suite, { 'font-size': 12, 'font-weight': 'bold', fill: '#263238' }),
      );
      y += 16;
    }
    const rowTop = y;
    const rowHeight = cs.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
    rows.push(
      text(LABEL_X + 10, rowTop + rowHeight / 2 + 4, labelOf(first), {
        'font-size': 12,
        fill: '#212121',
      }),
    );
    const goal = targetSpeedup(first);
    const gx = goal === undefined ? undefined : x(goal);
    for (const [i, c] of cs.entries()) {
      const top = rowTop + i * (BAR_HEIGHT + BAR_GAP);
      const color = c.met === undefined ? COLORS.none : c.met ? COLORS.met : COLORS.missed;
      const x1 = x(1);
      const x2 = x(c.speedup);
      const left = Math.min(x1, x2);
      const width = Math.max(1, Math.abs(x2 - x1));
      const line = reports.findIndex((r) => r.comparisons.includes(c));
      rows.push(
        `<rect x="${left.toFixed(1)}" y="${top}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}" fill-opacity="${LINE_OPACITY[line] ?? 0.3}"/>`,
      );
      const sdk = reports[line]?.sdkLine;
      const label = `${formatTimes(c.speedup)}${reports.length > 1 ? `  SDK ${sdk}` : ''}`;
      const right = x2 >= x1;
      // A label that would sit on the target tick moves to the right of it.
      const labelX = right && gx !== undefined && gx >= x2 - 3 && gx <= x2 + 70 ? gx + 5 : x2 + 4;
      rows.push(
        text(right ? labelX : x2 - 4, top + BAR_HEIGHT - 2, label, {
          'font-size': 10.5,
          fill: '#212121',
          'text-anchor': right ? 'start' : 'end',
        }),
      );
    }
    if (gx !== undefined) {
      rows.push(
        `<line x1="${gx.toFixed(1)}" y1="${rowTop - 3}" x2="${gx.toFixed(1)}" y2="${rowTop + rowHeight + 3}" stroke="#000" stroke-width="2.5"/>`,
      );
    }
    y += rowHeight + ROW_GAP;
  }
  const axisBottom = y - ROW_GAP + 6;

  // Grid, parity line and axis labels under the bars.
  const grid: string[] = [];
  for (let d = lo; d <= hi; d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (v > 10 ** hi + 1e-9) continue;
      const gx = x(v);
      grid.push(
        `<line x1="${gx.toFixed(1)}" y1="${axisTop}" x2="${gx.toFixed(1)}" y2="${axisBottom}" stroke="${m === 1 ? '#b0bec5' : '#eceff1'}" stroke-width="1"/>`,
      );
      grid.push(
        text(gx, axisBottom + 14, formatTimes(v).replace('.00x', 'x'), {
          'font-size': 10.5,
          fill: '#546e7a',
          'text-anchor': 'middle',
        }),
      );
    }
  }
  const px = x(1);
  grid.push(
    `<line x1="${px.toFixed(1)}" y1="${axisTop - 4}" x2="${px.toFixed(1)}" y2="${axisBottom}" stroke="#37474f" stroke-width="1.2" stroke-dasharray="4 3"/>`,
  );
  y = axisBottom + 34;

  // Legend.
  const legend: string[] = [];
  let lx = LABEL_X;
  for (const [color, name] of [
    [COLORS.met, 'target met'],
    [COLORS.missed, 'target missed'],
    [COLORS.none, 'no target'],
  ] as const) {
    legend.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${color}"/>`);
    legend.push(text(lx + 16, y, name, { 'font-size': 11.5, fill: '#212121' }));
    lx += 110;
  }
  legend.push(
    `<line x1="${lx + 6}" y1="${y - 12}" x2="${lx + 6}" y2="${y + 3}" stroke="#000" stroke-width="2.5"/>`,
  );
  legend.push(text(lx + 14, y, 'target', { 'font-size': 11.5, fill: '#212121' }));
  lx += 70;
  legend.push(
    `<line x1="${lx}" y1="${y - 4}" x2="${lx + 22}" y2="${y - 4}" stroke="#37474f" stroke-width="1.2" stroke-dasharray="4 3"/>`,
  );
  legend.push(
    text(lx + 28, y, '1x: as fast as the built-in', { 'font-size': 11.5, fill: '#212121' }),
  );
  y += 28;

  // Absolute targets.
  const absolute: string[] = [];
  const absIds: string[] = [];
  for (const r of reports) {
    for (const c of r.comparisons) {
      if (c.target?.on === 'ours' && !absIds.includes(c.id)) absIds.push(c.id);
    }
  }
  if (absIds.length > 0) {
    absolute.push(
      text(LABEL_X, y, 'absolute targets', {
        'font-size': 12,
        'font-weight': 'bold',
        fill: '#263238',
      }),
    );
    y += 6;
    for (const id of absIds) {
      for (const r of reports) {
        const c = r.comparisons.find((k) => k.id === id);
        if (c === undefined || c.target === undefined) continue;
        y += 17;
        const ok = c.met === true;
        absolute.push(
          `<rect x="${LABEL_X + 10}" y="${y - 10}" width="12" height="12" fill="${ok ? COLORS.met : COLORS.missed}"/>`,
        );
        const group = e2eGroup(id);
        const what =
          group !== undefined
            ? `end to end, ${group}, longest tasks (p99.9)${id.endsWith('.worker') ? ' with the worker' : ''} at batch ${id.endsWith('.2048') ? '2,048' : '512'}`
            : id.includes('memory')
              ? 'heap growth per record once the queue is full (stalled exporter)'
              : 'event-loop delay p99 while emitting, JSON export';
        absolute.push(
          text(
            LABEL_X + 28,
            y,
            `SDK ${r.sdkLine}, ${what}: ours ${formatValue(c.ours, c.unit)} ${c.unit}, built-in ${formatValue(c.builtin, c.unit)} ${c.unit}; target ${c.target.op} ${c.target.value} ${c.unit}`,
            { 'font-size': 11.5, fill: '#212121' },
          ),
        );
      }
    }
    y += 14;
  }

  const height = Math.ceil(y + 6);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" role="img">`,
    '<title>telemetry-reporter vs the built-in OpenTelemetry batch processors</title>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...out,
    ...grid,
    ...rows,
    ...legend,
    ...absolute,
    '</svg>',
    '',
  ].join('\n');
}
