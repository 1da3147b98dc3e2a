import { validate } from '../../../shared/contracts/validation';
import type { PortfolioView } from '../../../shared/contracts/schema-types';
import { deskOverview } from '../../../shared/domain/risk/desk-overview';
import { DEFAULT_SHOCK, shockedHealthScore } from '../../../shared/domain/risk/shock';
import type { HealthState } from '../../../shared/domain/risk/margin';

const T = { warning: 50, marginCall: 30, liquidation: 15 };

/** A view of `btc` BTC held against `usdc` USDC owed (and optionally ETH owed), at BTC 100,000. */
function view(id: string, btc: number, usdc: number, state: HealthState, eth = 0): PortfolioView {
  const exposures = [
    { asset: 'BTC', priceUsd: 100_000, collateralAmount: btc, borrowAmount: 0 },
    { asset: 'USDC', priceUsd: 1, collateralAmount: 0, borrowAmount: usdc },
    ...(eth ? [{ asset: 'ETH', priceUsd: 4_000, collateralAmount: 0, borrowAmount: eth }] : []),
  ].map((e) => ({
    ...e,
    netAmount: e.collateralAmount - e.borrowAmount,
    netUsd: (e.collateralAmount - e.borrowAmount) * e.priceUsd,
  }));
  const collateralUsd = btc * 100_000;
  const borrowUsd = usdc + eth * 4_000;
  return {
    portfolioId: id,
    deskId: 'crypto',
    tickId: 'tick-20241207T1200Z',
    asOf: '2024-12-07T12:00:00.000Z',
    updatedAt: '2024-12-07T12:00:02.000Z',
    collateralUsd,
    borrowUsd,
    health: {
      score: borrowUsd > 0 ? ((collateralUsd - borrowUsd) * 100) / borrowUsd : null,
      state,
      thresholds: T,
      recoveryBand: 2,
    },
    exposures,
    liquidationPrices: [],
    risk: null,
  };
}

describe('shockedHealthScore', () => {
  it('moves every non-stable price by the fraction and revalues both sides', () => {
    // 2 BTC against 100k USDC and 5 ETH owed: after −20 %, C = 160k, B = 100k + 16k.
    const v = view('a', 2, 100_000, 'HEALTHY', 5);
    expect(shockedHealthScore(v.exposures, DEFAULT_SHOCK)).toBeCloseTo(
      ((160_000 - 116_000) * 100) / 116_000,
      9,
    );
  });

  it('leaves stable assets alone and gives null without debt', () => {
    expect(shockedHealthScore(view('b', 1, 0, 'HEALTHY').exposures, DEFAULT_SHOCK)).toBeNull();
    const stableOnly = { fraction: -0.5, stableAssets: ['USDC', 'BTC'] };
    expect(shockedHealthScore(view('c', 1, 50_000, 'HEALTHY').exposures, stableOnly)).toBe(100);
  });
});

describe('deskOverview', () => {
  const views = [
    view('healthy-far', 3, 100_000, 'HEALTHY'), // 200 → 140 after the shock
    view('no-debt', 1, 0, 'HEALTHY'),
    view('healthy-near', 1, 62_500, 'HEALTHY'), // 60 → 28: margin call under the shock
    view('at-boundary', 1, 64_000, 'WARNING'), // 56.25 now (held in WARNING), 80k/64k → exactly 25
    view('in-call', 1, 80_000, 'MARGIN_CALL'), // 25
    view('hysteresis', 1, 76_000, 'MARGIN_CALL'), // 31.6 but still MARGIN_CALL by the recovery band
  ];
  const overview = () => deskOverview('crypto', views, DEFAULT_SHOCK, new Date('2024-12-07T12:00:05Z'));

  it('is a valid API body', () => {
    const o = overview();
    validate('api/desk-overview', o);
  });

  it('sorts riskiest first by state, then score, portfolios without debt last', () => {
    const o = overview();
    // Held in MARGIN_CALL at 31.6 by the recovery band: before a WARNING portfolio whatever its score.
    const held = view('held', 1, 76_000, 'MARGIN_CALL');
    const lowWarning = view('low-warning', 1, 76_500, 'WARNING'); // 30.7
    const order = deskOverview('crypto', [lowWarning, held], DEFAULT_SHOCK, new Date()).portfolios;
    expect(order.map((p) => p.portfolioId)).toEqual(['held', 'low-warning']);
    expect(o.portfolios.map((p) => p.portfolioId)).toEqual([
      'in-call',
      'hysteresis',
      'at-boundary',
      'healthy-near',
      'healthy-far',
      'no-debt',
    ]);
  });

  it("counts the state machine's states, not the scores' classes", () => {
    const o = overview();
    expect(o.counts).toEqual({ HEALTHY: 3, WARNING: 1, MARGIN_CALL: 2, LIQUIDATION: 0 });
    expect(o.portfolios.find((p) => p.portfolioId === 'hysteresis')?.state).toBe('MARGIN_CALL');
  });

  it('puts in collateral at risk those in call now and those the shock would put there', () => {
    const o = overview();
    const risk = Object.fromEntries(o.portfolios.map((p) => [p.portfolioId, p.atRisk]));
    expect(risk).toEqual({
      'in-call': 'IN_CALL',
      hysteresis: 'IN_CALL',
      'at-boundary': 'UNDER_SHOCK', // 25 after the shock: below 30
      'healthy-near': 'UNDER_SHOCK',
      'healthy-far': null,
      'no-debt': null,
    });
    expect(o.collateralAtRisk).toEqual({ inCallUsd: 200_000, underShockUsd: 200_000, totalUsd: 400_000 });
  });

  it('a shocked score exactly at the margin-call threshold is not a margin call (thresholds are strict)', () => {
    // 1 BTC against 61,538.46… USDC: shocked 80,000 / B − 1 = 30 % exactly when B = 80,000 / 1.3.
    const exact = view('exact', 1.3, 80_000, 'HEALTHY');
    const p = deskOverview('crypto', [exact], DEFAULT_SHOCK, new Date()).portfolios[0];
    expect(p.shockedHealthScore).toBeCloseTo(30, 9);
    expect(p.shockedHealthScore as number).toBeGreaterThanOrEqual(30);
    expect(p.atRisk).toBeNull();
  });

  it('is as of its oldest valuation, and empty for a desk without portfolios', () => {
    const older = { ...view('old', 1, 1, 'HEALTHY'), asOf: '2024-12-07T11:58:00Z' };
    expect(deskOverview('crypto', [...views, older], DEFAULT_SHOCK, new Date()).asOf).toBe(
      '2024-12-07T11:58:00Z',
    );
    const empty = deskOverview('none', [], DEFAULT_SHOCK, new Date('2024-12-07T12:00:05Z'));
    expect(empty).toMatchObject({ asOf: null, portfolios: [], collateralAtRisk: { totalUsd: 0 } });
    validate('api/desk-overview', empty);
  });
});
