import { dayNumber } from './dates';
import { RiskInputError } from './errors';
import { dateIndex, rangeOf, type PriceHistory } from './history';

/** numpy `method=`: 'linear' is numpy's default (Hyndman–Fan 7), 'inverted_cdf' a pure order statistic. */
export const QUANTILE_METHODS = ['linear', 'inverted_cdf'] as const;
export type QuantileMethod = (typeof QUANTILE_METHODS)[number];
/** 'sqrt': 1-day figures × √h (iid assumption). 'overlapping': h-day returns P_t/P_{t−h} − 1 over the window. */
export const HORIZON_METHODS = ['sqrt', 'overlapping'] as const;
export type HorizonMethod = (typeof HORIZON_METHODS)[number];

export interface RiskParams {
  /** Number of daily returns (scenarios); crypto trades every day, so 365 is one year. */
  lookbackDays: number;
  confidences: number[];
  horizons: number[];
  horizonMethod: HorizonMethod;
  quantileMethod: QuantileMethod;
  /**
   * Missing daily closes an asset may have inside the window and still be used (default DEFAULT_MAX_GAP_DAYS):
   * the scenarios that touch them are left out and the window reaches further back to keep `lookbackDays`
   * scenarios. An asset missing more is unusable. 0 restores the strict rule (any missing close, unusable).
   */
  maxGapDays?: number;
}

/** A week of daily closes missing from a year is still a year of returns; more means the feed is broken. */
export const DEFAULT_MAX_GAP_DAYS = 5;

export const DEFAULT_RISK_PARAMS: RiskParams = {
  lookbackDays: 365,
  confidences: [0.95, 0.975, 0.99],
  horizons: [1, 7, 10, 30],
  horizonMethod: 'sqrt',
  quantileMethod: 'linear',
  maxGapDays: DEFAULT_MAX_GAP_DAYS,
};

/** A daily close missing (null, or not a positive finite number) inside a window the engine computed around. */
export interface HistoryGap {
  asset: string;
  /** YYYY-MM-DD */
  date: string;
}

/** The order gaps are listed in: by asset, then date. */
export function compareHistoryGaps(a: HistoryGap, b: HistoryGap): number {
  if (a.asset !== b.asset) return a.asset < b.asset ? -1 : 1;
  return a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
}

/** VaR and ES as positive losses in USD (negative only if even the tail scenarios are profits). */
export interface RiskFigure {
  confidence: number;
  horizonDays: number;
  varUsd: number;
  esUsd: number;
}

/** Net USD exposure to one asset at the as-of close: collateral positive, borrow negative. */
export interface Exposure {
  asset: string;
  netUsd: number;
}

/**
 * Tail probability p = 1 − c, rounded to 12 decimals: 1 − 0.95 is 0.05000000000000004 in binary, which would
 * push ceil(n·p) one order statistic too far whenever n·p is a whole number (n = 100, 500, ...).
 */
export function tailProbability(confidence: number): number {
  return Math.round((1 - confidence) * 1e12) / 1e12;
}

/** n·p, snapped to the integer when only binary rounding separates them (500 × 0.05 → 25, not 25.000…02). */
function scaledCount(n: number, p: number): number {
  const x = n * p;
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, x) ? r : x;
}

/** How many smallest P&L values the estimators at tail probability p read (quantile neighbours and ES tail). */
export function tailCount(n: number, p: number): number {
  return Math.min(n, Math.ceil(scaledCount(n, p)) + 1);
}

/** Quantile at p of a sample of size n, given its smallest values sorted ascending in `s` (numpy formulas). */
export function quantileFromSmallest(
  s: ArrayLike<number>,
  n: number,
  p: number,
  method: QuantileMethod,
): number {
  if (method === 'inverted_cdf') return s[Math.max(0, Math.ceil(scaledCount(n, p)) - 1)];
  const h = (n - 1) * p;
  const f = Math.floor(h);
  const t = h - f;
  const a = s[f];
  if (t === 0) return a;
  const b = s[f + 1];
  const diff = b - a;
  // numpy's _lerp interpolates from the nearer end, which keeps the result monotone in t.
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Acerbi–Tasche discrete ES as a positive loss: −(Σ_{i<⌊np⌋} s_i + (np−⌊np⌋)·s_⌊np⌋)/(np). */
export function expectedShortfallFromSmallest(s: ArrayLike<number>, n: number, p: number): number {
  const np = scaledCount(n, p);
  const f = Math.floor(np) | 0;
  let sum = 0;
  for (let i = 0; i < f; i++) sum += s[i];
  const frac = np - f;
  if (frac > 0) sum += frac * s[f];
  return -sum / np;
}

/** Max-heap sift-down of v from slot i within heap[0..size). */
function siftDown(heap: Float64Array, size: number, i: number, v: number): void {
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && heap[c + 1] > heap[c]) c++;
    if (heap[c] <= v) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = v;
}

/**
 * The k smallest of x[0..n) into out[0..k), ascending: a max-heap of the k best so far, so most scenarios cost
 * one comparison with its root and a newcomer O(log k). Unlike an insertion buffer it stays fast on trending
 * input (overlapping h-day returns arrive in long runs of new lows).
 */
export function selectSmallest(x: Float64Array, n: number, k: number, out: Float64Array): void {
  // Not Math.min: its double result would make the loop counters doubles in V8 (3× slower here).
  const size = k < n ? k : n;
  for (let i = 0; i < size; i++) out[i] = x[i];
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(out, size, i, out[i]);
  let top = out[0];
  for (let i = size; i < n; i++) {
    const v = x[i];
    if (v < top) {
      siftDown(out, size, 0, v);
      top = out[0];
    }
  }
  // Heap-sort in place: the largest kept value moves to the end each round.
  for (let last = size - 1; last > 0; last--) {
    const v = out[last];
    out[last] = out[0];
    siftDown(out, last, 0, v);
  }
}

function validateParams(params: RiskParams): void {
  const { lookbackDays, confidences, horizons, horizonMethod, quantileMethod, maxGapDays } = params;
  if (!Number.isInteger(lookbackDays) || lookbackDays < 2) {
    throw new RiskInputError(`lookback must be a whole number of days ≥ 2 (got ${lookbackDays})`);
  }
  if (maxGapDays !== undefined && !(Number.isInteger(maxGapDays) && maxGapDays >= 0)) {
    throw new RiskInputError(`max gap must be a whole number of days ≥ 0 (got ${maxGapDays})`);
  }
  if (!Array.isArray(confidences) || confidences.length === 0)
    throw new RiskInputError('no confidence levels given');
  for (const c of confidences) {
    if (!(Number.isFinite(c) && c > 0 && c < 1)) {
      throw new RiskInputError(`confidence ${c} must be strictly between 0 and 1 (e.g. 0.99)`);
    }
  }
  if (!Array.isArray(horizons) || horizons.length === 0) throw new RiskInputError('no horizons given');
  for (const h of horizons) {
    if (!Number.isInteger(h) || h < 1)
      throw new RiskInputError(`horizon ${h} must be a whole number of days ≥ 1`);
  }
  if (!HORIZON_METHODS.includes(horizonMethod)) {
    throw new RiskInputError(
      `horizon method '${String(horizonMethod)}' must be one of ${HORIZON_METHODS.join(', ')}`,
    );
  }
  if (!QUANTILE_METHODS.includes(quantileMethod)) {
    throw new RiskInputError(
      `quantile method '${String(quantileMethod)}' must be one of ${QUANTILE_METHODS.join(', ')}`,
    );
  }
}

const usableClose = (v: number | null | undefined): boolean => (v ?? 0) > 0 && Number.isFinite(v);

/** Indices t in [from, to] where the series has no usable close, ascending. */
function missingIn(s: (number | null)[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t++) if (!usableClose(s[t])) out.push(t);
  return out;
}

/** Returns are daily by assumption; a skipped date would silently turn one scenario into a multi-day move. */
function requireDaily(history: PriceHistory, from: number, to: number): void {
  let prevDay = dayNumber(history.dates[from]);
  for (let t = from + 1; t <= to; t++) {
    const day = dayNumber(history.dates[t]);
    if (prevDay === null || day === null || day !== prevDay + 1) {
      throw new RiskInputError(
        `price history skips from ${history.dates[t - 1]} to ${history.dates[t]}: daily returns need every calendar day`,
      );
    }
    prevDay = day;
  }
}

/**
 * The scenarios of each matrix horizon h: the history indices of the latest n return dates t ≤ end at which every
 * series has its closes at t and t − h, oldest first; `from` is the oldest close they read. null when the history
 * runs out first. One pass per horizon from the end, each date's completeness looked at once.
 */
function chooseScenarios(
  series: (number | null)[][],
  end: number,
  n: number,
  horizons: number[],
): { index: Int32Array[]; from: number } | null {
  // 0: not looked at yet, 1: every series has a close that day, 2: one has none.
  const state = new Uint8Array(end + 1);
  const complete = (t: number): boolean => {
    let v = state[t];
    if (v === 0) {
      v = 1;
      for (let a = 0; a < series.length; a++) {
        if (!usableClose(series[a][t])) {
          v = 2;
          break;
        }
      }
      state[t] = v;
    }
    return v === 1;
  };
  const index: Int32Array[] = [];
  let from = end;
  for (const h of horizons) {
    const idx = new Int32Array(n);
    let k = n;
    for (let t = end; k > 0 && t - h >= 0; t--) if (complete(t) && complete(t - h)) idx[--k] = t;
    if (k > 0) return null;
    index.push(idx);
    from = Math.min(from, idx[0] - h);
  }
  return { index, from };
}

/** Why an asset of the history cannot be used. */
interface Unusable {
  /** Its oldest missing close inside the window (the shortest window when the history ran out). */
  firstMissing: string;
  missing: number;
  /** The history starts too late for a window that computes around its missing closes. */
  historyTooShort: boolean;
}

/**
 * Historical-simulation VaR/ES. The constructor chooses the scenarios once and slices them into scenario-major
 * Float64Array return matrices (one per horizon when overlapping); evaluate() only nets exposures by asset, forms
 * the P&L vector and selects its tail, so thousands of portfolios can share one engine.
 *
 * Missing closes: a return (date t, horizon h) needs every usable asset's closes at t and t − h. A scenario lacking
 * one is left out and the window reaches a day further back, so there are always `lookbackDays` scenarios, as far
 * back as the history goes. An asset missing more than `maxGapDays` closes inside that window is unusable, and so
 * is one whose missing closes the history is too short to compute around (evaluate() then names it, as for an
 * asset without history). The scenarios are shared by every portfolio of the engine, so a gap moves the window of
 * all of them; `historyGaps` lists what was computed around and gapsOf() the part a portfolio holds.
 */
export class RiskEngine {
  /** Assets usable in exposures; others may appear only with zero net. */
  readonly assets: string[];
  readonly scenarioCount: number;
  /** Last close used (the as-of date). */
  readonly historyEnd: string;
  /** Date of the oldest return in the window (the first scenario; of the horizon reaching furthest back). */
  readonly windowStart: string;
  readonly params: Required<RiskParams>;
  /** The missing closes of usable assets inside the window, which the scenarios were chosen around; by asset, date. */
  readonly historyGaps: readonly HistoryGap[];

  private readonly index = new Map<string, number>();
  private readonly unavailable = new Map<string, Unusable>();
  private readonly gapsByAsset = new Map<string, HistoryGap[]>();
  /** Per matrix: the history index of each scenario's return date, oldest first. */
  private readonly scenarioIndex: Int32Array[];
  private readonly matrixHorizons: number[];
  private readonly dates: string[];
  private readonly matrices: Float64Array[];
  /** Per requested horizon: which matrix, and the factor applied to that matrix's figures. */
  private readonly horizonMatrix: Int32Array;
  private readonly horizonScale: Float64Array;
  private readonly tailP: Float64Array;
  private readonly kMax: number;
  private readonly stride: number;
  private readonly net: Float64Array;
  private readonly pnl: Float64Array;
  private readonly tail: Float64Array;
  private readonly rawVar: Float64Array;
  private readonly rawEs: Float64Array;

  constructor(history: PriceHistory, params: RiskParams, asOf: string) {
    validateParams(params);
    this.params = {
      ...params,
      confidences: [...params.confidences],
      horizons: [...params.horizons],
      maxGapDays: params.maxGapDays ?? DEFAULT_MAX_GAP_DAYS,
    };
    const { lookbackDays: n, horizons, horizonMethod, maxGapDays } = this.params;
    const end = dateIndex(history, asOf);
    if (end < 0) {
      throw new RiskInputError(`as-of date ${asOf} is not in the price history (${rangeOf(history)})`);
    }
    const matrixHorizons = horizonMethod === 'sqrt' ? [1] : [...new Set(horizons)].sort((a, b) => a - b);
    const maxBack = matrixHorizons[matrixHorizons.length - 1];
    const first = end - n + 1 - maxBack;
    if (first < 0) {
      const extra = maxBack > 1 ? ` plus ${maxBack - 1} days for ${maxBack}-day overlapping returns` : '';
      throw new RiskInputError(
        `lookback of ${n} days${extra} ending ${asOf} needs ${n + maxBack} closes up to that date, ` +
          `but the price history has ${end + 1} (it starts ${history.dates[0]})`,
      );
    }
    requireDaily(history, first, end);

    // Candidates: the assets missing at most maxGapDays closes in the shortest window (no gap to compute around).
    let candidates: { asset: string; closes: (number | null)[] }[] = [];
    for (const [asset, s] of Object.entries(history.series)) {
      if (s.length !== history.dates.length) {
        throw new RiskInputError(`series ${asset} has ${s.length} closes for ${history.dates.length} dates`);
      }
      const missing = missingIn(s, first, end);
      if (missing.length > maxGapDays) {
        this.unavailable.set(asset, {
          firstMissing: history.dates[missing[0]],
          missing: missing.length,
          historyTooShort: false,
        });
      } else candidates.push({ asset, closes: s });
    }
    // Scenarios around the candidates' missing closes. The longer window that takes may hold more of them: an asset
    // then over the bound (or whose gaps the history cannot make room for) is dropped, the one missing most first,
    // and the scenarios chosen again without it.
    let chosen: { index: Int32Array[]; from: number; gaps: number[][] };
    for (;;) {
      const pick = chooseScenarios(
        candidates.map((c) => c.closes),
        end,
        n,
        matrixHorizons,
      );
      // When the history ran out, only the missing closes of the shortest window count: they are what made the
      // window reach back (an asset complete over it is not the one to drop, whatever it misses further back).
      // chooseScenarios cannot run out once no candidate misses a close there: the window then fits (first ≥ 0).
      const gaps = candidates.map((c) => missingIn(c.closes, pick ? pick.from : first, end));
      let worst = -1;
      for (let i = 0; i < candidates.length; i++) {
        const over = gaps[i].length > (pick ? maxGapDays : 0);
        if (over && (worst < 0 || gaps[i].length > gaps[worst].length)) worst = i;
      }
      if (pick && worst < 0) {
        chosen = { ...pick, gaps };
        break;
      }
      const g = gaps[worst];
      this.unavailable.set(candidates[worst].asset, {
        firstMissing: history.dates[g[0]],
        missing: g.length,
        historyTooShort: pick === null,
      });
      candidates = candidates.filter((_, i) => i !== worst);
    }
    // The days the window reached back for (none when it did not).
    requireDaily(history, chosen.from, first);

    const assets = candidates.map((c) => c.asset);
    const closes = candidates.map((c) => c.closes);
    assets.forEach((a, i) => this.index.set(a, i));
    const historyGaps: HistoryGap[] = [];
    candidates.forEach((c, i) => {
      const list = chosen.gaps[i].map((t) => ({ asset: c.asset, date: history.dates[t] }));
      this.gapsByAsset.set(c.asset, list);
      historyGaps.push(...list);
    });
    historyGaps.sort(compareHistoryGaps);
    this.historyGaps = historyGaps;
    this.assets = assets;
    this.scenarioCount = n;
    this.historyEnd = asOf;
    this.scenarioIndex = chosen.index;
    this.matrixHorizons = matrixHorizons;
    this.dates = history.dates;
    this.windowStart = history.dates[Math.min(...chosen.index.map((idx) => idx[0]))];

    // Scenario-major rows padded to a multiple of 4 assets: evaluate() then sums 4 assets per pass with the
    // weights in registers, about 3× faster in V8 than one pass per asset over asset-major rows.
    const stride = Math.max(4, Math.ceil(assets.length / 4) * 4);
    this.stride = stride;
    this.matrices = matrixHorizons.map((h, mi) => {
      const m = new Float64Array(stride * n);
      const idx = chosen.index[mi];
      for (let a = 0; a < assets.length; a++) {
        const p = closes[a] as number[];
        for (let s = 0; s < n; s++) {
          const t = idx[s];
          m[s * stride + a] = p[t] / p[t - h] - 1;
        }
      }
      return m;
    });
    this.horizonMatrix = Int32Array.from(horizons, (h) =>
      horizonMethod === 'sqrt' ? 0 : matrixHorizons.indexOf(h),
    );
    this.horizonScale = Float64Array.from(horizons, (h) => (horizonMethod === 'sqrt' ? Math.sqrt(h) : 1));
    this.tailP = Float64Array.from(this.params.confidences, tailProbability);
    // One selection of the largest tail any confidence needs serves every confidence.
    this.kMax = Math.max(...Array.from(this.tailP, (p) => tailCount(n, p)));
    this.net = new Float64Array(stride);
    this.pnl = new Float64Array(n);
    this.tail = new Float64Array(this.kMax);
    this.rawVar = new Float64Array(this.matrices.length * this.tailP.length);
    this.rawEs = new Float64Array(this.matrices.length * this.tailP.length);
  }

  /** Figures for every confidence × horizon, confidences outer, in the order given in the params. */
  evaluate(exposures: Exposure[]): RiskFigure[] {
    const net = this.net;
    net.fill(0);
    let unknown: Map<string, number> | undefined;
    for (let i = 0; i < exposures.length; i++) {
      const e = exposures[i];
      const v = e.netUsd;
      if (!Number.isFinite(v))
        throw new RiskInputError(`exposure to ${e.asset} is not a finite USD amount (${v})`);
      const idx = this.index.get(e.asset);
      if (idx === undefined) {
        if (v !== 0) (unknown ??= new Map()).set(e.asset, (unknown.get(e.asset) ?? 0) + v);
      } else {
        net[idx] += v;
      }
    }
    if (unknown) {
      for (const [asset, v] of unknown) if (v !== 0) throw this.unusableAsset(asset);
    }
    const n = this.scenarioCount;
    const { pnl, tail, tailP, rawVar, rawEs, stride } = this;
    const C = tailP.length;
    const method = this.params.quantileMethod;
    for (let m = 0; m < this.matrices.length; m++) {
      const R = this.matrices[m];
      let first = true;
      for (let b = 0; b < stride; b += 4) {
        const w0 = net[b];
        const w1 = net[b + 1];
        const w2 = net[b + 2];
        const w3 = net[b + 3];
        if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
        if (first) {
          for (let s = 0, o = b; s < n; s++, o += stride) {
            pnl[s] = w0 * R[o] + w1 * R[o + 1] + w2 * R[o + 2] + w3 * R[o + 3];
          }
          first = false;
        } else {
          for (let s = 0, o = b; s < n; s++, o += stride) {
            pnl[s] += w0 * R[o] + w1 * R[o + 1] + w2 * R[o + 2] + w3 * R[o + 3];
          }
        }
      }
      if (first) pnl.fill(0);
      selectSmallest(pnl, n, this.kMax, tail);
      for (let c = 0; c < C; c++) {
        const p = tailP[c];
        rawVar[m * C + c] = -quantileFromSmallest(tail, n, p, method);
        rawEs[m * C + c] = expectedShortfallFromSmallest(tail, n, p);
      }
    }

    const { confidences, horizons } = this.params;
    const out: RiskFigure[] = new Array(C * horizons.length);
    let k = 0;
    for (let c = 0; c < C; c++) {
      for (let h = 0; h < horizons.length; h++) {
        const m = this.horizonMatrix[h];
        const scale = this.horizonScale[h];
        // + 0 turns −0 (empty portfolio) into 0.
        out[k++] = {
          confidence: confidences[c],
          horizonDays: horizons[h],
          varUsd: rawVar[m * C + c] * scale + 0,
          esUsd: rawEs[m * C + c] * scale + 0,
        };
      }
    }
    return out;
  }

  evaluateBatch(portfolios: Exposure[][]): RiskFigure[][] {
    const out: RiskFigure[][] = new Array(portfolios.length);
    for (let i = 0; i < portfolios.length; i++) out[i] = this.evaluate(portfolios[i]);
    return out;
  }

  /**
   * The missing closes computed around of the assets these exposures hold (net non-zero: a zero net reads no
   * return), by asset then date; empty when none. What an output computed from these exposures should carry.
   */
  gapsOf(exposures: readonly Exposure[]): HistoryGap[] {
    const held = new Set<string>();
    for (const e of exposures) if (e.netUsd !== 0 && this.gapsByAsset.has(e.asset)) held.add(e.asset);
    const out: HistoryGap[] = [];
    for (const asset of [...held].sort()) out.push(...(this.gapsByAsset.get(asset) as HistoryGap[]));
    return out;
  }

  /** The return dates of the scenarios behind a horizon's figures, oldest first (with 'sqrt', the daily returns). */
  scenarioDates(horizonDays: number): string[] {
    const h = this.params.horizons.indexOf(horizonDays);
    if (h < 0)
      throw new RiskInputError(`horizon ${horizonDays} is not one of ${this.params.horizons.join(', ')}`);
    return Array.from(this.scenarioIndex[this.horizonMatrix[h]], (t) => this.dates[t]);
  }

  /** Why exposures to `asset` are refused (evaluate()'s error message), or undefined when it is usable. */
  unusableReason(asset: string): string | undefined {
    return this.index.has(asset) ? undefined : this.unusableAsset(asset).message;
  }

  private unusableAsset(asset: string): RiskInputError {
    const u = this.unavailable.get(asset);
    if (u !== undefined) {
      const why = u.historyTooShort
        ? 'the price history is too short to reach back past its missing closes'
        : `${u.missing} closes missing, more than the ${this.params.maxGapDays} VaR computes around`;
      return new RiskInputError(
        `asset ${asset} has no close on ${u.firstMissing}, inside the lookback window ending ${this.historyEnd} ` +
          `(${why}); repair its history, shorten the lookback or move the as-of date`,
      );
    }
    return new RiskInputError(`asset ${asset} has no price history`);
  }
}
