/**
 * computePortfolioRisk's settings. The defaults are the use case's own (DEFAULT_RISK_COMPUTE_CONFIG), so a
 * deployment that sets nothing computes exactly what the engine documents.
 */
import { DEFAULT_RISK_COMPUTE_CONFIG, type RiskComputeConfig } from '../../domain/risk/config';
import { DEFAULT_MAX_GAP_DAYS, HORIZON_METHODS, QUANTILE_METHODS } from '../../domain/risk/engine';
import { ConfigError, integer, oneOf } from './runtime';

export function readRiskConfig(env: NodeJS.ProcessEnv = process.env): RiskComputeConfig {
  const problems: string[] = [];
  const d = DEFAULT_RISK_COMPUTE_CONFIG;
  const config: RiskComputeConfig = {
    ...d,
    shardCount: integer(env, 'RISK_SHARD_COUNT', d.shardCount, 1, 4096, problems),
    drawdownWindowDays: integer(env, 'RISK_DRAWDOWN_WINDOW_DAYS', d.drawdownWindowDays, 1, 3650, problems),
    riskParams: {
      ...d.riskParams,
      lookbackDays: integer(env, 'RISK_LOOKBACK_DAYS', d.riskParams.lookbackDays, 2, 3650, problems),
      quantileMethod: oneOf(
        env,
        'RISK_QUANTILE_METHOD',
        QUANTILE_METHODS,
        d.riskParams.quantileMethod,
        problems,
      ),
      horizonMethod: oneOf(env, 'RISK_HORIZON_METHOD', HORIZON_METHODS, d.riskParams.horizonMethod, problems),
      maxGapDays: integer(
        env,
        'RISK_MAX_GAP_DAYS',
        d.riskParams.maxGapDays ?? DEFAULT_MAX_GAP_DAYS,
        0,
        30,
        problems,
      ),
    },
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
