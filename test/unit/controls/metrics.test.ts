/**
 * Risk metrics on small books a risk manager can check by hand: equity and its state, leverage, notional,
 * concentration, VaR/ES over equity and drawdown, at each boundary (zero, negative equity, nothing borrowed,
 * empty books, ties) and with no NaN or Infinity anywhere.
 */
import {
  computeRiskMetrics,
  RATIO_LIMIT,
  type MetricsInput,
  type RiskMetrics,
} from '../../../shared/domain/controls/metrics';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import type { PriceHistory } from '../../../shared/domain/risk/history';
import type { Position } from '../../../shared/domain/risk/margin';
import { seededRandom } from '../../../local-stack/seeded-random';

const col = (asset: string, amount: number): Position => ({ asset, amount, side: 'collateral' });
const bor = (asset: string, amount: number): Position => ({ asset, amount, side: 'borrow' });

function metrics(positions: Position[], prices: Record<string, number>, over: Partial<MetricsInput> = {}) {
  return computeRiskMetrics({
    positions,
    prices,
    figures: null,
    history: null,
    drawdownWindowDays: 30,
    ...over,
  });
}

/** Daily closes from `first`, one per day, USDC at 1 unless given. */
function closes(first: string, series: Record<string, (number | null)[]>): PriceHistory {
  const n = Object.values(series)[0].length;
  const dates = Array.from({ length: n }, (_, i) =>
    new Date(Date.parse(first) + i * 86_400_000).toISOString().slice(0, 10),
  );
  return { dates, series: { USDC: new Array<number>(n).fill(1), ...series } };
}

/** Every number in the metrics, with its path: none may be NaN or ±Infinity. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}/${k}`));
}

describe('equity, leverage and health', () => {
  // 1 BTC at 30,000 and 10 ETH at 2,000 against 20,000 USDC: collateral 50,000, equity 30,000.
  const book = [col('BTC', 1), col('ETH', 10), bor('USDC', 20_000)];
  const prices = { BTC: 30_000, ETH: 2_000, USDC: 1 };

  it('reports equity = collateral − borrow and leverage = borrow / equity', () => {
    const m = metrics(book, prices);
    expect(m).toMatchObject({
      collateralUsd: 50_000,
      borrowUsd: 20_000,
      equityUsd: 30_000,
      equityState: 'POSITIVE',
      healthScore: 150,
    });
    expect(m.leverage).toBeCloseTo(2 / 3, 15);
  });

  it('gives leverage 0 and no health score when nothing is borrowed', () => {
    const m = metrics([col('BTC', 2)], prices);
    expect(m).toMatchObject({ equityUsd: 60_000, equityState: 'POSITIVE', leverage: 0, healthScore: null });
  });

  it('reports exactly zero equity as ZERO: no leverage number, health 0', () => {
    const m = metrics([col('ETH', 10), bor('USDC', 20_000)], prices);
    expect(m).toMatchObject({ equityUsd: 0, equityState: 'ZERO', leverage: null, healthScore: 0 });
  });

  it('reads rounding noise around zero as ZERO, and a real cent of equity as POSITIVE', () => {
    // 0.1 + 0.2 − 0.3 is 5.6e-17 in binary, not a position anyone holds.
    const noise = metrics([col('USDT', 0.1), col('USDT', 0.2), bor('USDC', 0.3)], { USDT: 1, USDC: 1 });
    expect(noise).toMatchObject({ equityUsd: 0, equityState: 'ZERO', leverage: null });
    const cent = metrics([col('USDT', 100.01), bor('USDC', 100)], { USDT: 1, USDC: 1 });
    expect(cent.equityState).toBe('POSITIVE');
    expect(cent.leverage).toBeCloseTo(10_000, 6);
  });

  it('puts the zero band at 1e-9 of collateral + borrow, boundary included', () => {
    const at = (equity: number) =>
      metrics([col('USDT', 1e9 + equity), bor('USDC', 1e9)], { USDT: 1, USDC: 1 }).equityState;
    // band = 1e-9 × (2e9 + equity): 2 is inside it (≤ 2.000000002), 3 is not (> 2.000000003).
    expect(at(2)).toBe('ZERO');
    expect(at(3)).toBe('POSITIVE');
    // Below zero the book is smaller: band = 1.999999998, so −1 is inside it and −2 is not.
    expect(metrics([col('USDT', 1e9 - 1), bor('USDC', 1e9)], { USDT: 1, USDC: 1 }).equityState).toBe('ZERO');
    expect(metrics([col('USDT', 1e9 - 2), bor('USDC', 1e9)], { USDT: 1, USDC: 1 }).equityState).toBe(
      'NEGATIVE',
    );
  });

  it('reports negative equity as a state with its amount, never as a ratio', () => {
    // 0.5 BTC (15,000) against 20,000 USDC: 5,000 short.
    const m = metrics([col('BTC', 0.5), bor('USDC', 20_000)], prices, {
      figures: [{ confidence: 0.99, horizonDays: 1, varUsd: 1_200, esUsd: 1_500 }],
    });
    expect(m).toMatchObject({ equityUsd: -5_000, equityState: 'NEGATIVE', leverage: null, healthScore: -25 });
    expect(m.tailShares).toEqual([{ confidence: 0.99, horizonDays: 1, varShare: null, esShare: null }]);
  });

  it('values an empty book as zero everywhere: ZERO equity, leverage 0, no concentration', () => {
    const m = metrics([], {}, { figures: [{ confidence: 0.99, horizonDays: 1, varUsd: 0, esUsd: 0 }] });
    expect(m).toEqual({
      collateralUsd: 0,
      borrowUsd: 0,
      equityUsd: 0,
      equityState: 'ZERO',
      healthScore: null,
      leverage: 0,
      concentration: { collateral: null, gross: null },
      notional: [],
      drawdown: null,
      drawdownUnavailable: 'NO_HISTORY',
      tailShares: [{ confidence: 0.99, horizonDays: 1, varShare: null, esShare: null }],
    } satisfies RiskMetrics);
  });
});

describe('notional and concentration', () => {
  it('nets positions by asset, in asset order, with gross = collateral + borrow', () => {
    const m = metrics([bor('USDC', 20_000), col('ETH', 10), col('BTC', 1), col('ETH', 5), bor('ETH', 2)], {
      BTC: 30_000,
      ETH: 2_000,
      USDC: 1,
    });
    expect(m.notional).toEqual([
      { asset: 'BTC', collateralUsd: 30_000, borrowUsd: 0, grossUsd: 30_000, netUsd: 30_000 },
      { asset: 'ETH', collateralUsd: 30_000, borrowUsd: 4_000, grossUsd: 34_000, netUsd: 26_000 },
      { asset: 'USDC', collateralUsd: 0, borrowUsd: 20_000, grossUsd: 20_000, netUsd: -20_000 },
    ]);
    // Collateral 60,000: BTC and ETH 30,000 each, a tie that goes to BTC. Gross 84,000: ETH's 34,000 leads.
    expect(m.concentration).toEqual({
      collateral: { asset: 'BTC', share: 0.5 },
      gross: { asset: 'ETH', share: 34_000 / 84_000 },
    });
  });

  it('breaks ties alphabetically whatever the order of the positions', () => {
    const prices = { BTC: 10_000, ETH: 2_000, AAVE: 100 };
    const a = metrics([col('ETH', 5), col('BTC', 1)], prices);
    const b = metrics([col('BTC', 1), col('ETH', 5)], prices);
    expect(a.concentration).toEqual({
      collateral: { asset: 'BTC', share: 0.5 },
      gross: { asset: 'BTC', share: 0.5 },
    });
    expect(b.concentration).toEqual(a.concentration);
    // A borrow counts towards gross: 100 AAVE owed (10,000) ties BTC and ETH, and AAVE comes first.
    const c = metrics([col('ETH', 5), col('BTC', 1), bor('AAVE', 100)], prices);
    expect(c.concentration.gross).toEqual({ asset: 'AAVE', share: 1 / 3 });
    expect(c.concentration.collateral).toEqual({ asset: 'BTC', share: 0.5 });
  });

  it('gives a single asset the whole share', () => {
    const m = metrics([col('BTC', 1.5)], { BTC: 40_000 });
    expect(m.concentration).toEqual({
      collateral: { asset: 'BTC', share: 1 },
      gross: { asset: 'BTC', share: 1 },
    });
  });

  it('has no collateral concentration without collateral, and keeps assets held at zero', () => {
    const m = metrics([bor('USDC', 500), col('ETH', 0)], { USDC: 1, ETH: 2_000 });
    expect(m.concentration).toEqual({ collateral: null, gross: { asset: 'USDC', share: 1 } });
    expect(m.notional.map((n) => n.asset)).toEqual(['ETH', 'USDC']);
    expect(m.equityState).toBe('NEGATIVE');
  });
});

describe('VaR and ES as a share of equity', () => {
  it('divides every figure by equity, in the figures’ order', () => {
    const m = metrics(
      [col('BTC', 1), col('ETH', 10), bor('USDC', 20_000)],
      { BTC: 30_000, ETH: 2_000, USDC: 1 },
      {
        figures: [
          { confidence: 0.99, horizonDays: 1, varUsd: 3_000, esUsd: 4_500 },
          { confidence: 0.975, horizonDays: 10, varUsd: 9_000, esUsd: 12_000 },
        ],
      },
    );
    expect(m.tailShares).toEqual([
      { confidence: 0.99, horizonDays: 1, varShare: 0.1, esShare: 0.15 },
      { confidence: 0.975, horizonDays: 10, varShare: 0.3, esShare: 0.4 },
    ]);
  });

  it('has no shares without figures, and null shares at zero equity', () => {
    expect(metrics([col('BTC', 1)], { BTC: 30_000 }).tailShares).toEqual([]);
    const zero = metrics(
      [col('ETH', 1), bor('USDC', 2_000)],
      { ETH: 2_000, USDC: 1 },
      {
        figures: [{ confidence: 0.95, horizonDays: 7, varUsd: 100, esUsd: 150 }],
      },
    );
    expect(zero.tailShares).toEqual([{ confidence: 0.95, horizonDays: 7, varShare: null, esShare: null }]);
  });

  it('caps a share over an equity just outside the zero band at the ratio limit', () => {
    // Equity 3 on a 2e9 book (just POSITIVE) and a VaR of 1e20: 3.3e19 would leave the schema's bounds.
    const m = metrics(
      [col('USDT', 1e9 + 3), bor('USDC', 1e9)],
      { USDT: 1, USDC: 1 },
      {
        figures: [{ confidence: 0.99, horizonDays: 1, varUsd: 1e20, esUsd: -1e20 }],
      },
    );
    expect(m.tailShares[0]).toMatchObject({ varShare: RATIO_LIMIT, esShare: -RATIO_LIMIT });
  });
});

describe('drawdown', () => {
  // 1 BTC against 10,000 USDC; five closes from 1 January 2024, then the current price.
  const book = [col('BTC', 1), bor('USDC', 10_000)];
  const history = closes('2024-01-01', { BTC: [30_000, 35_000, 25_000, 40_000, 38_000] });
  const at = (btcNow: number, over: Partial<MetricsInput> = {}) =>
    metrics(book, { BTC: btcNow, USDC: 1 }, { history, drawdownWindowDays: 5, ...over });

  it('measures from the window’s peak, not from inception, and finds the worst fall within the window', () => {
    // Equity 20k, 25k, 15k, 30k, 28k, now 29k: up 45 % since inception, but 1/30 below the 30k peak of 4 Jan.
    const m = at(39_000);
    expect(m.drawdown).toEqual({
      current: 1_000 / 30_000,
      max: 0.4, // 25k → 15k on 3 Jan
      peakUsd: 30_000,
      troughUsd: 28_000,
      windowDays: 5,
      observations: 6,
      nowUsd: 29_000,
      peakDate: '2024-01-04',
      maxPeakUsd: 25_000,
      maxTroughUsd: 15_000,
    });
    expect(m.drawdownUnavailable).toBeUndefined();
  });

  it('forgets peaks older than the window', () => {
    // Window of 2 closes: 30k (4 Jan), 28k (5 Jan), now 29k. The 25k → 15k fall is outside it.
    expect(at(39_000, { drawdownWindowDays: 2 }).drawdown).toMatchObject({
      current: 1_000 / 30_000,
      max: 2_000 / 30_000,
      observations: 3,
    });
    // Window of 1 close: 28k, now 29k. The peak is now: no drawdown at all.
    expect(at(39_000, { drawdownWindowDays: 1 }).drawdown).toMatchObject({
      current: 0,
      max: 0,
      peakUsd: 29_000,
      troughUsd: 29_000,
      peakDate: null,
      observations: 2,
    });
  });

  it('ends the window at historyEnd when given', () => {
    // Closes of 1–3 Jan only: 20k, 25k, 15k, now 29k (the peak).
    expect(at(39_000, { drawdownWindowDays: 3, historyEnd: '2024-01-03' }).drawdown).toMatchObject({
      current: 0,
      max: 0.4,
      peakUsd: 29_000,
      peakDate: null,
    });
  });

  it('takes the latest of equal peaks, so the trough is the one since the market was last at its high', () => {
    const flatTop = closes('2024-01-01', { BTC: [35_000, 30_000, 35_000] });
    const m = metrics(book, { BTC: 34_000, USDC: 1 }, { history: flatTop, drawdownWindowDays: 3 });
    expect(m.drawdown).toMatchObject({
      current: 1_000 / 25_000,
      max: 5_000 / 25_000,
      peakDate: '2024-01-03',
      troughUsd: 24_000,
    });
  });

  it('does not count a deposit or a withdrawal as a gain or a loss', () => {
    const flat = closes('2024-01-01', { BTC: [30_000, 30_000, 30_000] });
    const before = metrics(book, { BTC: 30_000, USDC: 1 }, { history: flat, drawdownWindowDays: 3 });
    // The desk posts 5,000 USDT more, then withdraws half its BTC: prices have not moved, so neither is a drawdown.
    const deposited = [...book, col('USDT', 5_000)];
    const afterDeposit = metrics(
      deposited,
      { BTC: 30_000, USDC: 1, USDT: 1 },
      {
        history: { ...flat, series: { ...flat.series, USDT: [1, 1, 1] } },
        drawdownWindowDays: 3,
      },
    );
    const withdrawn = [col('BTC', 0.5), bor('USDC', 10_000)];
    const afterWithdrawal = metrics(
      withdrawn,
      { BTC: 30_000, USDC: 1 },
      { history: flat, drawdownWindowDays: 3 },
    );
    for (const m of [before, afterDeposit, afterWithdrawal])
      expect(m.drawdown).toMatchObject({ current: 0, max: 0 });
    expect([before, afterDeposit, afterWithdrawal].map((m) => m.drawdown?.nowUsd)).toEqual([
      20_000, 25_000, 5_000,
    ]);
  });

  it('keeps a fall’s USD size when collateral is added between two evaluations', () => {
    const falling = closes('2024-01-01', { BTC: [30_000, 28_000] });
    const first = metrics(book, { BTC: 26_000, USDC: 1 }, { history: falling, drawdownWindowDays: 2 });
    const topped = metrics(
      [...book, col('USDT', 4_000)],
      { BTC: 26_000, USDC: 1, USDT: 1 },
      {
        history: { ...falling, series: { ...falling.series, USDT: [1, 1] } },
        drawdownWindowDays: 2,
      },
    );
    // Both lost 4,000 from the peak; the deposit only raised every point by 4,000 (a smaller fraction, no new loss).
    expect(first.drawdown).toMatchObject({ peakUsd: 20_000, nowUsd: 16_000, current: 0.2 });
    expect(topped.drawdown).toMatchObject({ peakUsd: 24_000, nowUsd: 20_000, current: 4_000 / 24_000 });
  });

  it('exceeds 1 once equity has turned negative: lost more than the peak equity', () => {
    // 1 BTC against 25,000 USDC: 5,000 at the 30k close, −5,000 now at 20k.
    const m = metrics(
      [col('BTC', 1), bor('USDC', 25_000)],
      { BTC: 20_000, USDC: 1 },
      {
        history: closes('2024-01-01', { BTC: [30_000] }),
        drawdownWindowDays: 1,
      },
    );
    expect(m.equityState).toBe('NEGATIVE');
    expect(m.drawdown).toMatchObject({ current: 2, max: 2, peakUsd: 5_000, troughUsd: -5_000 });
  });

  it('starts measuring once the running peak is positive', () => {
    // Equity −1k, 5k, 4k, now 4.5k: the climb from −1k is no drawdown; the worst fall is 5k → 4k.
    const m = metrics(
      [col('BTC', 1), bor('USDC', 10_000)],
      { BTC: 14_500, USDC: 1 },
      {
        history: closes('2024-01-01', { BTC: [9_000, 15_000, 14_000] }),
        drawdownWindowDays: 3,
      },
    );
    expect(m.drawdown).toMatchObject({ current: 0.1, max: 0.2, maxPeakUsd: 5_000, maxTroughUsd: 4_000 });
  });

  it('is unavailable from a peak that is not positive', () => {
    const underwater = metrics(
      [col('BTC', 1), bor('USDC', 50_000)],
      { BTC: 39_000, USDC: 1 },
      {
        history,
        drawdownWindowDays: 5,
      },
    );
    expect(underwater).toMatchObject({ drawdown: null, drawdownUnavailable: 'NON_POSITIVE_PEAK' });
    // An empty book is worth 0 at every close.
    expect(metrics([], {}, { history, drawdownWindowDays: 5 })).toMatchObject({
      drawdown: null,
      drawdownUnavailable: 'NON_POSITIVE_PEAK',
    });
    // A peak within rounding of zero equity is zero, not a denominator.
    const matched = metrics(
      [col('USDT', 1e9 + 1), bor('USDC', 1e9)],
      { USDT: 1, USDC: 1 },
      {
        history: closes('2024-01-01', { USDT: [1, 1] }),
        drawdownWindowDays: 2,
      },
    );
    expect(matched.drawdownUnavailable).toBe('NON_POSITIVE_PEAK');
  });

  it('is unavailable without history covering every day of the window for every asset held', () => {
    const none = (over: Partial<MetricsInput>) => {
      const m = at(39_000, over);
      return [m.drawdown, m.drawdownUnavailable];
    };
    expect(none({ history: null })).toEqual([null, 'NO_HISTORY']);
    expect(none({ drawdownWindowDays: 6 })).toEqual([null, 'NO_HISTORY']); // only 5 closes
    expect(none({ historyEnd: '2024-01-09' })).toEqual([null, 'NO_HISTORY']); // not in the history
    expect(none({ history: closes('2024-01-01', { BTC: [30_000, null, 25_000, 40_000, 38_000] }) })).toEqual([
      null,
      'NO_HISTORY',
    ]);
    expect(none({ history: closes('2024-01-01', { ETH: [1, 1, 1, 1, 1] }) })).toEqual([null, 'NO_HISTORY']);
    // A skipped day (3 Jan missing): five rows no longer span five days.
    const gap = { ...history, dates: ['2024-01-01', '2024-01-02', '2024-01-04', '2024-01-05', '2024-01-06'] };
    expect(none({ history: gap })).toEqual([null, 'NO_HISTORY']);
    // An asset held at zero needs no history.
    const m = metrics(
      [...book, col('ETH', 0)],
      { BTC: 39_000, USDC: 1, ETH: 2_000 },
      { history, drawdownWindowDays: 5 },
    );
    expect(m.drawdown?.current).toBe(1_000 / 30_000);
  });
});

describe('input and finiteness', () => {
  it('refuses a drawdown window that is not a whole number of days ≥ 1, and a position without a price', () => {
    expect(() => metrics([], {}, { drawdownWindowDays: 0 })).toThrow(RiskInputError);
    expect(() => metrics([], {}, { drawdownWindowDays: 1.5 })).toThrow(
      'drawdown window must be a whole number',
    );
    expect(() => metrics([col('SOL', 1)], {})).toThrow('no usable price for SOL');
  });

  it('never reports NaN or Infinity, and keeps shares and drawdowns in range, on random books', () => {
    const rand = seededRandom(20_240_805);
    const assets = ['BTC', 'ETH', 'SOL', 'USDC'];
    const hist = closes('2024-01-01', {
      BTC: Array.from({ length: 10 }, () => 20_000 + rand() * 40_000),
      ETH: Array.from({ length: 10 }, () => 1_000 + rand() * 3_000),
      SOL: Array.from({ length: 10 }, () => 0.5 + rand() * 200),
    });
    for (let i = 0; i < 500; i++) {
      const positions = Array.from({ length: Math.floor(rand() * 5) }, () => {
        const asset = assets[Math.floor(rand() * assets.length)];
        const amount = rand() < 0.1 ? 0 : rand() * (asset === 'USDC' ? 100_000 : 10);
        return rand() < 0.5 ? col(asset, amount) : bor(asset, amount);
      });
      const prices = {
        BTC: 10_000 + rand() * 60_000,
        ETH: 500 + rand() * 4_000,
        SOL: 0.1 + rand() * 300,
        USDC: 1,
      };
      const m = computeRiskMetrics({
        positions,
        prices,
        figures: [{ confidence: 0.99, horizonDays: 1, varUsd: rand() * 50_000, esUsd: rand() * 60_000 }],
        history: hist,
        drawdownWindowDays: 1 + Math.floor(rand() * 10),
      });
      const bad = numbers(m).filter(([, v]) => !Number.isFinite(v) || Math.abs(v) > 1e21);
      expect({ i, bad }).toEqual({ i, bad: [] });
      for (const c of [m.concentration.collateral, m.concentration.gross])
        if (c) expect(c.share >= 0 && c.share <= 1).toBe(true);
      if (m.leverage !== null) expect(m.leverage).toBeGreaterThanOrEqual(0);
      expect(m.leverage === null).toBe(m.borrowUsd > 0 && m.equityState !== 'POSITIVE');
      if (m.drawdown) {
        expect(m.drawdown.current).toBeGreaterThanOrEqual(0);
        expect(m.drawdown.max).toBeGreaterThanOrEqual(m.drawdown.current);
      } else {
        expect(['NO_HISTORY', 'NON_POSITIVE_PEAK']).toContain(m.drawdownUnavailable);
      }
    }
  });
});
