/**
 * What a backfilled daily close is. The live path takes a day's last ingested price as its close; history is
 * read the same way: the last Chainlink round updated at or before the day's last second, and Pyth's first
 * update at or after the day's last minute. Two sources that agree vouch for each other; the live jump bound
 * (a move against the last good price) does not apply, since history holds real −40 % days. Pure.
 */
import type { AssetFeedConfig, ChainlinkFeedConfig, PythFeedConfig } from './config';
import type { DailyClose } from './ticks';

const DAY_MS = 86_400_000;

/** The instant a day's close is taken at: 23:59:59 UTC, in unix seconds. */
export function dayEndSeconds(date: string): number {
  return Date.parse(`${date}T23:59:59Z`) / 1000;
}

/** Pyth is asked for its first update at or after this: the start of the day's last minute, unix seconds. */
export function pythCloseRequestSeconds(date: string): number {
  return dayEndSeconds(date) - 59;
}

/** The UTC days from `from` to `to` inclusive, newest first (the order history is walked in). */
export function daysDescending(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${to}T00:00:00Z`); t >= Date.parse(`${from}T00:00:00Z`); t -= DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** A Chainlink round as history reports it (unix seconds). */
export interface HistoricalRound {
  answer: number;
  updatedAt: number;
}

/** A Pyth update as history reports it (unix seconds). */
export interface HistoricalPythPrice {
  price: number;
  confidence: number;
  publishTime: number;
}

export type CloseSources = 'chainlink+pyth' | 'chainlink' | 'pyth';

export type HistoricalClose =
  | { ok: true; date: string; close: number; sources: CloseSources }
  | { ok: false; date: string; reason: string };

/** Why the Chainlink round cannot stand for the day's close, or undefined when it can. */
function chainlinkProblem(
  feed: ChainlinkFeedConfig,
  round: HistoricalRound,
  dayEnd: number,
  marginSeconds: number,
): string | undefined {
  if (!(round.answer > 0) || !Number.isFinite(round.answer)) return 'Chainlink answer is not positive';
  if (round.updatedAt > dayEnd) return 'Chainlink round is after the day';
  const heartbeat = feed.heartbeatSeconds;
  const margin = feed.stalenessMarginSeconds ?? marginSeconds;
  if (dayEnd - round.updatedAt > heartbeat + margin)
    return `Chainlink's last round was ${Math.round((dayEnd - round.updatedAt) / 3600)} h old at the close (heartbeat ${heartbeat} s)`;
  return undefined;
}

function pythProblem(feed: PythFeedConfig, p: HistoricalPythPrice, date: string): string | undefined {
  if (!(p.price > 0) || !Number.isFinite(p.price)) return 'Pyth price is not positive';
  const asked = pythCloseRequestSeconds(date);
  const maxAge = feed.maxAgeSeconds;
  if (p.publishTime < asked)
    return `Pyth's update came ${asked - p.publishTime} s before the day's last minute`;
  if (p.publishTime > asked + maxAge)
    return `Pyth's first update after the close came ${p.publishTime - asked} s late (max ${maxAge} s)`;
  if (p.confidence / p.price > feed.maxConfidenceRatio) return 'Pyth confidence too wide';
  return undefined;
}

/**
 * The close of `date` from what each source had at the day's end. Both valid: they must agree within the
 * asset's maxSourceDeviation (|a − b| / min(a, b), as the live aggregation), and Chainlink's answer is kept (the
 * on-chain value the desk's contracts settle on). One valid: its value, marked as single-source. Neither, or
 * disagreeing: no close (the day stays missing and the missing-close policy applies).
 */
export function reconcileHistoricalClose(
  feed: AssetFeedConfig,
  date: string,
  chainlink: HistoricalRound | undefined,
  pyth: HistoricalPythPrice | undefined,
  chainlinkMarginSeconds: number,
): HistoricalClose {
  const dayEnd = dayEndSeconds(date);
  const clProblem = !feed.chainlink
    ? 'no Chainlink feed'
    : chainlink
      ? chainlinkProblem(feed.chainlink, chainlink, dayEnd, chainlinkMarginSeconds)
      : 'no Chainlink round';
  const pyProblem = !feed.pyth
    ? 'no Pyth feed'
    : pyth
      ? pythProblem(feed.pyth, pyth, date)
      : 'no Pyth update';
  const cl = clProblem === undefined ? chainlink : undefined;
  const py = pyProblem === undefined ? pyth : undefined;
  if (cl && py) {
    const gap = Math.abs(cl.answer - py.price) / Math.min(cl.answer, py.price);
    if (gap > feed.maxSourceDeviation)
      return {
        ok: false,
        date,
        reason: `sources disagree by ${(gap * 100).toFixed(2)} % (max ${(feed.maxSourceDeviation * 100).toFixed(2)} %)`,
      };
    return { ok: true, date, close: cl.answer, sources: 'chainlink+pyth' };
  }
  if (cl) return { ok: true, date, close: cl.answer, sources: 'chainlink' };
  if (py) return { ok: true, date, close: py.price, sources: 'pyth' };
  return { ok: false, date, reason: `${clProblem}; ${pyProblem}` };
}

/**
 * `closes` with the backfilled ones added where the day has no close yet (a close already there — the live
 * path's — is kept), ascending, the newest `limit` kept.
 */
export function mergeBackfilledCloses(
  closes: readonly DailyClose[],
  filled: readonly DailyClose[],
  limit: number,
): DailyClose[] {
  const have = new Set(closes.map((c) => c.date));
  const out = [...closes, ...filled.filter((c) => !have.has(c.date))];
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return out.slice(Math.max(0, out.length - limit));
}

/** How a history backfill runs: how far back, how often it commits, how fast it asks Hermes, how long. */
export interface BackfillOptions {
  /** Full days to fill, ending yesterday (UTC). */
  days: number;
  /** Days read between two commits (the most a crash makes a rerun read again). */
  chunkDays: number;
  /** Pause between two Pyth requests (the public Hermes allows 30 requests per 10 s). */
  pythIntervalMs: number;
  /** Stop at the first commit after this long and report `partial`; the next run continues. */
  budgetMs: number;
}
