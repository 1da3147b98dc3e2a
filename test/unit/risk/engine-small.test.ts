/**
 * The engine on a 13-day history small enough to check by hand. BTC returns, dates 2024-01-02..2024-01-13:
 *   +50 %, −50 %, +25 %, −25 %, +100 %, −50 %, 0, −75 %, −25 %, +100 %, −50 %, +25 %
 * (closes 64, 96, 48, 60, 45, 90, 45, 45, 11.25, 8.4375, 16.875, 8.4375, 10.546875: every figure exact in binary).
 * A 4-day lookback ending 2024-01-13 reads the last four returns; 100 USD of BTC then has the P&L scenarios
 * −25, +100, −50, +25, sorted −50, −25, +25, +100.
 */
import {
  DEFAULT_MAX_GAP_DAYS,
  RiskEngine,
  compareHistoryGaps,
  expectedShortfallFromSmallest,
  quantileFromSmallest,
  tailCount,
  tailProbability,
  type RiskParams,
} from '../../../shared/domain/risk/engine';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import type { PriceHistory } from '../../../shared/domain/risk/history';

const BTC = [64, 96, 48, 60, 45, 90, 45, 45, 11.25, 8.4375, 16.875, 8.4375, 10.546875];
const DATES = BTC.map((_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`);
const AS_OF = '2024-01-13';

/** BTC as above and ETH at 100 every day but the dates given. */
function history(ethMissing: string[] = []): PriceHistory {
  return {
    dates: [...DATES],
    series: { BTC: [...BTC], ETH: DATES.map((d) => (ethMissing.includes(d) ? null : 100)) },
  };
}

const params = (over: Partial<RiskParams> = {}): RiskParams => ({
  lookbackDays: 4,
  confidences: [0.5, 0.75, 0.9],
  horizons: [1],
  horizonMethod: 'sqrt',
  quantileMethod: 'inverted_cdf',
  ...over,
  maxGapDays: over.maxGapDays ?? 1,
});

const figures = (engine: RiskEngine, exposures = [{ asset: 'BTC', netUsd: 100 }]) =>
  engine.evaluate(exposures).map((f) => [f.confidence, f.horizonDays, f.varUsd, f.esUsd]);

describe('VaR and ES by hand on four scenarios', () => {
  it('inverted_cdf: the 2nd worst at 50 %, the worst at 75 % and 90 %; ES the mean of the tail', () => {
    expect(figures(new RiskEngine(history(), params(), AS_OF))).toEqual([
      // n·p = 2: VaR is −(−25); ES the mean of −50 and −25.
      [0.5, 1, 25, 37.5],
      // n·p = 1: the worst, 50, for both.
      [0.75, 1, 50, 50],
      // n·p = 0.4: the worst again; ES 0.4·(−50)/0.4.
      [0.9, 1, 50, 50],
    ]);
  });

  it('linear: numpy interpolation between neighbouring order statistics', () => {
    expect(figures(new RiskEngine(history(), params({ quantileMethod: 'linear' }), AS_OF))).toEqual([
      // (n−1)·p = 1.5: halfway between −25 and +25.
      [0.5, 1, 0, 37.5],
      // 0.75: three quarters from −50 to −25.
      [0.75, 1, 31.25, 50],
      // 0.3: from −50 towards −25 by 0.3.
      [0.9, 1, 42.5, 50],
    ]);
  });

  it('the window ends on the as-of day: the −75 % five days back is not a scenario, the +25 % of the day is', () => {
    const engine = new RiskEngine(history(), params(), AS_OF);
    expect(engine.scenarioDates(1)).toEqual(['2024-01-10', '2024-01-11', '2024-01-12', '2024-01-13']);
    expect(engine.windowStart).toBe('2024-01-10');
    expect(engine.historyEnd).toBe(AS_OF);
    expect(engine.scenarioCount).toBe(4);
    // A day earlier the −75 % is in and is the worst.
    expect(figures(new RiskEngine(history(), params({ confidences: [0.75] }), '2024-01-12'))).toEqual([
      [0.75, 1, 75, 75],
    ]);
  });

  it('a short book loses on the rises: sign matters', () => {
    expect(figures(new RiskEngine(history(), params(), AS_OF), [{ asset: 'BTC', netUsd: -100 }])).toEqual([
      // Scenarios +25, −100, +50, −25, sorted −100, −25, +25, +50.
      [0.5, 1, 25, 62.5],
      [0.75, 1, 100, 100],
      [0.9, 1, 100, 100],
    ]);
  });

  it('scales by √h with the sqrt method, confidences outer, horizons in the order given', () => {
    const engine = new RiskEngine(history(), params({ confidences: [0.75, 0.5], horizons: [4, 1] }), AS_OF);
    expect(figures(engine)).toEqual([
      [0.75, 4, 100, 100],
      [0.75, 1, 50, 50],
      [0.5, 4, 50, 75],
      [0.5, 1, 25, 37.5],
    ]);
  });

  it('reads overlapping h-day returns over the same return dates with the overlapping method', () => {
    const engine = new RiskEngine(
      history(),
      params({ horizons: [2, 1], horizonMethod: 'overlapping', confidences: [0.75] }),
      AS_OF,
    );
    // 2-day returns at 2024-01-10..13: −81.25 %, +50 %, 0, −37.5 %.
    expect(figures(engine)).toEqual([
      [0.75, 2, 81.25, 81.25],
      [0.75, 1, 50, 50],
    ]);
    expect(engine.scenarioDates(2)).toEqual(['2024-01-10', '2024-01-11', '2024-01-12', '2024-01-13']);
    expect(engine.windowStart).toBe('2024-01-10');
    expect(() => engine.scenarioDates(3)).toThrow(new RiskInputError('horizon 3 is not one of 2, 1'));
  });

  it('a sqrt engine has the daily scenarios for every requested horizon, and none for another', () => {
    const engine = new RiskEngine(history(), params({ horizons: [1, 10] }), AS_OF);
    expect(engine.scenarioDates(10)).toEqual(engine.scenarioDates(1));
    expect(() => engine.scenarioDates(7)).toThrow('horizon 7 is not one of 1, 10');
  });

  it('an empty book, or one netted to zero, has VaR and ES 0 (not −0)', () => {
    const engine = new RiskEngine(history(), params({ confidences: [0.75] }), AS_OF);
    for (const book of [[], [{ asset: 'BTC', netUsd: 0 }]]) {
      const [f] = engine.evaluate(book);
      expect(Object.is(f.varUsd, 0) && Object.is(f.esUsd, 0)).toBe(true);
    }
    expect(engine.evaluateBatch([[{ asset: 'BTC', netUsd: 100 }], []]).map((fs) => fs[0].varUsd)).toEqual([
      50, 0,
    ]);
  });

  it('adds every asset of a wide book, the fifth one included', () => {
    const wide: PriceHistory = {
      dates: [...DATES],
      series: Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F'].map((a) => [a, [...BTC]])),
    };
    const engine = new RiskEngine(wide, params({ confidences: [0.75] }), AS_OF);
    expect(engine.assets).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    const varOf = (book: { asset: string; netUsd: number }[]) => engine.evaluate(book)[0].varUsd;
    expect(varOf([{ asset: 'E', netUsd: 100 }])).toBe(50);
    expect(varOf([{ asset: 'F', netUsd: 100 }])).toBe(50);
    expect(
      varOf([
        { asset: 'A', netUsd: 100 },
        { asset: 'E', netUsd: 100 },
      ]),
    ).toBe(100);
    expect(
      varOf([
        { asset: 'B', netUsd: 50 },
        { asset: 'C', netUsd: 50 },
        { asset: 'D', netUsd: 100 },
        { asset: 'F', netUsd: 100 },
      ]),
    ).toBe(150);
    expect(
      varOf([
        { asset: 'A', netUsd: 60 },
        { asset: 'A', netUsd: 40 },
      ]),
    ).toBe(50);
  });
});

describe('a book of many assets is the sum of its holdings', () => {
  // Returns of the last four days: BTC −25 %, +100 %, −50 %, +25 %; UP +100 %, −50 %, +100 %, −50 %; FLAT 0.
  const UP = BTC.map((_, i) => (i % 2 === 0 ? 100 : 200));
  const RETURNS: Record<string, number[]> = {
    BTC: [-0.25, 1, -0.5, 0.25],
    UP: [1, -0.5, 1, -0.5],
    FLAT: [0, 0, 0, 0],
  };
  // Nine assets in three blocks of four as the engine sums them, each block with a different series per slot.
  const KIND = ['BTC', 'BTC', 'UP', 'FLAT', 'FLAT', 'BTC', 'FLAT', 'UP', 'UP'];
  const NAMES = KIND.map((k, i) => `${k}${i}`);
  const wide: PriceHistory = {
    dates: [...DATES],
    series: Object.fromEntries(
      NAMES.map((name, i) => [
        name,
        KIND[i] === 'BTC' ? [...BTC] : KIND[i] === 'UP' ? [...UP] : BTC.map(() => 7),
      ]),
    ),
  };

  /** The worst scenario P&L, summed holding by holding. */
  const worstLoss = (book: { asset: string; netUsd: number }[]) =>
    -Math.min(
      ...[0, 1, 2, 3].map((s) =>
        book.reduce((sum, e) => sum + e.netUsd * RETURNS[KIND[NAMES.indexOf(e.asset)]][s], 0),
      ),
    );

  it('every slot of every block counts, with its own returns and sign', () => {
    const engine = new RiskEngine(wide, params({ confidences: [0.75] }), AS_OF);
    expect(engine.assets).toEqual(NAMES);
    const books = [
      NAMES.map((asset, i) => ({ asset, netUsd: 100 * (i + 1) })),
      NAMES.map((asset, i) => ({ asset, netUsd: i % 2 === 0 ? 100 : -300 })),
      [
        { asset: 'UP7', netUsd: 200 },
        { asset: 'BTC0', netUsd: 100 },
      ],
      [
        { asset: 'UP8', netUsd: -100 },
        { asset: 'BTC1', netUsd: 50 },
      ],
    ];
    for (const book of books) {
      const [f] = engine.evaluate(book);
      expect(f.varUsd).toBe(worstLoss(book));
      expect(f.esUsd).toBe(worstLoss(book));
    }
  });
});

describe('the lookback needs lookback + 1 closes (+ h − 1 for overlapping h-day returns)', () => {
  it('exactly enough closes is fine; one fewer is refused, naming what was needed', () => {
    expect(new RiskEngine(history(), params(), '2024-01-05').windowStart).toBe('2024-01-02');
    expect(() => new RiskEngine(history(), params(), '2024-01-04')).toThrow(
      new RiskInputError(
        'lookback of 4 days ending 2024-01-04 needs 5 closes up to that date, but the price history has 4 ' +
          '(it starts 2024-01-01)',
      ),
    );
  });

  it('with overlapping 2-day returns one more close', () => {
    const p = params({ horizons: [1, 2], horizonMethod: 'overlapping' });
    expect(new RiskEngine(history(), p, '2024-01-06').windowStart).toBe('2024-01-03');
    expect(() => new RiskEngine(history(), p, '2024-01-05')).toThrow(
      'lookback of 4 days plus 1 days for 2-day overlapping returns ending 2024-01-05 needs 6 closes up to that ' +
        'date, but the price history has 5 (it starts 2024-01-01)',
    );
  });

  it('refuses an as-of date outside the history and series not aligned with the dates', () => {
    expect(() => new RiskEngine(history(), params(), '2024-01-14')).toThrow(
      'as-of date 2024-01-14 is not in the price history (2024-01-01..2024-01-13)',
    );
    const h = history();
    h.series.ETH = [1, 2, 3];
    expect(() => new RiskEngine(h, params(), AS_OF)).toThrow('series ETH has 3 closes for 13 dates');
  });

  it('refuses a skipped calendar day or a date that is not one inside the window', () => {
    const skip = history();
    skip.dates[10] = '2024-01-12';
    skip.dates[11] = '2024-01-14';
    skip.dates[12] = '2024-01-15';
    expect(() => new RiskEngine(skip, params(), '2024-01-15')).toThrow(
      'price history skips from 2024-01-10 to 2024-01-12: daily returns need every calendar day',
    );
    const bad = history();
    bad.dates[9] = '2024-01-10x';
    expect(() => new RiskEngine(bad, params(), AS_OF)).toThrow(
      'price history skips from 2024-01-09 to 2024-01-10x',
    );
    bad.dates[9] = '2024-01-10';
    bad.dates[8] = '2024-01-09x';
    expect(() => new RiskEngine(bad, params(), AS_OF)).toThrow(
      'price history skips from 2024-01-09x to 2024-01-10',
    );
    // A skip before the window is not the engine's business.
    const early = history();
    early.dates[0] = '2023-12-30';
    expect(new RiskEngine(early, params(), AS_OF).scenarioCount).toBe(4);
  });
});

describe('missing closes: computed around up to maxGapDays, refused beyond', () => {
  it('one missing close in the window: its returns are left out and the window reaches one day further back', () => {
    const engine = new RiskEngine(history(['2024-01-12']), params({ confidences: [0.75] }), AS_OF);
    // The returns of 01-12 and 01-13 touch the gap: 01-08..01-11 instead, BTC 0, −75 %, −25 %, +100 %.
    expect(engine.scenarioDates(1)).toEqual(['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11']);
    expect(engine.windowStart).toBe('2024-01-08');
    expect(figures(engine)).toEqual([[0.75, 1, 75, 75]]);
    expect(engine.assets).toEqual(['BTC', 'ETH']);
    expect(engine.historyGaps).toEqual([{ asset: 'ETH', date: '2024-01-12' }]);
    expect(engine.gapsOf([{ asset: 'BTC', netUsd: 100 }])).toEqual([]);
    expect(engine.gapsOf([{ asset: 'ETH', netUsd: 0 }])).toEqual([]);
    expect(engine.gapsOf([{ asset: 'ETH', netUsd: -5 }])).toEqual([{ asset: 'ETH', date: '2024-01-12' }]);
  });

  it('with overlapping returns each horizon leaves out only the returns reaching over the gap', () => {
    const engine = new RiskEngine(
      history(['2024-01-12']),
      params({ horizons: [1, 2], horizonMethod: 'overlapping', confidences: [0.75] }),
      AS_OF,
    );
    expect(engine.scenarioDates(1)).toEqual(['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11']);
    // The 2-day return of 01-13 reads the closes of 01-11 and 01-13, both there; the one of 01-12 reads the gap.
    expect(engine.scenarioDates(2)).toEqual(['2024-01-09', '2024-01-10', '2024-01-11', '2024-01-13']);
    // The oldest return date of either horizon.
    expect(engine.windowStart).toBe('2024-01-08');
    // 2-day BTC returns −75 %, −81.25 %, +50 %, −37.5 %; 1-day 0, −75 %, −25 %, +100 %.
    expect(figures(engine)).toEqual([
      [0.75, 1, 75, 75],
      [0.75, 2, 81.25, 81.25],
    ]);
    expect(engine.historyGaps).toEqual([{ asset: 'ETH', date: '2024-01-12' }]);
  });

  it('as many missing closes as the bound is fine; one more makes the asset unusable, with the reason', () => {
    const two = history(['2024-01-11', '2024-01-12']);
    const within = new RiskEngine(two, params({ maxGapDays: 2 }), AS_OF);
    expect(within.assets).toEqual(['BTC', 'ETH']);
    expect(within.scenarioDates(1)).toEqual(['2024-01-07', '2024-01-08', '2024-01-09', '2024-01-10']);
    expect(within.unusableReason('ETH')).toBeUndefined();

    const beyond = new RiskEngine(two, params({ maxGapDays: 1 }), AS_OF);
    expect(beyond.assets).toEqual(['BTC']);
    const why =
      'asset ETH has no close on 2024-01-11, inside the lookback window ending 2024-01-13 (2 closes missing, ' +
      'more than the 1 VaR computes around); repair its history, shorten the lookback or move the as-of date';
    expect(beyond.unusableReason('ETH')).toBe(why);
    expect(() => beyond.evaluate([{ asset: 'ETH', netUsd: 1 }])).toThrow(new RiskInputError(why));
    // The others keep the plain window.
    expect(beyond.scenarioDates(1)).toEqual(['2024-01-10', '2024-01-11', '2024-01-12', '2024-01-13']);
    expect(beyond.historyGaps).toEqual([]);
  });

  it('maxGapDays 0 is the strict rule: any missing close makes the asset unusable', () => {
    const engine = new RiskEngine(history(['2024-01-12']), params({ maxGapDays: 0 }), AS_OF);
    expect(engine.assets).toEqual(['BTC']);
    expect(engine.unusableReason('ETH')).toMatch(/\(1 closes missing, more than the 0 VaR computes around\)/);
  });

  it('counts the gaps the longer window reaches, and drops the asset when they are too many', () => {
    // 01-12 is in the 4-day window; leaving its returns out reaches back to 01-07, also missing.
    const engine = new RiskEngine(history(['2024-01-07', '2024-01-12']), params(), AS_OF);
    expect(engine.assets).toEqual(['BTC']);
    expect(engine.unusableReason('ETH')).toMatch(
      /^asset ETH has no close on 2024-01-07, .*\(2 closes missing/,
    );
    expect(engine.scenarioDates(1)).toEqual(['2024-01-10', '2024-01-11', '2024-01-12', '2024-01-13']);
  });

  it('drops the asset missing most first, keeping the one the bound allows', () => {
    const h = history(['2024-01-07', '2024-01-12']);
    h.series.SOL = DATES.map((d) => (d === '2024-01-13' ? null : 10));
    const engine = new RiskEngine(h, params({ maxGapDays: 1 }), AS_OF);
    expect(engine.assets).toEqual(['BTC', 'SOL']);
    expect(engine.historyGaps).toEqual([{ asset: 'SOL', date: '2024-01-13' }]);
  });

  it('when two assets go over the bound together, drops the one missing more, keeping the other', () => {
    // ETH misses 01-05 and 01-06; SOL 01-05, 01-07 and 01-09. Both fit the shortest window, but together their
    // gaps push it back to where ETH misses 2 and SOL 3 closes. SOL goes; without it ETH fits again.
    const h = history(['2024-01-05', '2024-01-06']);
    h.series.SOL = DATES.map((d) => (['2024-01-05', '2024-01-07', '2024-01-09'].includes(d) ? null : 10));
    const engine = new RiskEngine(h, params({ maxGapDays: 1 }), AS_OF);
    expect(engine.assets).toEqual(['BTC', 'ETH']);
    expect(engine.unusableReason('ETH')).toBeUndefined();
    expect(engine.unusableReason('SOL')).toMatch(
      /^asset SOL has no close on 2024-01-05, .*\(3 closes missing/,
    );
  });

  it('on a tie goes by the order of the history, so the same history always loses the same asset', () => {
    // ETH misses 01-05 and 01-06, SOL 01-07 and 01-09: two each where their gaps push the window.
    const h = history(['2024-01-05', '2024-01-06']);
    h.series.SOL = DATES.map((d) => (d === '2024-01-07' || d === '2024-01-09' ? null : 10));
    const engine = new RiskEngine(h, params({ maxGapDays: 1 }), AS_OF);
    // ETH, listed first, goes first; SOL alone is then still over the bound.
    expect(engine.assets).toEqual(['BTC']);
    expect(engine.unusableReason('ETH')).toMatch(
      /^asset ETH has no close on 2024-01-05, .*\(2 closes missing/,
    );
    expect(engine.unusableReason('SOL')).toMatch(
      /^asset SOL has no close on 2024-01-07, .*\(2 closes missing/,
    );
  });

  it('lists gaps by asset, then date', () => {
    const h = history(['2024-01-11']);
    h.series.ADA = DATES.map((d) => (d === '2024-01-13' || d === '2024-01-10' ? null : 1));
    const engine = new RiskEngine(h, params({ maxGapDays: 2 }), AS_OF);
    expect(engine.historyGaps).toEqual([
      { asset: 'ADA', date: '2024-01-10' },
      { asset: 'ADA', date: '2024-01-13' },
      { asset: 'ETH', date: '2024-01-11' },
    ]);
    expect(
      engine.gapsOf([
        { asset: 'ETH', netUsd: 1 },
        { asset: 'ADA', netUsd: 1 },
      ]),
    ).toEqual(engine.historyGaps);
    expect(compareHistoryGaps({ asset: 'A', date: '2024-01-02' }, { asset: 'A', date: '2024-01-02' })).toBe(
      0,
    );
    expect(compareHistoryGaps({ asset: 'B', date: '2024-01-01' }, { asset: 'A', date: '2024-01-02' })).toBe(
      1,
    );
    expect(compareHistoryGaps({ asset: 'A', date: '2024-01-03' }, { asset: 'A', date: '2024-01-02' })).toBe(
      1,
    );
    expect(compareHistoryGaps({ asset: 'A', date: '2024-01-01' }, { asset: 'A', date: '2024-01-02' })).toBe(
      -1,
    );
  });

  it('an asset whose gap the history is too short to reach around is unusable, not the engine', () => {
    // From 2024-01-08 only: six closes; 01-12 missing leaves three usable returns of the four needed.
    const h = history(['2024-01-12']);
    const from = DATES.indexOf('2024-01-08');
    const short: PriceHistory = {
      dates: h.dates.slice(from),
      series: { BTC: h.series.BTC.slice(from), ETH: h.series.ETH.slice(from) },
    };
    const engine = new RiskEngine(short, params({ confidences: [0.75] }), AS_OF);
    expect(engine.assets).toEqual(['BTC']);
    expect(engine.unusableReason('ETH')).toBe(
      'asset ETH has no close on 2024-01-12, inside the lookback window ending 2024-01-13 (the price history is ' +
        'too short to reach back past its missing closes); repair its history, shorten the lookback or move ' +
        'the as-of date',
    );
    expect(figures(engine)).toEqual([[0.75, 1, 50, 50]]);
  });

  it('when the history is too short, drops the asset whose gap made the window reach back, not one complete over it', () => {
    // 8 days; 4-day window 01-05..01-08. ETH misses 01-07 inside it; SOL misses 01-01 and 01-02, before it, and
    // the window reaching around ETH's gap would need those. SOL has all its closes in its window: ETH goes.
    const dates = DATES.slice(0, 8);
    const h: PriceHistory = {
      dates,
      series: {
        BTC: BTC.slice(0, 8),
        ETH: dates.map((d) => (d === '2024-01-07' ? null : 100)),
        SOL: dates.map((d) => (d <= '2024-01-02' ? null : 10)),
      },
    };
    const engine = new RiskEngine(h, params({ maxGapDays: 2 }), '2024-01-08');
    expect(engine.assets).toEqual(['BTC', 'SOL']);
    expect(engine.scenarioDates(1)).toEqual(['2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08']);
    expect(engine.historyGaps).toEqual([]);
    expect(engine.unusableReason('SOL')).toBeUndefined();
    expect(engine.unusableReason('ETH')).toBe(
      'asset ETH has no close on 2024-01-07, inside the lookback window ending 2024-01-08 (the price history is ' +
        'too short to reach back past its missing closes); repair its history, shorten the lookback or move ' +
        'the as-of date',
    );
  });

  it('a close of zero, negative or not finite counts as missing', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const h = history();
      h.series.ETH[11] = bad;
      const engine = new RiskEngine(h, params(), AS_OF);
      expect(engine.historyGaps).toEqual([{ asset: 'ETH', date: '2024-01-12' }]);
    }
  });

  it('defaults the bound to DEFAULT_MAX_GAP_DAYS', () => {
    const p: RiskParams = { ...params() };
    delete p.maxGapDays;
    expect(new RiskEngine(history(), p, AS_OF).params.maxGapDays).toBe(DEFAULT_MAX_GAP_DAYS);
  });
});

describe('exposures and parameters the engine refuses', () => {
  const engine = () => new RiskEngine(history(), params(), AS_OF);

  it('a non-finite exposure, and a non-zero one to an asset without history', () => {
    expect(() => engine().evaluate([{ asset: 'BTC', netUsd: Number.POSITIVE_INFINITY }])).toThrow(
      'exposure to BTC is not a finite USD amount (Infinity)',
    );
    expect(() =>
      engine().evaluate([
        { asset: 'DOGE', netUsd: 3 },
        { asset: 'DOGE', netUsd: 4 },
      ]),
    ).toThrow(new RiskInputError('asset DOGE has no price history'));
    expect(engine().unusableReason('DOGE')).toBe('asset DOGE has no price history');
    expect(engine().unusableReason('BTC')).toBeUndefined();
    expect(
      engine().evaluate([
        { asset: 'DOGE', netUsd: 3 },
        { asset: 'DOGE', netUsd: -3 },
      ])[0].varUsd,
    ).toBe(0);
  });

  it.each<[Partial<RiskParams>, string]>([
    [{ lookbackDays: 1 }, 'lookback must be a whole number of days ≥ 2 (got 1)'],
    [{ lookbackDays: 2.5 }, 'lookback must be a whole number of days ≥ 2 (got 2.5)'],
    [{ maxGapDays: -1 }, 'max gap must be a whole number of days ≥ 0 (got -1)'],
    [{ maxGapDays: 0.5 }, 'max gap must be a whole number of days ≥ 0 (got 0.5)'],
    [{ confidences: [] }, 'no confidence levels given'],
    [{ confidences: 0.99 as never }, 'no confidence levels given'],
    [{ horizons: 1 as never }, 'no horizons given'],
    [{ confidences: [0.9, 0] }, 'confidence 0 must be strictly between 0 and 1 (e.g. 0.99)'],
    [{ confidences: [1] }, 'confidence 1 must be strictly between 0 and 1 (e.g. 0.99)'],
    [{ confidences: [Number.NaN] }, 'confidence NaN must be strictly between 0 and 1 (e.g. 0.99)'],
    [{ horizons: [] }, 'no horizons given'],
    [{ horizons: [1, 0] }, 'horizon 0 must be a whole number of days ≥ 1'],
    [{ horizons: [1.5] }, 'horizon 1.5 must be a whole number of days ≥ 1'],
    [{ horizonMethod: 'cubic' as never }, "horizon method 'cubic' must be one of sqrt, overlapping"],
  ])('%p', (over, message) => {
    expect(() => new RiskEngine(history(), { ...params(), ...over }, AS_OF)).toThrow(
      new RiskInputError(message),
    );
  });

  it('accepts the smallest lookback, 2 days, and a strict maxGapDays of 0', () => {
    expect(new RiskEngine(history(), params({ lookbackDays: 2, maxGapDays: 0 }), AS_OF).scenarioCount).toBe(
      2,
    );
  });
});

describe('order statistics and tails', () => {
  const s = [-8, -4, -2, -1, 0, 1, 2, 4, 8, 16];

  it('rounds 1 − c to 12 decimals', () => {
    expect(tailProbability(0.95)).toBe(0.05);
    expect(tailProbability(0.975)).toBe(0.025);
    expect(tailProbability(0.99)).toBe(0.01);
  });

  it('inverted_cdf takes the ⌈n·p⌉-th smallest, n·p snapped to a whole number', () => {
    expect(quantileFromSmallest(s, 10, 0.2, 'inverted_cdf')).toBe(-4);
    expect(quantileFromSmallest(s, 10, 0.21, 'inverted_cdf')).toBe(-2);
    expect(quantileFromSmallest(s, 10, 0.01, 'inverted_cdf')).toBe(-8);
    // A confidence so close to 1 that 1 − c rounds to 0: still the worst, not outside the sample.
    expect(quantileFromSmallest(s, 10, tailProbability(0.9999999999999), 'inverted_cdf')).toBe(-8);
    // 20 × 0.15 is 3.0000000000000004 in binary: still the 3rd smallest.
    expect(quantileFromSmallest(s, 20, 0.15, 'inverted_cdf')).toBe(-2);
  });

  it('linear interpolates at (n − 1)·p from either end', () => {
    expect(quantileFromSmallest(s, 11, 0.1, 'linear')).toBe(-4);
    expect(quantileFromSmallest(s, 10, 0.1, 'linear')).toBe(-8 + 4 * 0.9);
    expect(quantileFromSmallest(s, 6, 0.1, 'linear')).toBe(-6);
    expect(quantileFromSmallest(s, 5, 0.1, 'linear')).toBe(-8 + 4 * 0.4);
  });

  it('linear matches numpy bit for bit where interpolating from the other end would round differently', () => {
    // numpy.quantile(x, p, method='linear') with numpy 2.4.6: its _lerp starts from the nearer end (t ≥ 0.5 from b).
    expect(quantileFromSmallest([-8.66, -0.47], 2, 0.1, 'linear')).toBe(-7.841);
    expect(quantileFromSmallest([-5.55, -0.82, 5], 3, 0.3, 'linear')).toBe(-2.7119999999999997);
    expect(quantileFromSmallest([-8, 0.28, 5], 3, 0.25, 'linear')).toBe(-3.8599999999999994);
  });

  it('ES averages the n·p worst, with a fraction of the next one', () => {
    expect(expectedShortfallFromSmallest(s, 10, 0.2)).toBe(6);
    expect(expectedShortfallFromSmallest(s, 10, 0.25)).toBe((8 + 4 + 0.5 * 2) / 2.5);
    expect(expectedShortfallFromSmallest(s, 10, 0.05)).toBe(8);
    expect(expectedShortfallFromSmallest(s, 20, 0.15)).toBe(14 / 3);
  });

  it('the tail read is one past ⌈n·p⌉, at most n', () => {
    expect(tailCount(100, 0.05)).toBe(6);
    expect(tailCount(500, 0.05)).toBe(26);
    expect(tailCount(20, 0.15)).toBe(4);
    expect(tailCount(10, 0.21)).toBe(4);
    expect(tailCount(5, 0.9)).toBe(5);
  });
});
