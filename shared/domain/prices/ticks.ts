/** Tick identity and the rolling daily closes that VaR reads. Pure. */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The start of the UTC minute containing `at`. */
export function tickMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

/** `tick-YYYYMMDDTHHMMZ`: the same minute always yields the same id, so a re-run is recognisable. */
export function tickIdOf(at: Date): string {
  const m = tickMinute(at);
  return (
    `tick-${m.getUTCFullYear()}${pad(m.getUTCMonth() + 1)}${pad(m.getUTCDate())}` +
    `T${pad(m.getUTCHours())}${pad(m.getUTCMinutes())}Z`
  );
}

/** YYYY-MM-DD of the UTC day. */
export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export interface DailyClose {
  date: string;
  close: number;
  /** Set on backfilled closes: which sources vouched for it (a live close has none). */
  sources?: 'chainlink+pyth' | 'chainlink' | 'pyth';
}

/**
 * The latest price of a UTC day is that day's close: replaces the entry for `date` (or inserts it in date
 * order) and keeps the most recent `limit` days, ascending.
 */
export function upsertDailyClose(
  closes: readonly DailyClose[],
  date: string,
  close: number,
  limit: number,
): DailyClose[] {
  const out = closes.filter((c) => c.date !== date);
  out.push({ date, close });
  // Dates are unique here (the day's entry was replaced), so no two compare equal.
  out.sort((a, b) => (a.date < b.date ? -1 : 1));
  return out.slice(Math.max(0, out.length - limit));
}

/** Document store collection of the rolling daily closes (doc id = asset): written by ingestion, read by VaR. */
export const DAILY_CLOSES_COLLECTION = FIRESTORE_COLLECTIONS.risk.dailyCloses;

export interface DailyClosesDoc {
  asset: string;
  closes: DailyClose[];
  updatedAt: string;
  [key: string]: unknown;
}
