const USD = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function usd(x: number): string {
  return USD.format(x);
}

/** Amounts keep their precision (0.5 BTC, 60,000 USDC) but drop float noise past 8 decimals. */
export function amount(x: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 }).format(x);
}

/** Cents for large prices; six significant digits below 100 so a stablecoin at 1.0003 is not shown as 1.00. */
export function price(x: number): string {
  return x >= 100 ? usd(x) : new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6 }).format(x);
}

export function pct(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/**
 * Aligned text table: first column left-aligned, the others right-aligned (they are numbers).
 * Two spaces between columns; a dashed rule under the header.
 */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
