/** Turns the alerts of each source topic into NormalizedAlert: kind, subject, level, escalation. */
import type {
  AmlAlert,
  CaseAlert,
  MarginAlert,
  NormalizedAlert,
  OperationsAlert,
  PriceAlert,
  RiskAlert,
  Severity,
} from './types';
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

const PRICE_POLICY: Record<PriceAlert['kind'], { severity: Severity; level: number; escalation: boolean }> = {
  // Raised once, when the circuit opens: a transition, never suppressed.
  SOURCE_CIRCUIT_OPEN: { severity: 'CRITICAL', level: 2, escalation: true },
  // Raised again on every tick while the asset has no price: critical (quiet hours do not hold it back), but
  // de-duplicated per asset and rate-limited, so an outage pages the desk once per window, not every minute.
  NO_USABLE_PRICE: { severity: 'CRITICAL', level: 2, escalation: false },
  // A portfolio whose margin health cannot be computed is unmonitored; repeated per tick like NO_USABLE_PRICE.
  PORTFOLIO_NOT_VALUED: { severity: 'CRITICAL', level: 2, escalation: false },
  SOURCES_DISAGREE: { severity: 'WARNING', level: 1, escalation: false },
};

/**
 * Price-feed alerts go to the risk desk: the subject is the asset ('*' for a source's circuit), or the
 * portfolio for PORTFOLIO_NOT_VALUED, so de-duplication works per asset or per portfolio.
 */
export function normalizePriceAlert(a: PriceAlert): NormalizedAlert {
  const policy = PRICE_POLICY[a.kind];
  return {
    source: 'alerts.prices.v1',
    alertId: a.alertId,
    kind: `prices.${a.kind}`,
    subject: a.kind === 'PORTFOLIO_NOT_VALUED' && a.portfolioId ? a.portfolioId : a.asset,
    severity: policy.severity,
    level: policy.level,
    escalation: policy.escalation,
    alert: a,
  };
}

/**
 * Operations alerts go to the operations team. The subject is the source topic, not the portfolio or user: a
 * wrong upstream clock refuses many events at once, and de-duplication then pages once per topic and window.
 */
export function normalizeOperationsAlert(a: OperationsAlert): NormalizedAlert {
  return {
    source: 'alerts.operations.v1',
    alertId: a.alertId,
    kind: `operations.${a.kind}`,
    subject: a.sourceTopic,
    severity: a.severity,
    level: severityRank(a.severity),
    escalation: false,
    alert: a,
  };
}

/**
 * Risk-control alerts go to the risk desk, per scope (global, desk:<id>, portfolio:<id>). A kill-switch change
 * is an escalation whatever its direction: each one is a distinct audited decision the desk must see, so it is
 * never de-duplicated or rate-limited away. Invalid policies are de-duplicated per scope like price outages,
 * limit breaches and clearances per portfolio and rule (a limit flapping around its threshold).
 */
export function normalizeRiskAlert(a: RiskAlert): NormalizedAlert {
  const stop = a.kind === 'STOP_CHANGED';
  // A limit is de-duplicated per rule: a second rule breaking on the same portfolio is news, not a repeat.
  const rule =
    a.kind.startsWith('RISK_LIMIT') && a.ruleId ? `|${a.policyId ?? ''}/${a.ruleId}/${a.asset ?? ''}` : '';
  return {
    source: 'alerts.risk.v1',
    alertId: a.alertId,
    kind: `risk.${a.kind}`,
    subject: `${a.scopeKey}${rule}`,
    severity: stop ? 'CRITICAL' : a.severity,
    level: severityRank(stop ? 'CRITICAL' : a.severity),
    escalation: stop,
    alert: a,
  };
}

const CASE_LEVEL: Record<CaseAlert['kind'], number> = { SLA_AT_RISK: 1, SLA_BREACHED: 2 };

/**
 * Compliance-case service-level alerts go to the compliance team, per case: a repeated at-risk warning for one
 * case is de-duplicated, while the breach that follows it is an escalation and never suppressed. The subject is
 * the case id, never the customer (ids only; the customer's id is opaque, and several cases may share one).
 */
export function normalizeCaseAlert(a: CaseAlert): NormalizedAlert {
  return {
    source: 'alerts.cases.v1',
    alertId: a.alertId,
    kind: `cases.${a.kind}`,
    subject: a.caseId,
    severity: a.severity,
    level: CASE_LEVEL[a.kind],
    escalation: a.kind === 'SLA_BREACHED',
    alert: a,
  };
}
