/**
 * Per-portfolio risk metrics, computed every tick beside health and VaR/ES, and by the pre-trade check on a
 * hypothetical book. Pure: no I/O, no clock; the same inputs give the same metrics. All amounts in USD at the
 * prices given. The definitions, chosen so a risk manager can check each figure by hand:
 *
 * - Equity = collateral − borrow. Its state is ZERO when |equity| ≤ 1e-9 × (collateral + borrow): summing a
 *   thousand positions leaves rounding noise far below that band, and a ratio over such an equity would be
 *   noise of unbounded size. equityUsd is then exactly 0. NEGATIVE equity (a shortfall) is reported as a state,
 *   never as a ratio; policies treat it as a hard violation by default.
 * - Leverage = borrow / equity. 0 when nothing is borrowed, even at zero equity (an empty book is not
 *   leveraged); null when equity is ZERO or NEGATIVE, equityState says which.
 * - Notional per asset, in asset order (code units): collateral, borrow, gross = collateral + borrow,
 *   net = collateral − borrow. Positions of the same asset and side are summed.
 * - Concentration: the largest asset's share of Σ collateral, and of gross exposure Σ (collateral + borrow).
 *   A tie goes to the alphabetically first asset; null when the total is 0. Shares are in [0, 1].
 * - Tail shares: each VaR/ES figure (same confidence × horizon, same order) over equity; null shares unless
 *   equity is POSITIVE. No figures, no shares.
 * - Drawdown: the CURRENT book (each asset's collateral and borrow amounts held constant) valued as equity at
 *   each of the `drawdownWindowDays` daily closes ending at `historyEnd` (default: the history's last close,
 *   which should be the last completed day), then at the current prices as the last point: window + 1
 *   observations. Holding the positions constant makes the series a pure price effect, so a deposit or a
 *   withdrawal shifts every point alike and never reads as a loss.
 *   `current` = (peak − now) / peak, the peak being the highest value in the window (not since inception);
 *   `max` = the worst (running peak − value) / running peak along the window in time order, so max ≥ current.
 *   Both are ≥ 0, and above 1 once equity has fallen below zero (1.5: lost 150 % of the peak equity).
 *   null with drawdownUnavailable = NO_HISTORY when there is no history, the window's days are not all in it,
 *   or an asset held has no close on one of them (a skipped day could hide the peak); NON_POSITIVE_PEAK when
 *   the highest value is not positive (within the same 1e-9 band), where a fraction of it means nothing.
 * - Every output is finite or null: ratios are capped at ±RATIO_LIMIT, which only a book priced at rounding
 *   distance from zero equity could reach, and which keeps them inside the message schema's bounds.
 */
import { dayNumber } from '../risk/dates';
import type { RiskFigure } from '../risk/engine';
import { RiskInputError } from '../risk/errors';
import { dateIndex, type PriceHistory } from '../risk/history';
import { valuePortfolio, type Position } from '../risk/margin';

export type EquityState = 'POSITIVE' | 'ZERO' | 'NEGATIVE';

export interface AssetNotional {
  asset: string;
  collateralUsd: number;
  borrowUsd: number;
  grossUsd: number;
  netUsd: number;
}

export interface Drawdown {
  /** (peak − now) / peak. */
  current: number;
  /** Worst (running peak − value) / running peak within the window. */
  max: number;
  /** Highest value in the window (the latest such point on a tie). */
  peakUsd: number;
  /** Lowest value at or after that peak, now included: the deepest point of the current drawdown. */
  troughUsd: number;
  windowDays: number;
  /** Daily closes in the window plus the current valuation. */
  observations: number;
  // The four below are always set by computeRiskMetrics; optional so hand-built metrics (tests) may omit them.
  /** The current point (equityUsd up to rounding: the same book, summed by asset). */
  nowUsd?: number;
  /** Date of the close at the peak; null when the peak is now. */
  peakDate?: string | null;
  /** The peak and trough of `max`: max = (maxPeakUsd − maxTroughUsd) / maxPeakUsd. */
  maxPeakUsd?: number;
  maxTroughUsd?: number;
}

export interface TailShare {
  confidence: number;
  horizonDays: number;
  varShare: number | null;
  esShare: number | null;
}

export interface RiskMetrics {
  collateralUsd: number;
  borrowUsd: number;
  equityUsd: number;
  equityState: EquityState;
  healthScore: number | null;
  /** borrow / equity; 0 with nothing borrowed; null when equity ≤ 0 (equityState says why). */
  leverage: number | null;
  concentration: {
    collateral: { asset: string; share: number } | null;
    gross: { asset: string; share: number } | null;
  };
  notional: AssetNotional[];
  /** null when the history does not cover the window or the peak value is not positive; drawdownUnavailable says which. */
  drawdown: Drawdown | null;
  drawdownUnavailable?: 'NO_HISTORY' | 'NON_POSITIVE_PEAK';
  tailShares: TailShare[];
  /**
   * Set by the caller when computing the metrics failed and they were recomputed without history and VaR/ES
   * (no drawdown, no tail shares): the error, so "no drawdown" is not read as "no history".
   */
  degraded?: string;
}

export interface MetricsInput {
  positions: Position[];
  prices: Record<string, number>;
  figures: RiskFigure[] | null;
  /** Daily closes up to the previous day. */
  history: PriceHistory | null;
  drawdownWindowDays: number;
  /** The last close of the drawdown window (YYYY-MM-DD); default the history's last date. */
  historyEnd?: string;
}

/** Relative band around zero equity: |equity| within it of collateral + borrow counts as zero. */
export const ZERO_EQUITY_BAND = 1e-9;
/** Largest magnitude a ratio is reported with (the message schema's bound for ratios). */
export const RATIO_LIMIT = 1e15;

const bounded = (x: number): number => (x > RATIO_LIMIT ? RATIO_LIMIT : x < -RATIO_LIMIT ? -RATIO_LIMIT : x);

function equityStateOf(equity: number, scale: number): EquityState {
  if (Math.abs(equity) <= ZERO_EQUITY_BAND * scale) return 'ZERO';
  return equity > 0 ? 'POSITIVE' : 'NEGATIVE';
}

/** Summed by asset and side, ordered by asset (code units, not locale: the same order on every machine). */
function notionalOf(positions: Position[], prices: Record<string, number>): AssetNotional[] {
  const by = new Map<string, { c: number; b: number }>();
  for (const p of positions) {
    const a = by.get(p.asset) ?? { c: 0, b: 0 };
    if (p.side === 'collateral') a.c += p.amount;
    else a.b += p.amount;
    by.set(p.asset, a);
  }
  return [...by.keys()]
    .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
    .map((asset) => {
      const { c, b } = by.get(asset) as { c: number; b: number };
      const collateralUsd = c * prices[asset];
      const borrowUsd = b * prices[asset];
      return {
        asset,
        collateralUsd,
        borrowUsd,
        grossUsd: collateralUsd + borrowUsd,
        netUsd: collateralUsd - borrowUsd,
      };
    });
}

/** The largest `pick` among assets (already alphabetical, so strict > keeps the first on a tie) over the total. */
function largestShare(
  notional: AssetNotional[],
  pick: (n: AssetNotional) => number,
): { asset: string; share: number } | null {
  let total = 0;
  let best: AssetNotional | undefined;
  for (const n of notional) {
    total += pick(n);
    if (!best || pick(n) > pick(best)) best = n;
  }
  // Σ of non-negative terms is ≥ each term in floating point too, so the share never exceeds 1.
  if (!best || !(total > 0)) return null;
  return { asset: best.asset, share: pick(best) / total };
}

type DrawdownResult = { drawdown: Drawdown } | { unavailable: 'NO_HISTORY' | 'NON_POSITIVE_PEAK' };

function drawdownOf(
  positions: Position[],
  prices: Record<string, number>,
  history: PriceHistory | null,
  windowDays: number,
  historyEnd: string | undefined,
): DrawdownResult {
  if (!history || history.dates.length === 0) return { unavailable: 'NO_HISTORY' };
  const endDate = historyEnd ?? history.dates[history.dates.length - 1];
  const end = dateIndex(history, endDate);
  const start = end - windowDays + 1;
  if (end < 0 || start < 0) return { unavailable: 'NO_HISTORY' };
  // Dates ascend without repeats, so equal distance in days and in rows means no day is missing.
  const d0 = dayNumber(history.dates[start]);
  const d1 = dayNumber(history.dates[end]);
  if (d0 === null || d1 === null || d1 - d0 !== windowDays - 1) return { unavailable: 'NO_HISTORY' };

  // The book by asset: collateral and borrow amounts (only assets with an amount need a close).
  const book = new Map<string, { c: number; b: number }>();
  for (const p of positions) {
    if (p.amount === 0) continue;
    const a = book.get(p.asset) ?? { c: 0, b: 0 };
    if (p.side === 'collateral') a.c += p.amount;
    else a.b += p.amount;
    book.set(p.asset, a);
  }
  const n = windowDays + 1;
  const coll = new Float64Array(n);
  const borrow = new Float64Array(n);
  for (const [asset, { c, b }] of book) {
    const s = history.series[asset];
    if (!s) return { unavailable: 'NO_HISTORY' };
    for (let t = 0; t < windowDays; t++) {
      const close = s[start + t];
      if (close === null || close === undefined || !(close > 0) || !Number.isFinite(close))
        return { unavailable: 'NO_HISTORY' };
      coll[t] += c * close;
      borrow[t] += b * close;
    }
    coll[windowDays] += c * prices[asset];
    borrow[windowDays] += b * prices[asset];
  }
  const value = new Float64Array(n);
  for (let t = 0; t < n; t++) value[t] = coll[t] - borrow[t];
  const positive = (t: number) => equityStateOf(value[t], coll[t] + borrow[t]) === 'POSITIVE';

  let peak = 0;
  for (let t = 1; t < n; t++) if (value[t] >= value[peak]) peak = t;
  if (!positive(peak)) return { unavailable: 'NON_POSITIVE_PEAK' };
  const peakUsd = value[peak];
  const nowUsd = value[n - 1];
  let troughUsd = peakUsd;
  for (let t = peak + 1; t < n; t++) if (value[t] < troughUsd) troughUsd = value[t];

  // Worst decline from a running peak; a running peak that is not positive measures nothing yet.
  let max = 0;
  let maxPeakUsd = peakUsd;
  let maxTroughUsd = peakUsd;
  let run = -1;
  for (let t = 0; t < n; t++) {
    if (run < 0 || value[t] > value[run]) run = t;
    if (!positive(run)) continue;
    const dd = (value[run] - value[t]) / value[run];
    if (dd > max) {
      max = dd;
      maxPeakUsd = value[run];
      maxTroughUsd = value[t];
    }
  }
  return {
    drawdown: {
      current: bounded((peakUsd - nowUsd) / peakUsd),
      max: bounded(max),
      peakUsd,
      troughUsd,
      windowDays,
      observations: n,
      nowUsd,
      peakDate: peak === n - 1 ? null : history.dates[start + peak],
      maxPeakUsd,
      maxTroughUsd,
    },
  };
}

/** Every metric of one portfolio at one set of prices; throws RiskInputError only on input valuePortfolio refuses. */
export function computeRiskMetrics(input: MetricsInput): RiskMetrics {
  const { positions, prices, figures, history, drawdownWindowDays, historyEnd } = input;
  if (!Number.isInteger(drawdownWindowDays) || drawdownWindowDays < 1)
    throw new RiskInputError(
      `drawdown window must be a whole number of days ≥ 1 (got ${drawdownWindowDays})`,
    );
  const v = valuePortfolio(positions, prices);
  const state = equityStateOf(v.collateralUsd - v.borrowUsd, v.collateralUsd + v.borrowUsd);
  const equityUsd = state === 'ZERO' ? 0 : v.collateralUsd - v.borrowUsd;
  const overEquity = (x: number): number | null =>
    state === 'POSITIVE' && Number.isFinite(x) ? bounded(x / equityUsd) : null;
  const notional = notionalOf(positions, prices);
  const dd = drawdownOf(positions, prices, history, drawdownWindowDays, historyEnd);
  return {
    collateralUsd: v.collateralUsd,
    borrowUsd: v.borrowUsd,
    equityUsd,
    equityState: state,
    healthScore: v.healthScore,
    leverage: v.borrowUsd === 0 ? 0 : overEquity(v.borrowUsd),
    concentration: {
      collateral: largestShare(notional, (n) => n.collateralUsd),
      gross: largestShare(notional, (n) => n.grossUsd),
    },
    notional,
    ...('drawdown' in dd
      ? { drawdown: dd.drawdown }
      : { drawdown: null, drawdownUnavailable: dd.unavailable }),
    tailShares: (figures ?? []).map((f) => ({
      confidence: f.confidence,
      horizonDays: f.horizonDays,
      varShare: overEquity(f.varUsd),
      esShare: overEquity(f.esUsd),
    })),
  };
}
