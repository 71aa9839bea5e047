import type { Comparison, LineReport } from '../types.js';

/** A measured value in its unit, with the precision a reader needs. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'records/s':
      return Math.round(value).toLocaleString('en-US');
    case 'B/record':
      return value.toFixed(3);
    case 'ns/op':
      return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
    default:
      if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
      return Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
  }
}

/** `0.54`, or `n/a` when the ratio means nothing. */
export function formatRatio(c: Comparison): string {
  if (c.noRatio || !Number.isFinite(c.ratio)) return 'n/a';
  return c.ratio < 0.1 ? c.ratio.toFixed(3) : c.ratio.toFixed(2);
}

/** `1.86x` (ours better) or `0.42x` (ours worse), or `n/a`. */
export function formatSpeedup(c: Comparison): string {
  if (c.noRatio || !Number.isFinite(c.speedup)) return 'n/a';
  return `${c.speedup >= 10 ? c.speedup.toFixed(0) : c.speedup.toFixed(2)}x`;
}

/** The target as the table states it. */
export function formatTarget(c: Comparison): string {
  const t = c.target;
  if (t === undefined) return '';
  if (t.on === 'ours') return `ours ${t.op} ${t.value} ${c.unit}`;
  if (c.better === 'lower' && t.op === '<=' && t.value < 1) {
    const times = Math.round(1 / t.value);
    // 1/3, not 0.3333333333333333: a value with no short decimal form is shown as a fraction
    if (`${t.value}`.length > 6 && Math.abs(times * t.value - 1) < 1e-9) {
      return `ratio <= 1/${times} (${times}x faster)`;
    }
    return `ratio <= ${t.value}${t.value <= 0.1 ? ` (${times}x faster)` : ''}`;
  }
  return `ratio ${t.op} ${t.value}`;
}

/** `yes` / `**no**` / empty. */
export function formatMet(c: Comparison): string {
  if (c.met === undefined) return '';
  return c.met ? 'yes' : '**no**';
}

/** `SDK 2: sdk-logs 0.223.1, sdk-trace-base 2.12.1, api 1.9.1` */
export function sdkLabel(report: LineReport): string {
  const versions = Object.entries(report.sdkVersions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `SDK ${report.sdkLine} (${versions})`;
}

/** One line on where the numbers come from. */
export function machineLabel(report: LineReport): string {
  const m = report.machine;
  return `Node ${m.node} (V8 ${m.v8}) on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; load average ${m.loadAverage.toFixed(2)} at start`;
}
