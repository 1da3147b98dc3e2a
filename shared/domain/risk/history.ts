import { dayNumber } from './dates';
import { RiskInputError } from './errors';

/** Daily closes: dates ascending YYYY-MM-DD, one series per asset aligned to dates, null = no quote that day. */
export interface PriceHistory {
  dates: string[];
  series: Record<string, (number | null)[]>;
}

// Plain decimal only: Number() would also accept '', ' ', '0x1f' and 'Infinity'.
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses `date,ASSET1,ASSET2,...` CSV text (the daily-closes-usd.csv format). An empty cell is a missing
 * quote; anything else must be a positive decimal. Errors name the line (1-based) and column.
 */
export function parseClosesCsv(text: string): PriceHistory {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let headerIdx = 0;
  while (headerIdx < lines.length && lines[headerIdx].trim() === '') headerIdx++;
  if (headerIdx === lines.length)
    throw new RiskInputError('price CSV is empty: expected a header line date,ASSET,...');
  const header = lines[headerIdx].split(',').map((h) => h.trim());
  const headerLine = headerIdx + 1;
  if (header[0].toLowerCase() !== 'date') {
    throw new RiskInputError(
      `price CSV line ${headerLine}: first column must be 'date' (found '${header[0]}'), e.g. date,BTC,ETH`,
    );
  }
  const assets = header.slice(1);
  if (assets.length === 0)
    throw new RiskInputError(`price CSV line ${headerLine}: no asset columns after 'date'`);
  const seen = new Set<string>();
  assets.forEach((a, i) => {
    if (a === '') throw new RiskInputError(`price CSV line ${headerLine}, column ${i + 2}: empty asset name`);
    if (seen.has(a))
      throw new RiskInputError(`price CSV line ${headerLine}, column ${i + 2}: duplicate asset '${a}'`);
    seen.add(a);
  });

  const dates: string[] = [];
  const cols: (number | null)[][] = assets.map(() => []);
  let prevDay = -Infinity;
  for (let li = headerIdx + 1; li < lines.length; li++) {
    const raw = lines[li];
    if (raw.trim() === '') continue;
    const lineNo = li + 1;
    const cells = raw.split(',');
    if (cells.length !== header.length) {
      throw new RiskInputError(
        `price CSV line ${lineNo}: ${cells.length} columns, header has ${header.length}`,
      );
    }
    const date = cells[0].trim();
    const day = dayNumber(date);
    if (day === null)
      throw new RiskInputError(`price CSV line ${lineNo}, column 1 (date): '${date}' is not YYYY-MM-DD`);
    if (day === prevDay) throw new RiskInputError(`price CSV line ${lineNo}: duplicate date ${date}`);
    if (day < prevDay) {
      throw new RiskInputError(
        `price CSV line ${lineNo}: date ${date} is before ${dates[dates.length - 1]} (dates must ascend)`,
      );
    }
    prevDay = day;
    dates.push(date);
    for (let c = 1; c < cells.length; c++) {
      const cell = cells[c].trim();
      if (cell === '') {
        cols[c - 1].push(null);
        continue;
      }
      const where = `price CSV line ${lineNo}, column ${c + 1} (${assets[c - 1]})`;
      if (!DECIMAL_RE.test(cell)) throw new RiskInputError(`${where}: '${cell}' is not a number`);
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new RiskInputError(`${where}: '${cell}' is not a finite number`);
      if (v <= 0) throw new RiskInputError(`${where}: price ${cell} must be positive`);
      cols[c - 1].push(v);
    }
  }
  if (dates.length === 0) throw new RiskInputError('price CSV has a header but no data rows');
  const series: Record<string, (number | null)[]> = {};
  assets.forEach((a, i) => (series[a] = cols[i]));
  return { dates, series };
}

/** Index of `date` in the history, or -1. Binary search: histories are sorted and a few thousand rows long. */
export function dateIndex(history: PriceHistory, date: string): number {
  const { dates } = history;
  let lo = 0;
  let hi = dates.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = dates[mid];
    if (d === date) return mid;
    if (d < date) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Closes of every asset quoted on `date` (assets without a quote that day are left out). */
export function closesOn(history: PriceHistory, date: string): Record<string, number> {
  const i = dateIndex(history, date);
  if (i < 0) throw new RiskInputError(`no closes for ${date} (history covers ${rangeOf(history)})`);
  const out: Record<string, number> = {};
  for (const [asset, s] of Object.entries(history.series)) {
    const v = s[i];
    if (v !== null && v !== undefined) out[asset] = v;
  }
  return out;
}

export function rangeOf(history: PriceHistory): string {
  const { dates } = history;
  return dates.length ? `${dates[0]}..${dates[dates.length - 1]}` : '(empty)';
}
