/** computePortfolioRisk — Pub/Sub push: market.prices.v1, portfolio.positions.v1, risk.shard-work.v1. */
import { readRiskConfig } from '../../shared/platform/config/risk';
import { applyPositions, fanOutTick, processShard } from '../../shared/use-cases/compute-portfolio-risk';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const computePortfolioRisk = pubsubWiring(
  'computePortfolioRisk',
  (p, logger) => ({ ...p, logger, config: readRiskConfig(p.env) }),
  (d) => ({
    'market.prices.v1': (m) => fanOutTick(d, m),
    'portfolio.positions.v1': (m) => applyPositions(d, m),
    'risk.shard-work.v1': (m) => processShard(d, m),
  }),
);
