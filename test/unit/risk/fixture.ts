import { readFileSync } from 'fs';
import { join } from 'path';
import type { PriceHistory } from '../../../shared/domain/risk/history';

export const CLOSES_CSV = join(__dirname, '..', '..', 'fixtures', 'daily-closes-usd.csv');

let cached: PriceHistory | undefined;

/**
 * The real 2018-01-01..2024-12-07 daily closes, read once per test file by a plain reader of this well-formed
 * file, not by the domain's parseClosesCsv: the tests of the parser compare it with this, and tests of other
 * modules that read the fixture while they are being collected run none of the domain's code.
 */
export function realHistory(): PriceHistory {
  if (cached) return cached;
  const [header, ...rows] = readFileSync(CLOSES_CSV, 'utf8').trim().split('\n');
  const assets = header.split(',').slice(1);
  const dates: string[] = [];
  const series: Record<string, (number | null)[]> = Object.fromEntries(assets.map((a) => [a, []]));
  for (const row of rows) {
    const [date, ...cells] = row.split(',');
    dates.push(date);
    assets.forEach((a, i) => series[a].push(cells[i] === '' ? null : Number(cells[i])));
  }
  cached = { dates, series };
  return cached;
}

export function closeOf(h: PriceHistory, asset: string, date: string): number {
  const v = h.series[asset][h.dates.indexOf(date)];
  if (v === null || v === undefined) throw new Error(`fixture has no ${asset} close on ${date}`);
  return v;
}

/** Every asset's close on `date` in the fixture, assets without one left out. */
export function closesOnFixture(date: string): Record<string, number> {
  const h = realHistory();
  const i = h.dates.indexOf(date);
  const out: Record<string, number> = {};
  for (const [asset, s] of Object.entries(h.series)) {
    const v = s[i];
    if (v !== null) out[asset] = v;
  }
  return out;
}
