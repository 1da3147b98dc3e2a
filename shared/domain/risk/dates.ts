import { RiskInputError } from './errors';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a calendar date YYYY-MM-DD, or null when it is not a real date (2024-02-30). */
export function dayNumber(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2024-02-30 over to March (and reads year 0050 as 1950): reject instead of silently shifting.
  if (new Date(ms).toISOString().slice(0, 10) !== date) return null;
  return ms / MS_PER_DAY;
}

export function isIsoDate(date: string): boolean {
  return dayNumber(date) !== null;
}

export function assertIsoDate(date: string, what: string): number {
  const n = dayNumber(date);
  if (n === null) throw new RiskInputError(`${what} '${date}' is not a calendar date YYYY-MM-DD`);
  return n;
}
