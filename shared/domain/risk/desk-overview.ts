/**
 * A desk at a glance: its portfolios riskiest first, how many are in each state, and the collateral at risk —
 * that of portfolios in margin call or liquidation now, and of those a price shock would put there. The state
 * shown is the state machine's (with its hysteresis), never re-derived from the score; the shocked state is
 * the plain classification of the shocked score, since a shock has no history. Pure.
 */
import type { DeskOverview, DeskPortfolio, PortfolioView } from '../../contracts/schema-types';
import { classifyHealth, type HealthState } from './margin';
import { shockedHealthScore, type ShockSpec } from './shock';

const IN_CALL: ReadonlySet<HealthState> = new Set(['MARGIN_CALL', 'LIQUIDATION']);

export function deskPortfolio(v: PortfolioView, shock: ShockSpec): DeskPortfolio {
  const shocked = shockedHealthScore(v.exposures, shock);
  const underShock = shocked !== null && IN_CALL.has(classifyHealth(shocked, v.health.thresholds));
  return {
    portfolioId: v.portfolioId,
    state: v.health.state,
    healthScore: v.health.score,
    collateralUsd: v.collateralUsd,
    borrowUsd: v.borrowUsd,
    asOf: v.asOf,
    shockedHealthScore: shocked,
    atRisk: IN_CALL.has(v.health.state) ? 'IN_CALL' : underShock ? 'UNDER_SHOCK' : null,
  };
}

const RANK: Record<HealthState, number> = { LIQUIDATION: 0, MARGIN_CALL: 1, WARNING: 2, HEALTHY: 3 };

/**
 * Riskiest first: by state (the machine's, so a portfolio held in margin call by the recovery band comes before a
 * warning one with a lower score), then the lowest score, portfolios without debt (no score) last, then by id.
 */
function byHealth(a: DeskPortfolio, b: DeskPortfolio): number {
  const byState = RANK[a.state] - RANK[b.state];
  if (byState !== 0) return byState;
  if (a.healthScore === null || b.healthScore === null)
    return a.healthScore === b.healthScore
      ? a.portfolioId.localeCompare(b.portfolioId)
      : a.healthScore === null
        ? 1
        : -1;
  return a.healthScore - b.healthScore || a.portfolioId.localeCompare(b.portfolioId);
}

export function deskOverview(
  deskId: string,
  views: readonly PortfolioView[],
  shock: ShockSpec,
  servedAt: Date,
): DeskOverview {
  const portfolios = views.map((v) => deskPortfolio(v, shock)).sort(byHealth);
  const counts = { HEALTHY: 0, WARNING: 0, MARGIN_CALL: 0, LIQUIDATION: 0 };
  let inCallUsd = 0;
  let underShockUsd = 0;
  for (const p of portfolios) {
    counts[p.state] += 1;
    if (p.atRisk === 'IN_CALL') inCallUsd += p.collateralUsd;
    else if (p.atRisk === 'UNDER_SHOCK') underShockUsd += p.collateralUsd;
  }
  const oldest = views.reduce<string | null>(
    (m, v) => (m === null || Date.parse(v.asOf) < Date.parse(m) ? v.asOf : m),
    null,
  );
  return {
    deskId,
    asOf: oldest,
    servedAt: servedAt.toISOString(),
    shock: { fraction: shock.fraction, stableAssets: [...shock.stableAssets] },
    counts,
    collateralAtRisk: { totalUsd: inCallUsd + underShockUsd, inCallUsd, underShockUsd },
    portfolios,
  };
}
