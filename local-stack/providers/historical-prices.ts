/**
 * Real daily closes (CSV `date,BTC,ETH,…`, empty cell = no quote) turned into a price function for the local
 * provider servers: the close of day D is taken as the price at the end of D (24:00 UTC), and prices between
 * two closes are interpolated linearly, so a scenario played minute by minute moves smoothly and truthfully.
 */
import { readFileSync } from 'node:fs';
import type { PriceFunction } from './chainlink-rpc-server';

export type DailyCloseTable = Map<string, Map<string, number>>;

/** asset → (YYYY-MM-DD → close). */
export function parseDailyClosesCsv(text: string): DailyCloseTable {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim());
  if (header[0] !== 'date') throw new Error('daily closes CSV must start with a date column');
  const table: DailyCloseTable = new Map(header.slice(1).map((a) => [a, new Map()]));
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const date = cells[0].trim();
    header.slice(1).forEach((asset, i) => {
      const cell = (cells[i + 1] ?? '').trim();
      if (cell === '') return;
      const v = Number(cell);
      if (Number.isFinite(v) && v > 0) table.get(asset)?.set(date, v);
    });
  }
  return table;
}

export function loadDailyClosesCsv(path: string): DailyCloseTable {
  return parseDailyClosesCsv(readFileSync(path, 'utf8'));
}

const DAY = 86_400_000;

/** Price at `at`: between the previous day's close (at 00:00) and this day's close (at 24:00). */
export function interpolatedPrices(table: DailyCloseTable): PriceFunction {
  return (asset, at) => {
    const closes = table.get(asset);
    if (!closes) throw new Error(`no history for ${asset}`);
    const dayStart = Math.floor(at.getTime() / DAY) * DAY;
    const today = new Date(dayStart).toISOString().slice(0, 10);
    const yesterday = new Date(dayStart - DAY).toISOString().slice(0, 10);
    const end = closes.get(today);
    const start = closes.get(yesterday);
    if (end === undefined || start === undefined) throw new Error(`no close for ${asset} around ${today}`);
    const f = (at.getTime() - dayStart) / DAY;
    return start + (end - start) * f;
  };
}
