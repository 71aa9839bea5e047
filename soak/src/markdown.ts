// Markdown pieces the soak's reports share.

/** Bytes in a mebibyte. */
export const MiB = 1024 * 1024;

/**
 * A Markdown table with its columns padded to their widest cell, as the repository's formatter
 * (Biome) writes them, so that a fresh RESULTS.md passes `biome check`. `rows` are written
 * `| a | b |`; a cell must not contain `|`.
 */
export function table(
  header: readonly string[],
  align: readonly ('left' | 'right')[],
  rows: readonly string[],
): string[] {
  const cells = [header, ...rows.map((row) => row.slice(2, -2).split(' | '))];
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    `| ${widths
      .map((width, i) =>
        align[i] === 'right' ? (row[i] ?? '').padStart(width) : (row[i] ?? '').padEnd(width),
      )
      .join(' | ')} |`;
  const rule = `| ${widths
    .map((width, i) => (align[i] === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width)))
    .join(' | ')} |`;
  const [first, ...rest] = cells;
  return [line(first ?? []), rule, ...rest.map(line)];
}

/** A count with thousands separators. */
export function n(value: number): string {
  return value.toLocaleString('en-US');
}

/** Bytes in MiB, one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}
