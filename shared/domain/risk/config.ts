/** What computePortfolioRisk runs with, and its defaults: the one home of the risk settings' defaults. */
import { DEFAULT_RISK_PARAMS, type RiskParams } from './engine';
import { DEFAULT_MARGIN_THRESHOLDS, type MarginThresholds } from './margin';

export interface RiskComputeConfig {
  shardCount: number;
  riskParams: RiskParams;
  thresholds: MarginThresholds;
  /** A price older than this (vs the tick) no longer values a portfolio. */
  maxPriceAgeMinutes: number;
  /** Daily closes the drawdown looks back over (plus the current valuation); see domain/controls/metrics. */
  drawdownWindowDays: number;
}

export const DEFAULT_RISK_COMPUTE_CONFIG: RiskComputeConfig = {
  shardCount: 16,
  riskParams: DEFAULT_RISK_PARAMS,
  thresholds: DEFAULT_MARGIN_THRESHOLDS,
  maxPriceAgeMinutes: 15,
  drawdownWindowDays: 30,
};
