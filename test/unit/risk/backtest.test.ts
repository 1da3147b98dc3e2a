import {
  CHI2_95_DF1,
  CHI2_95_DF2,
  christoffersenTest,
  kupiecPof,
  kupiecTest,
  runBacktest,
  trafficLight,
  type BacktestResult,
} from '../../../shared/domain/risk/backtest';
import { RiskEngine } from '../../../shared/domain/risk/engine';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import type { PriceHistory } from '../../../shared/domain/risk/history';
import type { Position } from '../../../shared/domain/risk/margin';
import { binomialCdf, chiSquareSurvival } from '../../../shared/domain/risk/stats';
import { realHistory } from './fixture';

describe('Kupiec POF (risk-math.md §2.1)', () => {
  it('matches the published LR values at T = 250, p = 1 %', () => {
    const published: [number, number][] = [
      [0, 5.0252],
      [1, 1.1765],
      [2, 0.1084],
      [3, 0.0949],
      [4, 0.7691],
      [5, 1.9568],
      [6, 3.5554],
      [7, 5.497],
      [8, 7.7336],
      [10, 12.9555],
    ];
    for (const [x, lr] of published) expect(kupiecPof(x, 250, 0.01)).toBeCloseTo(lr, 4);
  });

  it('handles x = 0 and x = T in closed form', () => {
    expect(kupiecPof(0, 250, 0.01)).toBeCloseTo(-2 * 250 * Math.log(0.99), 12);
    expect(kupiecPof(250, 250, 0.01)).toBeCloseTo(-2 * 250 * Math.log(0.01), 10);
    expect(kupiecPof(5, 500, 0.01)).toBe(0);
  });

  it.each([
    [250, 0.01, 1, 6],
    [250, 0.025, 3, 11],
    [250, 0.05, 7, 19],
    [500, 0.01, 2, 9],
    [1000, 0.01, 5, 16],
  ])('T = %i, p = %p: accepts exactly x in %i..%i at 5 %', (T, p, lo, hi) => {
    const accepted: number[] = [];
    for (let x = 0; x <= 40; x++) if (!kupiecTest(x, T, p).reject) accepted.push(x);
    expect(accepted[0]).toBe(lo);
    expect(accepted[accepted.length - 1]).toBe(hi);
    expect(accepted).toHaveLength(hi - lo + 1);
  });

  it('p-values come from χ²(1): 0.05 at the critical value', () => {
    expect(kupiecTest(7, 250, 0.01).pValue).toBeCloseTo(chiSquareSurvival(kupiecPof(7, 250, 0.01), 1), 15);
    expect(chiSquareSurvival(CHI2_95_DF1, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(6.634896601021214, 1)).toBeCloseTo(0.01, 12);
    expect(chiSquareSurvival(CHI2_95_DF2, 2)).toBeCloseTo(0.05, 12);
    // Series branch (x < a + 1) of the incomplete gamma: P(χ²₁ > 0.5) = erfc(0.5).
    expect(chiSquareSurvival(0.5, 1)).toBeCloseTo(0.4795001221869535, 12);
    expect(chiSquareSurvival(0, 1)).toBe(1);
  });

  it('rejects impossible counts', () => {
    expect(() => kupiecPof(3, 2, 0.01)).toThrow(RiskInputError);
    expect(() => kupiecPof(0, 0, 0.01)).toThrow(RiskInputError);
  });
});

describe('Christoffersen independence and conditional coverage', () => {
  /** The likelihoods as products, not logs: an independent path to the same statistic. */
  function lrIndByProducts(hits: boolean[]): number {
    const n = [
      [0, 0],
      [0, 0],
    ];
    for (let t = 1; t < hits.length; t++) n[hits[t - 1] ? 1 : 0][hits[t] ? 1 : 0]++;
    const pi01 = n[0][1] / (n[0][0] + n[0][1]);
    const pi11 = n[1][1] / (n[1][0] + n[1][1]);
    const pi = (n[0][1] + n[1][1]) / (n[0][0] + n[0][1] + n[1][0] + n[1][1]);
    const pow = (b: number, e: number) => (e === 0 ? 1 : b ** e);
    const l0 = pow(1 - pi, n[0][0] + n[1][0]) * pow(pi, n[0][1] + n[1][1]);
    const l1 = pow(1 - pi01, n[0][0]) * pow(pi01, n[0][1]) * pow(1 - pi11, n[1][0]) * pow(pi11, n[1][1]);
    return -2 * Math.log(l0 / l1);
  }
  const seq = (s: string) => [...s].map((c) => c === '1');

  it('matches the product form on clustered and scattered sequences', () => {
    const clustered = seq(
      '0000000000110000000000000000011100000000000000000000000000001100000000000000000000',
    );
    const scattered = seq(
      '0000000000100000000000000000010000000000000000000000100000000001000000000000000000',
    );
    const c = christoffersenTest(clustered, 0.01);
    const s = christoffersenTest(scattered, 0.01);
    expect(c.lrInd).toBeCloseTo(lrIndByProducts(clustered), 10);
    expect(s.lrInd).toBeCloseTo(lrIndByProducts(scattered), 10);
    expect(c.lrInd).toBeGreaterThan(CHI2_95_DF1);
    expect(c.rejectInd).toBe(true);
    expect(s.n11).toBe(0);
    expect(c.lrCc).toBeCloseTo(c.lrInd + kupiecPof(7, clustered.length, 0.01), 12);
    expect(c.pValueCc).toBeCloseTo(Math.exp(-c.lrCc / 2), 15);
    expect(c.n00 + c.n01 + c.n10 + c.n11).toBe(clustered.length - 1);
  });

  it('uses 0·ln 0 = 0: no exceptions at all gives LR_ind = 0 and LR_cc = LR_POF', () => {
    const none = christoffersenTest(new Array<boolean>(250).fill(false), 0.01);
    expect(none.lrInd).toBe(0);
    expect(none.pValueInd).toBe(1);
    expect(none.lrCc).toBeCloseTo(5.0252, 4);
  });
});

describe('Basel traffic light (risk-math.md §2.3)', () => {
  it('reproduces the binomial CDF at N = 250, p = 1 %', () => {
    expect(binomialCdf(4, 250, 0.01)).toBeCloseTo(0.89219, 5);
    expect(binomialCdf(5, 250, 0.01)).toBeCloseTo(0.95882, 5);
    expect(binomialCdf(9, 250, 0.01)).toBeCloseTo(0.99975, 5);
    expect(binomialCdf(10, 250, 0.01)).toBeCloseTo(0.99995, 5);
  });

  it('green 0–4, yellow 5–9, red from 10 at T = 250', () => {
    const zones = Array.from({ length: 13 }, (_, x) => trafficLight(x, 250, 0.01).zone);
    expect(zones).toEqual([
      ...new Array(5).fill('green'),
      ...new Array(5).fill('yellow'),
      ...new Array(3).fill('red'),
    ]);
    expect(trafficLight(0, 250, 0.01)).toMatchObject({ greenMax: 4, yellowMax: 9 });
  });

  it('derives the zone boundaries from the CDF with the actual T', () => {
    const tl = trafficLight(0, 2000, 0.01);
    expect(binomialCdf(tl.greenMax, 2000, 0.01)).toBeLessThanOrEqual(0.95);
    expect(binomialCdf(tl.greenMax + 1, 2000, 0.01)).toBeGreaterThan(0.95);
    expect(binomialCdf(tl.yellowMax, 2000, 0.01)).toBeLessThanOrEqual(0.9999);
    expect(binomialCdf(tl.yellowMax + 1, 2000, 0.01)).toBeGreaterThan(0.9999);
    // 20 exceptions are expected in 2,000 days: far more than 4, still green.
    expect(trafficLight(20, 2000, 0.01).zone).toBe('green');
    expect(tl.greenMax).toBeGreaterThan(20);
  });
});

describe('runBacktest on BTC/ETH, 2019-01-01..2024-12-07', () => {
  const h = realHistory();
  const book: Position[] = [
    { asset: 'BTC', amount: 1, side: 'collateral' },
    { asset: 'ETH', amount: 10, side: 'collateral' },
    { asset: 'USDT', amount: 40_000, side: 'borrow' },
  ];
  // 250 returns: a 365-day lookback would need closes before 2018-01-01 for the first day.
  const params = { lookbackDays: 250, confidence: 0.99, quantileMethod: 'linear' as const };
  // Computed by the first test that needs it (not in a hook: a hook's coverage belongs to no test).
  let full: BacktestResult | undefined;
  const result = (): BacktestResult => (full ??= runBacktest(h, book, '2019-01-01', '2024-12-07', params));

  it('has one row per day and counts exceptions as the rows say', () => {
    const r = result();
    expect(r.observations).toBe(2168);
    expect(r.days).toHaveLength(2168);
    expect(r.days[0].date).toBe('2019-01-01');
    expect(r.days[r.days.length - 1].date).toBe('2024-12-07');
    for (const d of r.days) expect(d.exception).toBe(-d.pnlUsd > d.varUsd);
    expect(r.exceptions).toBe(r.days.filter((d) => d.exception).length);
    expect(r.expectedExceptions).toBeCloseTo(21.68, 10);
    // Fat tails: more than the 1 % promised, yet within a factor of two of it on this data.
    expect(r.exceptions).toBeGreaterThan(r.expectedExceptions);
    expect(r.exceptions).toBeLessThan(2 * r.expectedExceptions);
  });

  it('flags the crash days', () => {
    const r = result();
    const day = (d: string) => r.days.find((x) => x.date === d);
    expect(day('2020-03-12')?.exception).toBe(true);
    expect(day('2021-05-19')?.exception).toBe(true);
    expect(day('2022-11-09')?.exception).toBe(true);
  });

  it('computes each day from closes up to the day before only', () => {
    const r = result();
    const idx = h.dates.indexOf('2020-03-12');
    const prev = h.dates[idx - 1];
    const close = (a: string, i: number) => h.series[a][i] as number;
    const engine = new RiskEngine(
      h,
      {
        lookbackDays: 250,
        confidences: [0.99],
        horizons: [1],
        horizonMethod: 'sqrt',
        quantileMethod: 'linear',
      },
      prev,
    );
    const net = { BTC: 1, ETH: 10, USDT: -40_000 };
    const exposures = Object.entries(net).map(([asset, q]) => ({ asset, netUsd: q * close(asset, idx - 1) }));
    const row = r.days.find((d) => d.date === '2020-03-12');
    expect(row?.varUsd).toBeCloseTo(engine.evaluate(exposures)[0].varUsd, 9);
    const pnl = Object.entries(net).reduce((s, [a, q]) => s + q * (close(a, idx) - close(a, idx - 1)), 0);
    expect(row?.pnlUsd).toBeCloseTo(pnl, 9);

    // Changing the crash day's own closes must not move that day's VaR.
    const tampered: PriceHistory = {
      dates: h.dates,
      series: { ...h.series, BTC: h.series.BTC.map((v, i) => (i === idx ? 1 : v)) },
    };
    const again = runBacktest(tampered, book, '2020-03-12', '2020-03-12', params);
    expect(again.days[0].varUsd).toBe(row?.varUsd);
    expect(again.days[0].pnlUsd).not.toBe(row?.pnlUsd);
  });

  it('reports Kupiec, Christoffersen and the traffic light consistent with the rows', () => {
    const r = result();
    const T = r.observations;
    const x = r.exceptions;
    expect(r.kupiec.lr).toBeCloseTo(kupiecPof(x, T, 0.01), 12);
    expect(r.kupiec.reject).toBe(r.kupiec.lr > CHI2_95_DF1);
    expect(r.kupiec.pValue).toBeCloseTo(chiSquareSurvival(r.kupiec.lr, 1), 12);
    const c = r.christoffersen;
    expect(c.n00 + c.n01 + c.n10 + c.n11).toBe(T - 1);
    expect(c.n01 + c.n11).toBe(x - (r.days[0].exception ? 1 : 0));
    expect(c.n10 + c.n11).toBe(x - (r.days[T - 1].exception ? 1 : 0));
    expect(c.lrCc).toBeCloseTo(r.kupiec.lr + c.lrInd, 12);
    const tl = r.trafficLight;
    expect(tl.exceptions).toBe(x);
    expect(tl.observations).toBe(T);
    expect(tl.cumulativeProbability).toBeCloseTo(binomialCdf(x, T, 0.01), 12);
    expect(tl.zone).toBe(x <= tl.greenMax ? 'green' : x <= tl.yellowMax ? 'yellow' : 'red');
  });

  it('defaults to a 365-day lookback at 99 % with the linear quantile', () => {
    const d = runBacktest(h, book, '2024-12-07', '2024-12-07');
    expect(d).toMatchObject({
      lookbackDays: 365,
      confidence: 0.99,
      quantileMethod: 'linear',
      observations: 1,
    });
    const engine = new RiskEngine(
      h,
      {
        lookbackDays: 365,
        confidences: [0.99],
        horizons: [1],
        horizonMethod: 'sqrt',
        quantileMethod: 'linear',
      },
      '2024-12-06',
    );
    const exposures = [
      { asset: 'BTC', netUsd: h.series.BTC[h.dates.indexOf('2024-12-06')] as number },
      { asset: 'ETH', netUsd: 10 * (h.series.ETH[h.dates.indexOf('2024-12-06')] as number) },
      { asset: 'USDT', netUsd: -40_000 * (h.series.USDT[h.dates.indexOf('2024-12-06')] as number) },
    ];
    expect(d.days[0].varUsd).toBeCloseTo(engine.evaluate(exposures)[0].varUsd, 9);
  });

  it('refuses a start without enough history before it, naming the dates', () => {
    expect(() => runBacktest(h, book, '2019-01-01', '2019-02-01', { ...params, lookbackDays: 365 })).toThrow(
      /365-day lookback .* the earliest start is 2019-01-02/,
    );
  });

  it('refuses bad ranges and unknown assets', () => {
    expect(() => runBacktest(h, book, '2024-02-01', '2024-01-01', params)).toThrow(/after its end/);
    expect(() => runBacktest(h, book, '2019-01-01', '2025-01-01', params)).toThrow(/2025-01-01 is not in/);
    expect(() => runBacktest(h, book, '2019-13-01', '2020-01-01', params)).toThrow(/not a calendar date/);
    expect(() =>
      runBacktest(h, [{ asset: 'DOGE', amount: 1, side: 'collateral' }], '2024-01-01', '2024-01-02', params),
    ).toThrow(/DOGE has no price history/);
  });
});
