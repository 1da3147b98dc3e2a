import { readFileSync } from 'fs';
import { join } from 'path';
import { parseClosesCsv, type PriceHistory } from '../../../shared/domain/risk/history';

export const CLOSES_CSV = join(__dirname, '..', '..', 'fixtures', 'daily-closes-usd.csv');

let cached: PriceHistory | undefined;

/** The real 2018-01-01..2024-12-07 daily closes, parsed once per test file. */
export function realHistory(): PriceHistory {
  cached ??= parseClosesCsv(readFileSync(CLOSES_CSV, 'utf8'));
  return cached;
}

export function closeOf(h: PriceHistory, asset: string, date: string): number {
  const v = h.series[asset][h.dates.indexOf(date)];
  if (v === null || v === undefined) throw new Error(`fixture has no ${asset} close on ${date}`);
  return v;
}
