/** computePortfolioRisk — Pub/Sub push: market.prices.v1, portfolio.positions.v1, risk.shard-work.v1. */
import { BatchingWarehouse } from '../../shared/adapters/batching-warehouse';
import { readEventTimeConfig } from '../../shared/platform/config/event-time';
import { readRiskConfig } from '../../shared/platform/config/risk';
import { applyPositions, fanOutTick, processShard } from '../../shared/use-cases/compute-portfolio-risk';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const computePortfolioRisk = pubsubWiring(
  'computePortfolioRisk',
  (p, logger) => ({
    ...p,
    // Shards valued at once on one instance write one insert per table between them.
    warehouse: new BatchingWarehouse(p.warehouse),
    logger,
    config: readRiskConfig(p.env),
    eventTimeMaxSkewSeconds: readEventTimeConfig(p.env).maxSkewSeconds,
  }),
  (d) => ({
    'market.prices.v1': (m) => fanOutTick(d, m),
    // Position updates carry the lending platform's time: bounded before it orders anything.
    'portfolio.positions.v1': (m, ctx) => applyPositions(d, m, { messageId: ctx.messageId }),
    'risk.shard-work.v1': (m) => processShard(d, m),
  }),
);
