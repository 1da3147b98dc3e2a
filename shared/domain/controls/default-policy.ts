/**
 * The policy in force when the desk has written none: today's margin thresholds and hysteresis (so margin
 * events behave exactly as before policies existed), negative equity as a hard violation, a pre-trade floor
 * that keeps an action from taking a portfolio into a margin call, a breaker of 5 hard events in 60 s per portfolio, and
 * the price age beyond which a pre-trade check fails closed.
 */
import { DEFAULT_HYSTERESIS } from '../margin/health-state-machine';
import type { RiskPolicy } from './policy';

export const DEFAULT_POLICY_ID = 'default';

export const DEFAULT_RISK_POLICY: RiskPolicy = {
  policyId: DEFAULT_POLICY_ID,
  version: 1,
  description:
    'Built-in default: margin thresholds 50/30/15 with a 2-point recovery band; equity must stay positive.',
  scope: { level: 'global' },
  priority: 0,
  enabled: true,
  effectiveFrom: '2018-01-01T00:00:00Z',
  margin: { ...DEFAULT_HYSTERESIS.thresholds, recoveryBand: DEFAULT_HYSTERESIS.recoveryBand },
  // Per portfolio: one account's repeated breaches halt that account, never the whole platform.
  breaker: { hardEvents: 5, windowSeconds: 60, per: 'portfolio' },
  prices: { maxAgeSeconds: 180 },
  rules: [
    {
      ruleId: 'negative-equity',
      description: 'Borrowed more than the collateral is worth.',
      metric: 'equityUsd',
      operator: '<',
      threshold: 0,
      kind: 'hard',
    },
    {
      ruleId: 'no-action-into-margin-call',
      description:
        'A borrow, withdrawal, swap or trade may not leave the portfolio below the margin-call threshold.',
      metric: 'healthScore',
      operator: '<',
      threshold: DEFAULT_HYSTERESIS.thresholds.marginCall,
      kind: 'hard',
      stages: ['pre-trade'],
    },
    {
      ruleId: 'action-into-warning',
      description: 'An action that leaves the portfolio in the warning band is approved with a warning.',
      metric: 'healthScore',
      operator: '<',
      threshold: DEFAULT_HYSTERESIS.thresholds.warning,
      kind: 'soft',
      stages: ['pre-trade'],
    },
  ],
};
