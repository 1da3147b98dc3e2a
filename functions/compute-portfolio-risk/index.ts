/** computePortfolioRisk — Pub/Sub push: market.prices.v1, portfolio.positions.v1, risk.shard-work.v1. */
import * as ff from '@google-cloud/functions-framework';
import { platformDeps } from '../../shared/platform/production-deps';
import { lazyPubSubFunction, type DeliveryObserver } from '../../shared/platform/pubsub-handler';
import {
  applyPositions,
  DEFAULT_RISK_COMPUTE_CONFIG,
  fanOutTick,
  processShard,
  type RiskDeps,
} from '../../shared/use-cases/compute-portfolio-risk';

export function computePortfolioRiskHandler(deps: () => Promise<RiskDeps>, observe?: DeliveryObserver) {
  return lazyPubSubFunction(
    'computePortfolioRisk',
    deps,
    (d) => ({
      'market.prices.v1': (m) => fanOutTick(d, m),
      'portfolio.positions.v1': (m) => applyPositions(d, m),
      'risk.shard-work.v1': (m) => processShard(d, m),
    }),
    observe,
  );
}

async function productionDeps(): Promise<RiskDeps> {
  const p = await platformDeps('computePortfolioRisk');
  return {
    ...p,
    config: {
      ...DEFAULT_RISK_COMPUTE_CONFIG,
      shardCount: p.config.shardCount,
      riskParams: {
        ...DEFAULT_RISK_COMPUTE_CONFIG.riskParams,
        lookbackDays: p.config.lookbackDays,
        quantileMethod: p.config.quantileMethod,
        horizonMethod: p.config.horizonMethod,
      },
    },
  };
}

ff.cloudEvent('computePortfolioRisk', computePortfolioRiskHandler(productionDeps));
