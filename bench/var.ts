/**
 * HS VaR benchmarks on the real daily closes: one 100-position portfolio (all confidences × horizons), a batch
 * of 10,000 such portfolios, and a straightforward sort-based reference for the same portfolio.
 */
import { seededRandom } from '../local-stack/seeded-random';
import { readFileSync } from 'fs';
import { join } from 'path';
import {
  DEFAULT_RISK_PARAMS,
  RiskEngine,
  tailProbability,
  type Exposure,
  type RiskFigure,
} from '../shared/domain/risk/engine';
import { closesOn, parseClosesCsv, type PriceHistory } from '../shared/domain/risk/history';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const CSV = join(__dirname, '..', 'test', 'fixtures', 'daily-closes-usd.csv');
const POSITIONS = 100;
const SINGLE_REPS = 5000;
const BATCH_SIZE = 10_000;
// Odd and a few more than strictly needed: on a shared machine one preempted run must not set the median.
const BATCH_RUNS = 7;

/** Deterministic inputs: every run benchmarks the same portfolios. */
const rng = seededRandom;

/** One exposure per position (not pre-netted), so the engine's netting is part of what is timed. */
function randomPortfolio(next: () => number, prices: Record<string, number>): Exposure[] {
  const assets = Object.keys(prices);
  const out: Exposure[] = [];
  for (let i = 0; i < POSITIONS; i++) {
    const asset = assets[Math.floor(next() * assets.length)];
    const amount = (1_000 + next() * 249_000) / prices[asset];
    const sign = next() < 0.65 ? 1 : -1;
    out.push({ asset, netUsd: sign * amount * prices[asset] });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The straightforward approach: revalue position by position, then copy and fully sort the P&L once per
 * confidence (numpy linear quantile, Acerbi–Tasche ES), √h for horizons.
 */
function naiveEvaluate(
  history: PriceHistory,
  asOf: string,
  lookback: number,
): (exposures: Exposure[]) => RiskFigure[] {
  const end = history.dates.indexOf(asOf);
  const returns = new Map<string, Float64Array>();
  for (const [asset, s] of Object.entries(history.series)) {
    const r = new Float64Array(lookback);
    let ok = true;
    for (let i = 0; i < lookback; i++) {
      const t = end - lookback + 1 + i;
      const p1 = s[t];
      const p0 = s[t - 1];
      if (p1 === null || p0 === null) ok = false;
      else r[i] = p1 / p0 - 1;
    }
    if (ok) returns.set(asset, r);
  }
  const { confidences, horizons } = DEFAULT_RISK_PARAMS;
  const pnl = new Float64Array(lookback);
  return (exposures) => {
    pnl.fill(0);
    for (const e of exposures) {
      const r = returns.get(e.asset) as Float64Array;
      for (let i = 0; i < lookback; i++) pnl[i] += e.netUsd * r[i];
    }
    const out: RiskFigure[] = [];
    for (const c of confidences) {
      const s = pnl.slice().sort();
      const p = tailProbability(c);
      const h = (lookback - 1) * p;
      const f = Math.floor(h);
      const q = s[f] + (h - f) * (s[f + 1] - s[f]);
      const np = lookback * p;
      const fl = Math.floor(np);
      let sum = 0;
      for (let i = 0; i < fl; i++) sum += s[i];
      sum += (np - fl) * s[fl];
      for (const hd of horizons) {
        out.push({
          confidence: c,
          horizonDays: hd,
          varUsd: -q * Math.sqrt(hd),
          esUsd: (-sum / np) * Math.sqrt(hd),
        });
      }
    }
    return out;
  };
}

function timeEach(reps: number, fn: () => unknown): number[] {
  const times: number[] = [];
  let sink = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    const r = fn();
    const t1 = process.hrtime.bigint();
    // Keep the result alive so the call cannot be optimised away.
    if (Array.isArray(r)) sink += r.length;
    times.push(Number(t1 - t0));
  }
  if (sink < 0) throw new Error('unreachable');
  return times;
}

export function runVarBenchmarks(): BenchResult[] {
  const history = parseClosesCsv(readFileSync(CSV, 'utf8'));
  const asOf = history.dates[history.dates.length - 1];
  const prices = closesOn(history, asOf);
  const engine = new RiskEngine(history, DEFAULT_RISK_PARAMS, asOf);
  const next = rng(20241207);
  const portfolio = randomPortfolio(next, prices);

  timeEach(SINGLE_REPS, () => engine.evaluate(portfolio)); // warm-up: let the JIT settle
  const single = median(timeEach(SINGLE_REPS, () => engine.evaluate(portfolio))) / 1e3;

  const naive = naiveEvaluate(history, asOf, DEFAULT_RISK_PARAMS.lookbackDays);
  timeEach(SINGLE_REPS / 5, () => naive(portfolio));
  const naiveUs = median(timeEach(SINGLE_REPS, () => naive(portfolio))) / 1e3;

  const batch = Array.from({ length: BATCH_SIZE }, () => randomPortfolio(next, prices));
  engine.evaluateBatch(batch); // warm-up at full size, so the timed runs see a settled heap and JIT
  const batchMs = median(timeEach(BATCH_RUNS, () => engine.evaluateBatch(batch))) / 1e6;

  return [
    { name: 'var.portfolio_100_positions.us_median', value: round(single), unit: 'us' },
    { name: 'var.batch_10000_portfolios.ms', value: round(batchMs), unit: 'ms' },
    { name: 'var.naive_sort_reference.us_median', value: round(naiveUs), unit: 'us' },
  ];
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (require.main === module) {
  for (const r of runVarBenchmarks()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
