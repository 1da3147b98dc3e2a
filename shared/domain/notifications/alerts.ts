/** Turns the alerts of each source topic into NormalizedAlert: kind, subject, level, escalation. */
import type { AmlAlert, MarginAlert, NormalizedAlert } from './types';
import { severityRank } from './types';

const MARGIN_RANK: Record<MarginAlert['toState'], number> = {
  HEALTHY: 0,
  WARNING: 1,
  MARGIN_CALL: 2,
  LIQUIDATION: 3,
};

/**
 * A margin transition is an escalation when it worsens into an actionable state (margin call or
 * liquidation). HEALTHY → WARNING is a worsening too, but flapping around 50 must stay de-duplicable.
 */
export function normalizeMarginAlert(a: MarginAlert): NormalizedAlert {
  const to = MARGIN_RANK[a.toState];
  return {
    source: 'alerts.margin.v1',
    alertId: a.eventId,
    kind: `margin.${a.toState}`,
    subject: a.portfolioId,
    severity: a.severity,
    level: to,
    escalation: to >= MARGIN_RANK.MARGIN_CALL && to > MARGIN_RANK[a.fromState],
    alert: a,
  };
}

const ACTION_RANK: Record<AmlAlert['recommendedAction'], number> = {
  MANUAL_REVIEW: 0,
  ENHANCED_DUE_DILIGENCE: 1,
  BLOCK: 2,
};

/** AML alerts of one rule for one customer: a blocking recommendation escalates; the level orders them. */
export function normalizeAmlAlert(a: AmlAlert): NormalizedAlert {
  return {
    source: 'alerts.aml.v1',
    alertId: a.alertId,
    kind: `aml.${a.ruleType}`,
    subject: a.userId,
    severity: a.severity,
    level: severityRank(a.severity) * 3 + ACTION_RANK[a.recommendedAction],
    escalation: a.recommendedAction === 'BLOCK',
    alert: a,
  };
}
