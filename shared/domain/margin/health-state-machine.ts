/**
 * Margin-health state per portfolio with hysteresis. Deterioration is never delayed: a score below a
 * threshold moves the portfolio down at once. Recovery must clear the threshold by `recoveryBand` points,
 * so a score hovering around 30 does not flap between MARGIN_CALL and WARNING on every tick.
 */
import {
  classifyHealth,
  DEFAULT_MARGIN_THRESHOLDS,
  type HealthState,
  type MarginThresholds,
} from '../risk/margin';

export interface HysteresisPolicy {
  thresholds: MarginThresholds;
  /** Points above a threshold a score must reach before the portfolio leaves the state below it. */
  recoveryBand: number;
}

export const DEFAULT_HYSTERESIS: HysteresisPolicy = {
  thresholds: DEFAULT_MARGIN_THRESHOLDS,
  recoveryBand: 2,
};

const RANK: Record<HealthState, number> = { HEALTHY: 0, WARNING: 1, MARGIN_CALL: 2, LIQUIDATION: 3 };
const BY_RANK: readonly HealthState[] = ['HEALTHY', 'WARNING', 'MARGIN_CALL', 'LIQUIDATION'];

export function severityRank(state: HealthState): number {
  return RANK[state];
}

export function nextHealthState(
  current: HealthState,
  score: number | null,
  policy: HysteresisPolicy = DEFAULT_HYSTERESIS,
): HealthState {
  if (score === null) return 'HEALTHY'; // nothing borrowed: nothing to call
  const raw = classifyHealth(score, policy.thresholds);
  // Improving goes only as far as the score clears each threshold by the band; deteriorating is never delayed:
  // the worse of what the score says and the current state improved as far as the band allows.
  const cleared = classifyHealth(score - policy.recoveryBand, policy.thresholds);
  return BY_RANK[Math.max(RANK[raw], Math.min(RANK[current], RANK[cleared]))];
}

export function severityOf(to: HealthState): 'INFO' | 'WARNING' | 'CRITICAL' {
  return to === 'LIQUIDATION' || to === 'MARGIN_CALL' ? 'CRITICAL' : to === 'WARNING' ? 'WARNING' : 'INFO';
}
