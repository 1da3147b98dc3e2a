/** What a risk manager reads on the desk screen: the ranking, the counts and the collateral at risk, by hand. */
import type { PortfolioView } from '../../../shared/contracts/schema-types';
import { deskOverview, deskPortfolio } from '../../../shared/domain/risk/desk-overview';
import type { HealthState } from '../../../shared/domain/risk/margin';
import { DEFAULT_SHOCK, shockedHealthScore, type ShockSpec } from '../../../shared/domain/risk/shock';

const T = { warning: 50, marginCall: 30, liquidation: 15 };
const NO_SHOCK: ShockSpec = { fraction: 0, stableAssets: [] };

/** `btc` BTC at 100 held against `usdc` USDC owed; the score as the state machine computed it. */
function view(id: string, btc: number, usdc: number, state: HealthState, asOf = '2024-12-07T12:00:00.000Z') {
  const collateralUsd = btc * 100;
  const exposures = [
    { asset: 'BTC', priceUsd: 100, collateralAmount: btc, borrowAmount: 0 },
    { asset: 'USDC', priceUsd: 1, collateralAmount: 0, borrowAmount: usdc },
  ].map((e) => ({
    ...e,
    netAmount: e.collateralAmount - e.borrowAmount,
    netUsd: (e.collateralAmount - e.borrowAmount) * e.priceUsd,
  }));
  const v: PortfolioView = {
    portfolioId: id,
    deskId: 'd',
    tickId: 't',
    asOf,
    updatedAt: asOf,
    collateralUsd,
    borrowUsd: usdc,
    health: {
      score: usdc > 0 ? ((collateralUsd - usdc) * 100) / usdc : null,
      state,
      thresholds: T,
      recoveryBand: 2,
    },
    exposures,
    liquidationPrices: [],
    risk: null,
  };
  return v;
}

const ids = (views: PortfolioView[], shock = NO_SHOCK) =>
  deskOverview('d', views, shock, new Date(0)).portfolios.map((p) => p.portfolioId);

describe('ranking', () => {
  it('liquidation before margin call before warning before healthy, whatever the scores', () => {
    expect(
      ids([
        view('h', 10, 100, 'HEALTHY'),
        view('w', 10, 100, 'WARNING'),
        view('l', 10, 100, 'LIQUIDATION'),
        view('m', 10, 100, 'MARGIN_CALL'),
      ]),
    ).toEqual(['l', 'm', 'w', 'h']);
  });

  it('within a state the lowest score first, equal scores by id', () => {
    expect(
      ids([
        view('b', 3, 200, 'HEALTHY'), // 50
        view('c', 4, 100, 'HEALTHY'), // 300
        view('a', 3, 200, 'HEALTHY'), // 50
        view('d', 2, 100, 'HEALTHY'), // 100
      ]),
    ).toEqual(['a', 'b', 'd', 'c']);
  });

  it('portfolios without debt after those with a score, among themselves by id', () => {
    expect(
      ids([
        view('z-none', 1, 0, 'HEALTHY'),
        view('y', 5, 100, 'HEALTHY'),
        view('a-none', 1, 0, 'HEALTHY'),
        view('x', 9, 100, 'HEALTHY'),
      ]),
    ).toEqual(['y', 'x', 'a-none', 'z-none']);
    expect(ids([view('a-none', 1, 0, 'HEALTHY'), view('b', 9, 100, 'HEALTHY')])).toEqual(['b', 'a-none']);
  });
});

describe('collateral at risk and counts', () => {
  it('a portfolio in liquidation is in call; one in call now is not also counted under the shock', () => {
    const o = deskOverview(
      'd',
      [view('l', 1, 90, 'LIQUIDATION'), view('m', 2, 160, 'MARGIN_CALL'), view('h', 4, 100, 'HEALTHY')],
      DEFAULT_SHOCK,
      new Date('2024-12-07T12:00:05.250Z'),
    );
    expect(o.counts).toEqual({ HEALTHY: 1, WARNING: 0, MARGIN_CALL: 1, LIQUIDATION: 1 });
    expect(o.portfolios.map((p) => p.atRisk)).toEqual(['IN_CALL', 'IN_CALL', null]);
    expect(o.collateralAtRisk).toEqual({ totalUsd: 300, inCallUsd: 300, underShockUsd: 0 });
    expect(o.deskId).toBe('d');
    expect(o.servedAt).toBe('2024-12-07T12:00:05.250Z');
    expect(o.shock).toEqual({ fraction: -0.2, stableAssets: ['USDC', 'USDT', 'DAI'] });
  });

  it('a healthy portfolio the shock puts in liquidation is at risk under the shock', () => {
    // 2 BTC (200) against 160: 25 % now, 0 % after −20 %.
    const p = deskPortfolio(view('x', 2, 160, 'WARNING'), DEFAULT_SHOCK);
    expect(p.shockedHealthScore).toBe(0);
    expect(p.atRisk).toBe('UNDER_SHOCK');
    // Without debt: no shocked score, never at risk.
    expect(deskPortfolio(view('n', 2, 0, 'HEALTHY'), DEFAULT_SHOCK)).toMatchObject({
      shockedHealthScore: null,
      atRisk: null,
      healthScore: null,
    });
  });

  it('passes the view through: id, state, score, collateral, borrow, as-of', () => {
    expect(deskPortfolio(view('x', 4, 100, 'WARNING', '2024-12-07T11:00:00Z'), NO_SHOCK)).toEqual({
      portfolioId: 'x',
      state: 'WARNING',
      healthScore: 300,
      collateralUsd: 400,
      borrowUsd: 100,
      asOf: '2024-12-07T11:00:00Z',
      shockedHealthScore: 300,
      atRisk: null,
    });
  });

  it('is as of the oldest valuation, whichever position it has in the list', () => {
    const at = (iso: string) => view(iso, 4, 100, 'HEALTHY', iso);
    const views = [at('2024-12-07T12:00:00Z'), at('2024-12-07T11:00:00Z'), at('2024-12-07T11:30:00Z')];
    expect(deskOverview('d', views, NO_SHOCK, new Date(0)).asOf).toBe('2024-12-07T11:00:00Z');
    expect(deskOverview('d', [views[1], views[0]], NO_SHOCK, new Date(0)).asOf).toBe('2024-12-07T11:00:00Z');
  });
});

describe('shockedHealthScore', () => {
  it('shocks borrowed volatile assets too, and leaves a stable collateral alone', () => {
    const exposures = [
      { asset: 'ETH', priceUsd: 10, collateralAmount: 0, borrowAmount: 5 },
      { asset: 'USDC', priceUsd: 1, collateralAmount: 100, borrowAmount: 0 },
    ];
    // −50 %: C = 100, B = 25 → 300.
    expect(shockedHealthScore(exposures, { fraction: -0.5, stableAssets: ['USDC'] })).toBe(300);
    // ETH treated as stable: B = 50 → 100.
    expect(shockedHealthScore(exposures, { fraction: -0.5, stableAssets: ['USDC', 'ETH'] })).toBe(100);
  });
});
