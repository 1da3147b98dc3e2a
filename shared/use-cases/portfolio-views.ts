/**
 * The latest state of every portfolio, kept in Firestore for the read API (riskApi) by the risk path itself:
 * detectMarginEvents writes a portfolio's view in the same transaction that advances its health state, so the
 * state a risk manager sees is the state machine's, with the thresholds that decided it, never a guess from the
 * score. The liquidation prices are solved again with the liquidation threshold in force for this portfolio
 * (its policy may differ from the configured default computePortfolioRisk used). No warehouse query on this
 * path; history comes from the warehouse views.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import type { PortfolioView, SchemaTypes } from '../contracts/schema-types';
import type { HysteresisPolicy } from '../domain/margin/health-state-machine';
import { liquidationPrices, type HealthState, type Position } from '../domain/risk/margin';
import type { DocumentData, DocumentStore } from '../ports/document-store';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];

export const PORTFOLIO_VIEWS = FIRESTORE_COLLECTIONS.views.portfolios;

export type PortfolioViewDoc = PortfolioView & DocumentData;

/** The units held and owed behind each exposure, as positions (what the liquidation solver takes). */
function positionsOf(risk: PortfolioRisk): Position[] {
  return risk.exposures.flatMap((e) => [
    ...(e.collateralAmount > 0
      ? [{ asset: e.asset, amount: e.collateralAmount, side: 'collateral' as const }]
      : []),
    ...(e.borrowAmount > 0 ? [{ asset: e.asset, amount: e.borrowAmount, side: 'borrow' as const }] : []),
  ]);
}

export function portfolioViewOf(
  risk: PortfolioRisk,
  state: HealthState,
  policy: HysteresisPolicy,
  updatedAt: Date,
): PortfolioViewDoc {
  const prices = Object.fromEntries(risk.exposures.map((e) => [e.asset, e.priceUsd]));
  return {
    portfolioId: risk.portfolioId,
    deskId: risk.deskId,
    tickId: risk.tickId,
    asOf: risk.asOf,
    ...(risk.positionsUpdatedAt ? { positionsUpdatedAt: risk.positionsUpdatedAt } : {}),
    updatedAt: updatedAt.toISOString(),
    collateralUsd: risk.collateralUsd,
    borrowUsd: risk.borrowUsd,
    health: {
      score: risk.healthScore,
      state,
      thresholds: { ...policy.thresholds },
      recoveryBand: policy.recoveryBand,
    },
    exposures: risk.exposures,
    liquidationPrices: liquidationPrices(positionsOf(risk), prices, policy.thresholds),
    risk: risk.risk,
    metrics: risk.metrics,
  };
}

export async function readPortfolioView(
  store: DocumentStore,
  portfolioId: string,
): Promise<PortfolioView | undefined> {
  return store.get<PortfolioViewDoc>(PORTFOLIO_VIEWS, portfolioId);
}

export async function readDeskViews(store: DocumentStore, deskId: string): Promise<PortfolioView[]> {
  const docs = await store.query<PortfolioViewDoc>(PORTFOLIO_VIEWS, [
    { field: 'deskId', op: '==', value: deskId },
  ]);
  return docs.map((d) => d.data);
}

/** Views of a desk written after `after` (ISO time): what a stream sends as portfolio updates. */
export async function readDeskViewsUpdatedAfter(
  store: DocumentStore,
  deskId: string,
  after: string,
): Promise<PortfolioView[]> {
  const docs = await store.query<PortfolioViewDoc>(PORTFOLIO_VIEWS, [
    { field: 'deskId', op: '==', value: deskId },
    { field: 'updatedAt', op: '>', value: after },
  ]);
  return docs.map((d) => d.data).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
}
