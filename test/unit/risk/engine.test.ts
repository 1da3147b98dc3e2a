import {
  DEFAULT_RISK_PARAMS,
  RiskEngine,
  selectSmallest,
  type Exposure,
  type HorizonMethod,
  type QuantileMethod,
  type RiskFigure,
  type RiskParams,
} from '../../../shared/domain/risk/engine';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import type { PriceHistory } from '../../../shared/domain/risk/history';
import { closeOf, realHistory } from './fixture';

/* ---------- Independent reference: numpy's formulas, literally, on a fully sorted sample ---------- */

/** Tail probability as one would type it into numpy: np.quantile(pnl, 0.05) for 95 %. */
const TAIL: Record<number, number> = { 0.95: 0.05, 0.975: 0.025, 0.99: 0.01, 0.9: 0.1 };

/** numpy.quantile(a, q, method=...) for one q (numpy ≥ 1.22 _quantile / _lerp). */
function npQuantile(sorted: number[], q: number, method: QuantileMethod): number {
  const n = sorted.length;
  if (method === 'inverted_cdf') {
    // _inverted_cdf: virtual index n·q − 1, rounded up unless it is whole, clipped to the sample.
    const virtual = n * q - 1;
    const prev = Math.floor(virtual);
    const g = virtual - prev;
    const idx = Math.min(n - 1, Math.max(0, g === 0 ? prev : prev + 1));
    return sorted[idx];
  }
  const virtual = (n - 1) * q;
  const prev = Math.floor(virtual);
  const next = Math.min(prev + 1, n - 1);
  const t = virtual - prev;
  const a = sorted[prev];
  const b = sorted[next];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Acerbi–Tasche discrete ES (riskfolio CVaR_Hist), as a positive loss. */
function acerbiTasche(sorted: number[], p: number): number {
  const np = sorted.length * p;
  const f = Math.floor(np);
  let sum = 0;
  for (let i = 0; i < f; i++) sum += sorted[i];
  return -(sum + (np - f) * (f < sorted.length ? sorted[f] : 0)) / np;
}

/**
 * Historical simulation straight from the closes: no matrices, no selection, one full sort per horizon. The
 * scenarios are the `lookbackDays` returns ending at asOf, or the return dates `returnDates` lists per horizon.
 */
function referenceFigures(
  h: PriceHistory,
  exposures: Exposure[],
  params: RiskParams,
  asOf: string,
  returnDates?: (horizon: number) => string[],
): RiskFigure[] {
  const end = h.dates.indexOf(asOf);
  const L = params.lookbackDays;
  const scenarioIndices = (horizon: number): number[] =>
    returnDates
      ? returnDates(horizon).map((d) => h.dates.indexOf(d))
      : Array.from({ length: L }, (_, s) => end - L + 1 + s);
  const pnlFor = (horizon: number): number[] => {
    const pnl: number[] = [];
    for (const t of scenarioIndices(horizon)) {
      let v = 0;
      for (const e of exposures) {
        const s = h.series[e.asset];
        v += e.netUsd * ((s[t] as number) / (s[t - horizon] as number) - 1);
      }
      pnl.push(v);
    }
    return pnl.sort((a, b) => a - b);
  };
  const out: RiskFigure[] = [];
  for (const c of params.confidences) {
    const p = TAIL[c];
    for (const hd of params.horizons) {
      const sorted = pnlFor(params.horizonMethod === 'sqrt' ? 1 : hd);
      const scale = params.horizonMethod === 'sqrt' ? Math.sqrt(hd) : 1;
      out.push({
        confidence: c,
        horizonDays: hd,
        varUsd: -npQuantile(sorted, p, params.quantileMethod) * scale,
        esUsd: acerbiTasche(sorted, p) * scale,
      });
    }
  }
  return out;
}

function expectClose(actual: RiskFigure[], expected: RiskFigure[], rel = 1e-9): void {
  expect(actual.map((f) => [f.confidence, f.horizonDays])).toEqual(
    expected.map((f) => [f.confidence, f.horizonDays]),
  );
  actual.forEach((f, i) => {
    const e = expected[i];
    const where = `${f.confidence}/${f.horizonDays}d`;
    expect({ where, ok: Math.abs(f.varUsd - e.varUsd) <= rel * Math.abs(e.varUsd) }).toEqual({
      where,
      ok: true,
    });
    expect({ where, ok: Math.abs(f.esUsd - e.esUsd) <= rel * Math.abs(e.esUsd) }).toEqual({
      where,
      ok: true,
    });
  });
}

const h = realHistory();
const usd = (asset: string, amount: number, date: string): Exposure => ({
  asset,
  netUsd: amount * closeOf(h, asset, date),
});

/* ---------- (a) agreement with the reference on real data ---------- */

describe('RiskEngine agrees with a numpy-equivalent sort-based reference on the real closes', () => {
  const cases: { name: string; asOf: string; lookback: number; exposures: Exposure[] }[] = [
    {
      name: 'BTC/ETH collateral, stable debt, 2024-12-07',
      asOf: '2024-12-07',
      lookback: 365,
      exposures: [
        usd('BTC', 2.5, '2024-12-07'),
        usd('ETH', 40, '2024-12-07'),
        usd('USDC', -150_000, '2024-12-07'),
      ],
    },
    {
      name: 'mixed book with SOL, LINK, a short ETH leg and WBTC, 2024-12-07',
      asOf: '2024-12-07',
      lookback: 500,
      exposures: [
        usd('SOL', 1200, '2024-12-07'),
        usd('LINK', 9000, '2024-12-07'),
        usd('ETH', -35, '2024-12-07'),
        usd('WBTC', 1.1, '2024-12-07'),
        usd('USDT', -80_000, '2024-12-07'),
      ],
    },
    {
      name: 'FTX week, BTC and LINK, 2022-11-09',
      asOf: '2022-11-09',
      lookback: 250,
      exposures: [
        usd('BTC', 3, '2022-11-09'),
        usd('LINK', 20_000, '2022-11-09'),
        usd('USDC', -30_000, '2022-11-09'),
      ],
    },
    {
      name: 'net short BTC after Black Thursday, 2020-03-31',
      asOf: '2020-03-31',
      lookback: 365,
      exposures: [usd('BTC', -4, '2020-03-31'), usd('USDT', 50_000, '2020-03-31')],
    },
  ];
  const methods: [QuantileMethod, HorizonMethod][] = [
    ['linear', 'sqrt'],
    ['inverted_cdf', 'sqrt'],
    ['linear', 'overlapping'],
    ['inverted_cdf', 'overlapping'],
  ];
  for (const c of cases) {
    it.each(methods)(`${c.name}: %s / %s`, (quantileMethod, horizonMethod) => {
      const params: RiskParams = {
        ...DEFAULT_RISK_PARAMS,
        lookbackDays: c.lookback,
        quantileMethod,
        horizonMethod,
      };
      const engine = new RiskEngine(h, params, c.asOf);
      const figures = engine.evaluate(c.exposures);
      expect(figures).toHaveLength(12);
      expectClose(figures, referenceFigures(h, c.exposures, params, c.asOf));
    });
  }

  it('takes the n·p-th order statistic when n·p is whole (n = 100, 95 %: 5th worst, not 6th)', () => {
    // 1 − 0.95 is 0.05000000000000004 in binary; ceil(100 × that) would be 6.
    const params: RiskParams = {
      ...DEFAULT_RISK_PARAMS,
      lookbackDays: 100,
      confidences: [0.95, 0.9],
      quantileMethod: 'inverted_cdf',
    };
    const exposures = [usd('ETH', 10, '2023-06-30')];
    const figures = new RiskEngine(h, params, '2023-06-30').evaluate(exposures);
    expectClose(figures, referenceFigures(h, exposures, params, '2023-06-30'));
  });
});

/* ---------- (b) the published cross-check numbers of risk-math.md §3.1 and §1.5 ---------- */

describe('reproduces risk-math.md §3.1 (250 returns 2024-04-02..2024-12-07)', () => {
  const params = (quantileMethod: QuantileMethod): RiskParams => ({
    lookbackDays: 250,
    confidences: [0.95, 0.975, 0.99],
    horizons: [1],
    horizonMethod: 'sqrt',
    quantileMethod,
  });

  it('spans the documented window', () => {
    const engine = new RiskEngine(h, params('linear'), '2024-12-07');
    expect(engine.windowStart).toBe('2024-04-02');
    expect(engine.historyEnd).toBe('2024-12-07');
    expect(engine.scenarioCount).toBe(250);
  });

  // A daily-rebalanced 50/50 portfolio of 1 USD: its P&L is its return.
  const fiftyFifty = [
    { asset: 'BTC', netUsd: 0.5 },
    { asset: 'ETH', netUsd: 0.5 },
  ];

  it('50/50 BTC/ETH VaR, numpy linear and inverted_cdf, and Acerbi–Tasche ES', () => {
    const linear = new RiskEngine(h, params('linear'), '2024-12-07').evaluate(fiftyFifty);
    const inverted = new RiskEngine(h, params('inverted_cdf'), '2024-12-07').evaluate(fiftyFifty);
    const published = [
      { c: 0.95, linear: 0.042312, inverted: 0.043123, es: 0.059454 },
      { c: 0.975, linear: 0.058344, inverted: 0.058488, es: 0.0672 },
      { c: 0.99, linear: 0.06343, inverted: 0.063824, es: 0.074347 },
    ];
    published.forEach((row, i) => {
      expect(linear[i].confidence).toBe(row.c);
      expect(linear[i].varUsd).toBeCloseTo(row.linear, 6);
      expect(inverted[i].varUsd).toBeCloseTo(row.inverted, 6);
      expect(linear[i].esUsd).toBeCloseTo(row.es, 6);
      // ES does not depend on the quantile estimator.
      expect(inverted[i].esUsd).toBe(linear[i].esUsd);
    });
  });

  it('1 BTC + 10 ETH at the 2024-12-07 closes: 99 % VaR 8,696.14 / 8,702.86, 97.5 % ES 8,843.24', () => {
    const position = [usd('BTC', 1, '2024-12-07'), usd('ETH', 10, '2024-12-07')];
    expect(position[0].netUsd + position[1].netUsd).toBeCloseTo(139_974.57, 2);
    const byC = (figs: RiskFigure[], c: number) => figs.find((f) => f.confidence === c) as RiskFigure;
    const linear = new RiskEngine(h, params('linear'), '2024-12-07').evaluate(position);
    const inverted = new RiskEngine(h, params('inverted_cdf'), '2024-12-07').evaluate(position);
    expect(byC(linear, 0.99).varUsd).toBeCloseTo(8696.14, 2);
    expect(byC(inverted, 0.99).varUsd).toBeCloseTo(8702.86, 2);
    expect(byC(linear, 0.975).esUsd).toBeCloseTo(8843.24, 2);
  });

  it('§1.5: full-sample 99 % VaR of BTC and ETH, √10-scaled and overlapping 10-day', () => {
    // All 2,532 daily returns; overlapping 10-day returns need 10 earlier closes, leaving 2,523.
    const daily = new RiskEngine(
      h,
      { ...params('linear'), lookbackDays: 2532, confidences: [0.99], horizons: [1, 10] },
      '2024-12-07',
    );
    const overlapping = new RiskEngine(
      h,
      {
        ...params('linear'),
        lookbackDays: 2523,
        confidences: [0.99],
        horizons: [10],
        horizonMethod: 'overlapping',
      },
      '2024-12-07',
    );
    const pct = (f: RiskFigure) => f.varUsd * 100;
    const [btc1, btc10] = daily.evaluate([{ asset: 'BTC', netUsd: 1 }]);
    const [eth1, eth10] = daily.evaluate([{ asset: 'ETH', netUsd: 1 }]);
    expect(pct(btc1)).toBeCloseTo(9.96, 2);
    expect(pct(btc10)).toBeCloseTo(31.5, 2);
    expect(pct(eth1)).toBeCloseTo(12.75, 2);
    expect(pct(eth10)).toBeCloseTo(40.33, 2);
    expect(pct(overlapping.evaluate([{ asset: 'BTC', netUsd: 1 }])[0])).toBeCloseTo(29.13, 2);
    expect(pct(overlapping.evaluate([{ asset: 'ETH', netUsd: 1 }])[0])).toBeCloseTo(35.29, 2);
  });
});

/* ---------- behaviour ---------- */

describe('RiskEngine behaviour', () => {
  const asOf = '2024-12-07';

  it('nets positions by asset: 100 positions give the figures of their netted exposures', () => {
    const engine = new RiskEngine(h, DEFAULT_RISK_PARAMS, asOf);
    const assets = ['BTC', 'ETH', 'SOL', 'LINK', 'USDC', 'USDT', 'WBTC'];
    const positions: Exposure[] = Array.from({ length: 100 }, (_, i) => ({
      asset: assets[(i * 5) % assets.length],
      netUsd: ((i * 7919) % 1000) * (i % 3 === 0 ? -50 : 80),
    }));
    const netted = new Map<string, number>();
    for (const p of positions) netted.set(p.asset, (netted.get(p.asset) ?? 0) + p.netUsd);
    const nettedExposures = [...netted].map(([asset, netUsd]) => ({ asset, netUsd }));
    expectClose(engine.evaluate(positions), engine.evaluate(nettedExposures), 1e-12);
    expectClose(engine.evaluate(positions), referenceFigures(h, nettedExposures, DEFAULT_RISK_PARAMS, asOf));
  });

  it('orders figures confidence-major and scales by √h with the sqrt method', () => {
    const engine = new RiskEngine(h, DEFAULT_RISK_PARAMS, asOf);
    const figs = engine.evaluate([usd('BTC', 1, asOf)]);
    expect(figs.map((f) => `${f.confidence}@${f.horizonDays}`)).toEqual([
      '0.95@1',
      '0.95@7',
      '0.95@10',
      '0.95@30',
      '0.975@1',
      '0.975@7',
      '0.975@10',
      '0.975@30',
      '0.99@1',
      '0.99@7',
      '0.99@10',
      '0.99@30',
    ]);
    for (let c = 0; c < 3; c++) {
      const one = figs[c * 4];
      for (let j = 1; j < 4; j++) {
        const f = figs[c * 4 + j];
        expect(f.varUsd / one.varUsd).toBeCloseTo(Math.sqrt(f.horizonDays), 12);
        expect(f.esUsd / one.esUsd).toBeCloseTo(Math.sqrt(f.horizonDays), 12);
      }
      // ES is never below VaR at the same confidence.
      expect(one.esUsd).toBeGreaterThanOrEqual(one.varUsd);
    }
  });

  it('evaluateBatch gives the same figures as one evaluate per portfolio', () => {
    const engine = new RiskEngine(h, { ...DEFAULT_RISK_PARAMS, horizonMethod: 'overlapping' }, asOf);
    const portfolios = [[usd('BTC', 1, asOf)], [usd('ETH', -3, asOf), usd('SOL', 40, asOf)], []];
    const batch = engine.evaluateBatch(portfolios);
    expect(batch).toEqual(portfolios.map((p) => engine.evaluate(p)));
    expect(batch[2].every((f) => f.varUsd === 0 && f.esUsd === 0)).toBe(true);
  });

  it('exposes the usable assets and the window', () => {
    const early = new RiskEngine(h, DEFAULT_RISK_PARAMS, '2019-06-30');
    // SOL, USDC and WBTC have no closes a year before mid-2019.
    expect(early.assets).toEqual(['BTC', 'ETH', 'LINK', 'USDT']);
    expect(early.windowStart).toBe('2018-07-01');
    expect(early.historyEnd).toBe('2019-06-30');
  });

  it('throws naming the asset and date when a held asset has a gap in the window', () => {
    const engine = new RiskEngine(h, DEFAULT_RISK_PARAMS, '2020-06-30');
    expect(() => engine.evaluate([{ asset: 'SOL', netUsd: 1000 }])).toThrow(RiskInputError);
    expect(() => engine.evaluate([{ asset: 'SOL', netUsd: 1000 }])).toThrow(/SOL has no close on 2019-07-01/);
  });

  it('accepts assets absent from the history or the window when their net exposure is zero', () => {
    const engine = new RiskEngine(h, DEFAULT_RISK_PARAMS, '2020-06-30');
    const base = engine.evaluate([{ asset: 'BTC', netUsd: 5000 }]);
    const withZeros = engine.evaluate([
      { asset: 'BTC', netUsd: 5000 },
      { asset: 'SOL', netUsd: 0 },
      { asset: 'DOGE', netUsd: 700 },
      { asset: 'DOGE', netUsd: -700 },
    ]);
    expect(withZeros).toEqual(base);
    expect(() => engine.evaluate([{ asset: 'DOGE', netUsd: 1 }])).toThrow(/DOGE has no price history/);
  });

  it('refuses a lookback longer than the history, naming where the history starts', () => {
    expect(() => new RiskEngine(h, { ...DEFAULT_RISK_PARAMS }, '2018-12-31')).toThrow(
      /lookback of 365 days ending 2018-12-31 .*starts 2018-01-01/,
    );
    // Overlapping 30-day returns need 29 more closes before the window.
    expect(
      () => new RiskEngine(h, { ...DEFAULT_RISK_PARAMS, horizonMethod: 'overlapping' }, '2019-01-20'),
    ).toThrow(/30-day overlapping returns/);
    expect(() => new RiskEngine(h, DEFAULT_RISK_PARAMS, '2019-01-01')).not.toThrow();
  });

  it('refuses an as-of date outside the history and invalid parameters', () => {
    expect(() => new RiskEngine(h, DEFAULT_RISK_PARAMS, '2025-01-01')).toThrow(
      /as-of date 2025-01-01 is not in/,
    );
    const bad: Partial<RiskParams>[] = [
      { lookbackDays: 1 },
      { lookbackDays: 36.5 },
      { confidences: [] },
      { confidences: [99] },
      { confidences: [1] },
      { horizons: [0] },
      { horizons: [1.5] },
      { horizonMethod: 'cubic' as HorizonMethod },
      { quantileMethod: 'nearest' as QuantileMethod },
      { maxGapDays: -1 },
      { maxGapDays: 1.5 },
    ];
    for (const b of bad)
      expect(() => new RiskEngine(h, { ...DEFAULT_RISK_PARAMS, ...b }, asOf)).toThrow(RiskInputError);
  });

  it('refuses non-finite exposures', () => {
    const engine = new RiskEngine(h, DEFAULT_RISK_PARAMS, asOf);
    expect(() => engine.evaluate([{ asset: 'BTC', netUsd: Number.NaN }])).toThrow(
      /BTC is not a finite USD amount/,
    );
  });

  it('refuses a history with a missing calendar day inside the window', () => {
    const gap: PriceHistory = {
      dates: ['2024-01-01', '2024-01-02', '2024-01-04', '2024-01-05'],
      series: { BTC: [1, 2, 3, 4] },
    };
    expect(
      () => new RiskEngine(gap, { ...DEFAULT_RISK_PARAMS, lookbackDays: 2, horizons: [1] }, '2024-01-05'),
    ).toThrow(/skips from 2024-01-02 to 2024-01-04/);
  });
});

/* ---------- missing daily closes ---------- */

/** A copy of the history with closes missing (null) on the dates given per asset, as loadHistory leaves them. */
function withMissing(src: PriceHistory, missing: Record<string, string[]>): PriceHistory {
  const series = { ...src.series };
  for (const [asset, dates] of Object.entries(missing)) {
    const s = [...series[asset]];
    for (const d of dates) s[src.dates.indexOf(d)] = null;
    series[asset] = s;
  }
  return { dates: src.dates, series };
}

/** The history with its rows kept where keep(index) holds. */
function rowsWhere(src: PriceHistory, keep: (i: number) => boolean): PriceHistory {
  return {
    dates: src.dates.filter((_, i) => keep(i)),
    series: Object.fromEntries(Object.entries(src.series).map(([a, s]) => [a, s.filter((_, i) => keep(i))])),
  };
}

/** The calendar days from..to of the history, but those left out. */
function datesBetween(from: string, to: string, leftOut: string[] = []): string[] {
  return h.dates.slice(h.dates.indexOf(from), h.dates.indexOf(to) + 1).filter((d) => !leftOut.includes(d));
}

describe('RiskEngine computes around missing daily closes', () => {
  const asOf = '2024-12-07';
  const book = [usd('BTC', 2, asOf), usd('ETH', 30, asOf), usd('USDC', -90_000, asOf)];
  const btcOnly = [usd('BTC', 2, asOf)];
  let plainEngine: RiskEngine | undefined;
  const plain = (): RiskEngine => (plainEngine ??= new RiskEngine(h, DEFAULT_RISK_PARAMS, asOf));

  it('keeps an asset with a gap usable: still 365 scenarios, the two returns touching it left out', () => {
    const gappy = withMissing(h, { ETH: ['2024-08-05'] });
    const engine = new RiskEngine(gappy, DEFAULT_RISK_PARAMS, asOf);
    expect(engine.assets).toEqual(plain().assets);
    expect(engine.scenarioCount).toBe(365);
    // The return of 08-05 needs its close, so does the return of 08-06: the window reaches two days further.
    const byHand = datesBetween('2023-12-07', asOf, ['2024-08-05', '2024-08-06']);
    expect(byHand).toHaveLength(365);
    expect(plain().windowStart).toBe('2023-12-09');
    expect(engine.windowStart).toBe('2023-12-07');
    expect(engine.scenarioDates(1)).toEqual(byHand);
    expect(engine.scenarioDates(30)).toEqual(byHand); // sqrt: every horizon scales the daily returns
    expect(engine.historyGaps).toEqual([{ asset: 'ETH', date: '2024-08-05' }]);
    const figures = engine.evaluate(book);
    expectClose(
      figures,
      referenceFigures(h, book, DEFAULT_RISK_PARAMS, asOf, () => byHand),
    );
    // 08-05 was the year's worst day: without it the tail, so the figures, are not those of the full year.
    expect(figures[0].varUsd).toBeLessThan(plain().evaluate(book)[0].varUsd);
  });

  it('leaves out, per horizon, the overlapping returns that reach over the gap', () => {
    const params: RiskParams = { ...DEFAULT_RISK_PARAMS, horizonMethod: 'overlapping', horizons: [1, 10] };
    const engine = new RiskEngine(withMissing(h, { ETH: ['2024-06-15'] }), params, asOf);
    const byHand: Record<number, string[]> = {
      1: datesBetween('2023-12-07', asOf, ['2024-06-15', '2024-06-16']),
      10: datesBetween('2023-12-07', asOf, ['2024-06-15', '2024-06-25']),
    };
    expect(engine.scenarioDates(1)).toEqual(byHand[1]);
    expect(engine.scenarioDates(10)).toEqual(byHand[10]);
    expectClose(
      engine.evaluate(book),
      referenceFigures(h, book, params, asOf, (hd) => byHand[hd]),
    );
  });

  it("computes without today's missing close: the as-of day's return is left out", () => {
    const engine = new RiskEngine(withMissing(h, { ETH: [asOf] }), DEFAULT_RISK_PARAMS, asOf);
    const byHand = datesBetween('2023-12-08', '2024-12-06');
    expect(engine.historyEnd).toBe(asOf);
    expect(engine.scenarioDates(1)).toEqual(byHand);
    expect(engine.historyGaps).toEqual([{ asset: 'ETH', date: asOf }]);
    expectClose(
      engine.evaluate(book),
      referenceFigures(h, book, DEFAULT_RISK_PARAMS, asOf, () => byHand),
    );
  });

  it('makes an asset missing more than maxGapDays closes unusable, with the error it always had', () => {
    const six = ['2024-03-01', '2024-03-02', '2024-05-10', '2024-07-04', '2024-09-09', '2024-11-30'];
    const engine = new RiskEngine(withMissing(h, { ETH: six }), DEFAULT_RISK_PARAMS, asOf);
    expect(engine.assets).not.toContain('ETH');
    expect(() => engine.evaluate(book)).toThrow(RiskInputError);
    expect(() => engine.evaluate(book)).toThrow(
      /ETH has no close on 2024-03-01, inside the lookback window ending 2024-12-07 \(6 closes missing, more than the 5 /,
    );
    // Nothing is computed around then: the other assets keep their window and figures.
    expect(engine.historyGaps).toEqual([]);
    expect(engine.windowStart).toBe(plain().windowStart);
    expect(engine.evaluate(btcOnly)).toEqual(plain().evaluate(btcOnly));
    // Five is within the default bound; maxGapDays 0 is the strict rule.
    const five = new RiskEngine(withMissing(h, { ETH: six.slice(1) }), DEFAULT_RISK_PARAMS, asOf);
    expect(five.assets).toContain('ETH');
    expect(five.historyGaps).toHaveLength(5);
    const strict = new RiskEngine(
      withMissing(h, { ETH: ['2024-06-15'] }),
      { ...DEFAULT_RISK_PARAMS, maxGapDays: 0 },
      asOf,
    );
    expect(() => strict.evaluate(book)).toThrow(/ETH has no close on 2024-06-15/);
  });

  it('counts the missing closes of the extended window, not only of the year', () => {
    // Five gaps in the year leave out ten returns, so the window reads closes from 2023-11-28: one more there is six.
    const five = ['2024-02-01', '2024-04-01', '2024-06-01', '2024-08-01', '2024-10-01'];
    const engine = new RiskEngine(
      withMissing(h, { ETH: [...five, '2023-12-01'] }),
      DEFAULT_RISK_PARAMS,
      asOf,
    );
    expect(engine.assets).not.toContain('ETH');
    expect(() => engine.evaluate(book)).toThrow(/ETH has no close on 2023-12-01.*6 closes missing/);
    const wider = new RiskEngine(
      withMissing(h, { ETH: [...five, '2023-12-01'] }),
      { ...DEFAULT_RISK_PARAMS, maxGapDays: 6 },
      asOf,
    );
    expect(wider.assets).toContain('ETH');
    expect(wider.scenarioDates(1)[0]).toBe('2023-11-27'); // 12 returns left out
  });

  it('flags only the exposures that hold an asset with a gap, sorted by asset and date', () => {
    const engine = new RiskEngine(
      withMissing(h, { ETH: ['2024-09-01', '2024-06-15'], BTC: ['2024-10-10'] }),
      DEFAULT_RISK_PARAMS,
      asOf,
    );
    const gaps = [
      { asset: 'BTC', date: '2024-10-10' },
      { asset: 'ETH', date: '2024-06-15' },
      { asset: 'ETH', date: '2024-09-01' },
    ];
    expect(engine.historyGaps).toEqual(gaps);
    expect(engine.gapsOf(book)).toEqual(gaps);
    expect(engine.gapsOf([usd('ETH', 1, asOf)])).toEqual(gaps.slice(1));
    expect(engine.gapsOf([usd('SOL', 10, asOf), usd('USDC', -5, asOf)])).toEqual([]);
    // A zero net reads no return.
    expect(engine.gapsOf([usd('SOL', 10, asOf), { asset: 'ETH', netUsd: 0 }])).toEqual([]);
    expect(plain().gapsOf(book)).toEqual([]);
  });

  it('makes the asset unusable, not the engine, when the history is too short to reach past its gap', () => {
    const from = h.dates.indexOf('2023-12-08'); // exactly the closes 365 daily returns need
    const short = rowsWhere(h, (i) => i >= from);
    expect(new RiskEngine(short, DEFAULT_RISK_PARAMS, asOf).evaluate(book)).toEqual(plain().evaluate(book));
    const engine = new RiskEngine(withMissing(short, { ETH: ['2024-06-15'] }), DEFAULT_RISK_PARAMS, asOf);
    expect(engine.assets).not.toContain('ETH');
    expect(() => engine.evaluate(book)).toThrow(/ETH has no close on 2024-06-15, .*too short/);
    expect(engine.evaluate(btcOnly)).toEqual(plain().evaluate(btcOnly));
    expect(engine.historyGaps).toEqual([]);
  });

  it('still refuses a history that skips a calendar day where the window reaches back to', () => {
    const skipping = rowsWhere(h, (i) => h.dates[i] !== '2023-12-06');
    expect(new RiskEngine(skipping, DEFAULT_RISK_PARAMS, asOf).windowStart).toBe('2023-12-09');
    // Two gaps leave out four returns: the window then reads the closes from 2023-12-04, across the skip.
    expect(
      () =>
        new RiskEngine(
          withMissing(skipping, { ETH: ['2024-06-15', '2024-08-01'] }),
          DEFAULT_RISK_PARAMS,
          asOf,
        ),
    ).toThrow(/skips from 2023-12-05 to 2023-12-07/);
  });
});

describe('selectSmallest', () => {
  it('returns the k smallest in ascending order, ties and k ≥ n included', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const n of [1, 5, 20, 365]) {
      for (const k of [1, 3, 20, 400]) {
        const x = Float64Array.from({ length: n }, () => Math.round((rnd() - 0.5) * 20) + 0);
        const kk = Math.min(k, n);
        const out = new Float64Array(kk);
        selectSmallest(x, n, kk, out);
        expect(Array.from(out)).toEqual(
          Array.from(x)
            .sort((a, b) => a - b)
            .slice(0, kk),
        );
      }
    }
  });
});
