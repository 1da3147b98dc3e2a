/**
 * The backtest on a hand-sized history whose figures are exact in binary: BTC closes 64, 128, 64, 128, 64, 128,
 * 32, 32 (returns +100 %, −50 %, +100 %, −50 %, +100 %, −75 %, 0). A 2-day lookback at 50 % with the pure order
 * statistic makes each day's VaR the worse of the two previous returns on the previous close.
 */
import {
  christoffersenTest,
  kupiecPof,
  kupiecTest,
  runBacktest,
  trafficLight,
  type BacktestParams,
} from '../../../shared/domain/risk/backtest';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import type { PriceHistory } from '../../../shared/domain/risk/history';
import type { Position } from '../../../shared/domain/risk/margin';
import { chiSquareSurvival } from '../../../shared/domain/risk/stats';

const DATES = [
  '2024-01-01',
  '2024-01-02',
  '2024-01-03',
  '2024-01-04',
  '2024-01-05',
  '2024-01-06',
  '2024-01-07',
  '2024-01-08',
];
const history = (btc: (number | null)[] = [64, 128, 64, 128, 64, 128, 32, 32]): PriceHistory => ({
  dates: [...DATES],
  series: { BTC: btc, USDC: DATES.map(() => 1) },
});
const params: BacktestParams = { lookbackDays: 2, confidence: 0.5, quantileMethod: 'inverted_cdf' };
const long: Position[] = [{ asset: 'BTC', amount: 1, side: 'collateral' }];

describe('runBacktest, day by day', () => {
  it('VaR from the two returns before the day on the previous close, P&L from the previous close', () => {
    const r = runBacktest(history(), long, '2024-01-04', '2024-01-08', params);
    expect(r.days).toEqual([
      // window +100 %, −50 % on 64: VaR 32; 64 → 128
      { date: '2024-01-04', varUsd: 32, pnlUsd: 64, exception: false },
      // window −50 %, +100 % on 128: VaR 64; 128 → 64 loses exactly the VaR: not an exception
      { date: '2024-01-05', varUsd: 64, pnlUsd: -64, exception: false },
      { date: '2024-01-06', varUsd: 32, pnlUsd: 64, exception: false },
      // 128 → 32 loses 96 > 64
      { date: '2024-01-07', varUsd: 64, pnlUsd: -96, exception: true },
      // window +100 %, −75 % on 32: VaR 24; flat day, P&L 0 (not −0)
      { date: '2024-01-08', varUsd: 24, pnlUsd: 0, exception: false },
    ]);
    expect(Object.is(r.days[4].pnlUsd, 0)).toBe(true);
    expect(r).toMatchObject({
      from: '2024-01-04',
      to: '2024-01-08',
      confidence: 0.5,
      lookbackDays: 2,
      quantileMethod: 'inverted_cdf',
      observations: 5,
      exceptions: 1,
      expectedExceptions: 2.5,
    });
    expect(r.kupiec).toEqual(kupiecTest(1, 5, 0.5));
    expect(r.christoffersen).toEqual(christoffersenTest([false, false, false, true, false], 0.5));
    expect(r.trafficLight).toEqual(trafficLight(1, 5, 0.5));
  });

  it('a borrow gains when the price falls: the crash day is no exception for a short book', () => {
    const short: Position[] = [
      { asset: 'BTC', amount: 1, side: 'borrow' },
      { asset: 'USDC', amount: 200, side: 'collateral' },
    ];
    const r = runBacktest(history(), short, '2024-01-04', '2024-01-08', params);
    expect(r.days.map((d) => d.pnlUsd)).toEqual([-64, 64, -64, 96, 0]);
    // Short the previous close: the +100 % scenario loses all of it, e.g. 64 on the first day, its loss exactly.
    expect(r.days.map((d) => d.varUsd)).toEqual([64, 128, 64, 128, 32]);
    expect(r.exceptions).toBe(0);
  });

  it('nets collateral and borrow of an asset, and ignores an asset netted to zero without history', () => {
    const book: Position[] = [
      { asset: 'BTC', amount: 3, side: 'collateral' },
      { asset: 'BTC', amount: 2, side: 'borrow' },
      { asset: 'DOGE', amount: 5, side: 'collateral' },
      { asset: 'DOGE', amount: 5, side: 'borrow' },
    ];
    const r = runBacktest(history(), book, '2024-01-04', '2024-01-08', params);
    expect(r.days).toEqual(runBacktest(history(), long, '2024-01-04', '2024-01-08', params).days);
  });

  it('with the linear quantile reads between the two scenarios', () => {
    const r = runBacktest(history(), long, '2024-01-04', '2024-01-04', {
      ...params,
      quantileMethod: 'linear',
    });
    // Midway between −50 % and +100 % of 64 is a gain of 16: VaR −16.
    expect(r.days[0].varUsd).toBe(-16);
    expect(r.quantileMethod).toBe('linear');
  });

  it('uses the default 365-day, 99 %, linear parameters when none are given', () => {
    expect(() => runBacktest(history(), long, '2024-01-04', '2024-01-08')).toThrow(
      'a 365-day lookback ending the day before needs 366 closes',
    );
  });
});

describe('runBacktest refuses what it cannot backtest', () => {
  it('a start one close short of the lookback, naming the earliest start', () => {
    expect(() => runBacktest(history(), long, '2024-01-03', '2024-01-08', params)).toThrow(
      'backtest start 2024-01-03: a 2-day lookback ending the day before needs 3 closes, the price history ' +
        'has 2 before 2024-01-03 (it starts 2024-01-01); the earliest start is 2024-01-04',
    );
    expect(runBacktest(history(), long, '2024-01-04', '2024-01-04', params).observations).toBe(1);
  });

  it('without an earliest start when the history is too short for any', () => {
    expect(() =>
      runBacktest(history(), long, '2024-01-03', '2024-01-08', { ...params, lookbackDays: 7 }),
    ).toThrow(/has 2 before 2024-01-03 \(it starts 2024-01-01\)$/);
  });

  it('a lookback the engine cannot use, with the engine’s reason', () => {
    expect(() =>
      runBacktest(history(), long, '2024-01-02', '2024-01-08', { ...params, lookbackDays: 1 }),
    ).toThrow(new RiskInputError('lookback must be a whole number of days ≥ 2 (got 1)'));
    expect(() =>
      runBacktest(history(), long, '2024-01-04', '2024-01-08', { ...params, lookbackDays: 2.5 }),
    ).toThrow(new RiskInputError('lookback must be a whole number of days ≥ 2 (got 2.5)'));
  });

  it('a start on the first close: no previous close to measure P&L from', () => {
    expect(() => runBacktest(history(), long, '2024-01-01', '2024-01-08', params)).toThrow(
      'backtest start 2024-01-01 has no previous close to measure P&L from',
    );
  });

  it('dates outside the history or in the wrong order', () => {
    expect(() => runBacktest(history(), long, '2023-12-31', '2024-01-08', params)).toThrow(
      'backtest start 2023-12-31 is not in the price history (2024-01-01..2024-01-08)',
    );
    expect(() => runBacktest(history(), long, '2024-01-04', '2024-01-09', params)).toThrow(
      'backtest end 2024-01-09 is not in the price history (2024-01-01..2024-01-08)',
    );
    expect(() => runBacktest(history(), long, '2024-01-06', '2024-01-05', params)).toThrow(
      'backtest start 2024-01-06 is after its end 2024-01-05',
    );
    expect(() => runBacktest(history(), long, '2024-01-04', '2024-01-32', params)).toThrow(
      "backtest end '2024-01-32' is not a calendar date YYYY-MM-DD",
    );
  });

  it('a negative or non-finite amount', () => {
    for (const amount of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() =>
        runBacktest(
          history(),
          [{ asset: 'BTC', amount, side: 'collateral' }],
          '2024-01-04',
          '2024-01-05',
          params,
        ),
      ).toThrow(`position in BTC: amount ${amount} must be a finite number ≥ 0`);
    }
    expect(
      runBacktest(
        history(),
        [{ asset: 'BTC', amount: 0, side: 'collateral' }],
        '2024-01-04',
        '2024-01-04',
        params,
      ).days[0],
    ).toEqual({ date: '2024-01-04', varUsd: 0, pnlUsd: 0, exception: false });
  });

  it('an asset held without history, even one named like an object property', () => {
    for (const asset of ['DOGE', 'constructor', 'toString']) {
      expect(() =>
        runBacktest(
          history(),
          [{ asset, amount: 1, side: 'collateral' }],
          '2024-01-04',
          '2024-01-05',
          params,
        ),
      ).toThrow(new RiskInputError(`asset ${asset} has no price history`));
    }
  });

  it('a missing close on the day or the day before', () => {
    const gapped = history([64, 128, 64, 128, null, 128, 32, 32]);
    expect(() => runBacktest(gapped, long, '2024-01-05', '2024-01-05', params)).toThrow(
      'asset BTC has no close on 2024-01-05',
    );
    expect(() => runBacktest(gapped, long, '2024-01-06', '2024-01-06', params)).toThrow(
      'asset BTC has no close on 2024-01-05',
    );
    expect(runBacktest(gapped, long, '2024-01-04', '2024-01-04', params).exceptions).toBe(0);
  });

  it('a held series not aligned with the dates', () => {
    expect(() => runBacktest(history([64, 128, 64, 128]), long, '2024-01-04', '2024-01-05', params)).toThrow(
      'series BTC has 4 closes for 8 dates',
    );
  });

  it('a history that skips a calendar day inside the backtest', () => {
    const h = history();
    h.dates[6] = '2024-01-09';
    h.dates[7] = '2024-01-10';
    expect(() => runBacktest(h, long, '2024-01-04', '2024-01-09', params)).toThrow(
      'price history skips from 2024-01-06 to 2024-01-09: the backtest needs daily closes',
    );
  });
});

describe('Kupiec and Christoffersen on short sequences', () => {
  it('Kupiec refuses counts that are not 0 ≤ exceptions ≤ observations > 0', () => {
    for (const [x, T] of [
      [-1, 10],
      [11, 10],
      [0, 0],
      [1.5, 10],
      [1, 10.5],
    ]) {
      expect(() => kupiecPof(x, T, 0.01)).toThrow(
        `Kupiec test needs 0 ≤ exceptions ≤ observations, observations > 0 (got ${x}/${T})`,
      );
    }
    expect(kupiecPof(10, 10, 0.5)).toBeCloseTo(-20 * Math.log(0.5), 12);
  });

  it('counts transitions and tests independence on a clustered sequence', () => {
    // F F T T F F: 00, 01, 11, 10, 00.
    const c = christoffersenTest([false, false, true, true, false, false], 0.1);
    expect(c).toMatchObject({ n00: 2, n01: 1, n10: 1, n11: 1 });
    // π01 = 1/3, π11 = 1/2, π = 2/5.
    const restricted = 3 * Math.log(3 / 5) + 2 * Math.log(2 / 5);
    const unrestricted = 2 * Math.log(2 / 3) + Math.log(1 / 3) + 2 * Math.log(1 / 2);
    expect(c.lrInd).toBeCloseTo(-2 * (restricted - unrestricted), 12);
    expect(c.lrInd).toBeCloseTo(0.13844293808390606, 12);
    expect(c.pValueInd).toBeCloseTo(chiSquareSurvival(c.lrInd, 1), 14);
    expect(c.rejectInd).toBe(false);
    expect(c.lrCc).toBeCloseTo(kupiecPof(2, 6, 0.1) + c.lrInd, 12);
    expect(c.pValueCc).toBeCloseTo(Math.exp(-c.lrCc / 2), 14);
  });

  it('rejects independence when exceptions come in a block', () => {
    const hits = [...Array(20).fill(false), ...Array(6).fill(true), ...Array(20).fill(false)] as boolean[];
    const c = christoffersenTest(hits, 0.01);
    expect(c).toMatchObject({ n00: 38, n01: 1, n10: 1, n11: 5, rejectInd: true, rejectCc: true });
  });

  it('an alternating sequence: every exception followed by none', () => {
    const c = christoffersenTest([true, false, true, false, true], 0.5);
    expect(c).toMatchObject({ n00: 0, n01: 2, n10: 2, n11: 0 });
    expect(c.lrInd).toBeGreaterThan(0);
  });

  it('all quiet or all exceptions: the independence statistic is 0', () => {
    expect(christoffersenTest([false, false, false], 0.01)).toMatchObject({ n00: 2, lrInd: 0, pValueInd: 1 });
    expect(christoffersenTest([true, true, true], 0.01)).toMatchObject({ n11: 2, lrInd: 0 });
  });

  it('no days, or one day: nothing to test', () => {
    expect(christoffersenTest([], 0.01)).toEqual({
      n00: 0,
      n01: 0,
      n10: 0,
      n11: 0,
      lrInd: 0,
      pValueInd: 1,
      rejectInd: false,
      lrCc: 0,
      pValueCc: 1,
      rejectCc: false,
    });
    const one = christoffersenTest([true], 0.01);
    expect(one.lrInd).toBe(0);
    expect(one.lrCc).toBeCloseTo(kupiecPof(1, 1, 0.01), 12);
    expect(one.rejectCc).toBe(true);
  });
});

describe('traffic light zones', () => {
  it('at T = 250, 99 %: 0–4 green, 5–9 yellow, 10 and more red', () => {
    const zones = Array.from({ length: 12 }, (_, x) => trafficLight(x, 250, 0.01).zone);
    expect(zones).toEqual([
      'green',
      'green',
      'green',
      'green',
      'green',
      'yellow',
      'yellow',
      'yellow',
      'yellow',
      'yellow',
      'red',
      'red',
    ]);
    expect(trafficLight(0, 250, 0.01)).toMatchObject({
      greenMax: 4,
      yellowMax: 9,
      exceptions: 0,
      observations: 250,
    });
  });

  it('with three fair-coin days: green up to the cumulative 95 %, never red', () => {
    // F = 1/8, 1/2, 7/8, 1: everything below 1 is green, the last count is over 0.9999.
    const tl = trafficLight(2, 3, 0.5);
    expect(tl).toMatchObject({ zone: 'green', greenMax: 2, yellowMax: 2 });
    expect(tl.cumulativeProbability).toBeCloseTo(0.875, 14);
    expect(trafficLight(3, 3, 0.5).zone).toBe('red');
  });
});
