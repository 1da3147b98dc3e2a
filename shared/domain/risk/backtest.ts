import { assertIsoDate, dayNumber } from './dates';
import { RiskEngine, tailProbability, type QuantileMethod, type RiskParams } from './engine';
import { RiskInputError } from './errors';
import { dateIndex, rangeOf, type PriceHistory } from './history';
import type { Position } from './margin';
import { binomialCdf, chiSquareSurvival, xlny } from './stats';

/** χ² critical values at 5 %: df 1 and df 2. */
export const CHI2_95_DF1 = 3.841458820694124;
export const CHI2_95_DF2 = 5.991464547107979;

export interface BacktestParams {
  lookbackDays: number;
  confidence: number;
  quantileMethod: QuantileMethod;
}

export const DEFAULT_BACKTEST_PARAMS: BacktestParams = {
  lookbackDays: 365,
  confidence: 0.99,
  quantileMethod: 'linear',
};

/** One backtest day: 1-day VaR from closes up to the day before, realised P&L from the day before to this day. */
export interface BacktestDay {
  date: string;
  varUsd: number;
  pnlUsd: number;
  exception: boolean;
}

export interface KupiecResult {
  lr: number;
  pValue: number;
  /** LR above the 5 % χ²(1) critical value. */
  reject: boolean;
}

export interface ChristoffersenResult {
  n00: number;
  n01: number;
  n10: number;
  n11: number;
  lrInd: number;
  pValueInd: number;
  rejectInd: boolean;
  /** Conditional coverage: LR_POF + LR_ind ~ χ²(2). */
  lrCc: number;
  pValueCc: number;
  rejectCc: boolean;
}

export type TrafficLightZone = 'green' | 'yellow' | 'red';

export interface TrafficLightResult {
  zone: TrafficLightZone;
  exceptions: number;
  observations: number;
  /** Binomial F(exceptions | observations, 1 − confidence). */
  cumulativeProbability: number;
  /** Largest exception counts still green / yellow for this number of observations (4 and 9 at T = 250, 99 %). */
  greenMax: number;
  yellowMax: number;
}

export interface BacktestResult {
  from: string;
  to: string;
  confidence: number;
  lookbackDays: number;
  quantileMethod: QuantileMethod;
  observations: number;
  exceptions: number;
  expectedExceptions: number;
  days: BacktestDay[];
  kupiec: KupiecResult;
  christoffersen: ChristoffersenResult;
  trafficLight: TrafficLightResult;
}

/** Kupiec POF: −2 ln[(1−p)^{T−x} p^x / ((1−p̂)^{T−x} p̂^x)], p̂ = x/T; x = 0 and x = T fall out of 0·ln 0 = 0. */
export function kupiecPof(exceptions: number, observations: number, p: number): number {
  const x = exceptions;
  const T = observations;
  if (!(Number.isInteger(x) && Number.isInteger(T) && T > 0 && x >= 0 && x <= T)) {
    throw new RiskInputError(
      `Kupiec test needs 0 ≤ exceptions ≤ observations, observations > 0 (got ${x}/${T})`,
    );
  }
  const ph = x / T;
  const lr = -2 * (xlny(T - x, 1 - p) + xlny(x, p) - xlny(T - x, 1 - ph) - xlny(x, ph));
  // The unrestricted likelihood is never lower; clamp rounding noise at x ≈ pT.
  return Math.max(0, lr);
}

export function kupiecTest(exceptions: number, observations: number, p: number): KupiecResult {
  const lr = kupiecPof(exceptions, observations, p);
  return { lr, pValue: chiSquareSurvival(lr, 1), reject: lr > CHI2_95_DF1 };
}

/**
 * ln L of `quiet` days without and `hits` days with an exception at the exception rate that fits them best,
 * hits / (quiet + hits); 0 with no days (0·ln 0 = 0).
 */
function maxLogLikelihood(quiet: number, hits: number): number {
  const n = quiet + hits;
  return xlny(quiet, quiet / n) + xlny(hits, hits / n);
}

/** Christoffersen independence (first-order Markov) and conditional coverage on a daily exception sequence. */
export function christoffersenTest(hits: boolean[], p: number): ChristoffersenResult {
  let n00 = 0;
  let n01 = 0;
  let n10 = 0;
  let n11 = 0;
  for (let t = 1; t < hits.length; t++) {
    if (hits[t - 1]) {
      if (hits[t]) n11++;
      else n10++;
    } else if (hits[t]) n01++;
    else n00++;
  }
  // One exception probability for every day (restricted) against one after a quiet day and one after an exception.
  const restricted = maxLogLikelihood(n00 + n10, n01 + n11);
  const unrestricted = maxLogLikelihood(n00, n01) + maxLogLikelihood(n10, n11);
  const lrInd = Math.max(0, -2 * (restricted - unrestricted));
  const x = hits.reduce((acc, h) => acc + (h ? 1 : 0), 0);
  const lrCc = (hits.length > 0 ? kupiecPof(x, hits.length, p) : 0) + lrInd;
  return {
    n00,
    n01,
    n10,
    n11,
    lrInd,
    pValueInd: chiSquareSurvival(lrInd, 1),
    rejectInd: lrInd > CHI2_95_DF1,
    lrCc,
    pValueCc: chiSquareSurvival(lrCc, 2),
    rejectCc: lrCc > CHI2_95_DF2,
  };
}

/**
 * Basel traffic light by the binomial CDF with the actual number of observations (MathWorks varbacktest.tl):
 * green F ≤ 0.95, yellow F ≤ 0.9999, red above. At T = 250, 99 % this is 0–4 / 5–9 / 10+.
 */
export function trafficLight(exceptions: number, observations: number, p: number): TrafficLightResult {
  const F = binomialCdf(exceptions, observations, p);
  let greenMax = -1;
  let yellowMax = -1;
  for (let x = 0; x <= observations; x++) {
    const f = binomialCdf(x, observations, p);
    if (f <= 0.95) greenMax = x;
    if (f <= 0.9999) yellowMax = x;
    else break;
  }
  const zone: TrafficLightZone = F <= 0.95 ? 'green' : F <= 0.9999 ? 'yellow' : 'red';
  return { zone, exceptions, observations, cumulativeProbability: F, greenMax, yellowMax };
}

/**
 * Backtests 1-day HS VaR of a portfolio held at constant amounts: for each day d in [from, to], VaR from the
 * lookback ending d−1 (no look-ahead) on exposures valued at d−1 closes, against the P&L from d−1 to d.
 * An exception is a loss strictly greater than VaR.
 */
export function runBacktest(
  history: PriceHistory,
  positions: Position[],
  from: string,
  to: string,
  params: BacktestParams = DEFAULT_BACKTEST_PARAMS,
): BacktestResult {
  assertIsoDate(from, 'backtest start');
  assertIsoDate(to, 'backtest end');
  if (from > to) throw new RiskInputError(`backtest start ${from} is after its end ${to}`);
  const i0 = dateIndex(history, from);
  const i1 = dateIndex(history, to);
  if (i0 < 0)
    throw new RiskInputError(`backtest start ${from} is not in the price history (${rangeOf(history)})`);
  if (i1 < 0)
    throw new RiskInputError(`backtest end ${to} is not in the price history (${rangeOf(history)})`);
  if (i0 === 0) throw new RiskInputError(`backtest start ${from} has no previous close to measure P&L from`);
  // The first day's VaR uses the window ending the day before: lookback returns need lookback + 1 closes.
  const L = params.lookbackDays;
  // A lookback the engine refuses (not a whole number ≥ 2) is left to its message.
  if (Number.isInteger(L) && L >= 2 && i0 < L + 1) {
    const earliest = L + 1 < history.dates.length ? `; the earliest start is ${history.dates[L + 1]}` : '';
    throw new RiskInputError(
      `backtest start ${from}: a ${L}-day lookback ending the day before needs ${L + 1} closes, ` +
        `the price history has ${i0} before ${from} (it starts ${history.dates[0]})${earliest}`,
    );
  }

  const net = new Map<string, number>();
  for (const p of positions) {
    if (!(Number.isFinite(p.amount) && p.amount >= 0)) {
      throw new RiskInputError(`position in ${p.asset}: amount ${p.amount} must be a finite number ≥ 0`);
    }
    net.set(p.asset, (net.get(p.asset) ?? 0) + (p.side === 'collateral' ? p.amount : -p.amount));
  }
  const assets = [...net].filter(([, q]) => q !== 0).map(([a]) => a);
  const series: Record<string, (number | null)[]> = {};
  for (const a of assets) {
    if (!Object.prototype.hasOwnProperty.call(history.series, a)) {
      throw new RiskInputError(`asset ${a} has no price history`);
    }
    series[a] = history.series[a];
  }
  // Only the held assets: the engine need not slice windows for the rest on every day.
  const held: PriceHistory = { dates: history.dates, series };
  const riskParams: RiskParams = {
    lookbackDays: params.lookbackDays,
    confidences: [params.confidence],
    horizons: [1],
    horizonMethod: 'sqrt',
    quantileMethod: params.quantileMethod,
  };
  const amounts = assets.map((a) => net.get(a) as number);

  const days: BacktestDay[] = [];
  for (let d = i0; d <= i1; d++) {
    const prev = d - 1;
    const date = history.dates[d];
    const prevDate = history.dates[prev];
    if (dayNumber(date) !== (dayNumber(prevDate) as number) + 1) {
      throw new RiskInputError(
        `price history skips from ${prevDate} to ${date}: the backtest needs daily closes`,
      );
    }
    const engine = new RiskEngine(held, riskParams, prevDate);
    let pnl = 0;
    const exposures = assets.map((asset, j) => {
      const p0 = series[asset][prev];
      const p1 = series[asset][d];
      // The engine above has checked that every held series has a close (or null) for every date.
      if (p0 === null) throw new RiskInputError(`asset ${asset} has no close on ${prevDate}`);
      if (p1 === null) throw new RiskInputError(`asset ${asset} has no close on ${date}`);
      pnl += amounts[j] * (p1 - p0);
      return { asset, netUsd: amounts[j] * p0 };
    });
    const varUsd = engine.evaluate(exposures)[0].varUsd;
    days.push({ date, varUsd, pnlUsd: pnl, exception: -pnl > varUsd });
  }

  const p = tailProbability(params.confidence);
  const hits = days.map((r) => r.exception);
  const exceptions = hits.filter(Boolean).length;
  const T = days.length;
  return {
    from,
    to,
    confidence: params.confidence,
    lookbackDays: params.lookbackDays,
    quantileMethod: params.quantileMethod,
    observations: T,
    exceptions,
    expectedExceptions: T * p,
    days,
    kupiec: kupiecTest(exceptions, T, p),
    christoffersen: christoffersenTest(hits, p),
    trafficLight: trafficLight(exceptions, T, p),
  };
}
