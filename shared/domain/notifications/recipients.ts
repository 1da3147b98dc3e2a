/**
 * Who is told about an alert: the portfolio's owners for margin alerts, the risk desk for price and valuation
 * and risk-control alerts, the operations team for operations alerts, the compliance team for AML and for
 * compliance cases nearing or past their service level.
 */
import {
  COMPLIANCE_TEAM,
  NOTIFICATION_COLLECTIONS,
  OPERATIONS_TEAM,
  RISK_DESK_TEAM,
  type NormalizedAlert,
} from './types';

export function audienceOf(alert: Pick<NormalizedAlert, 'source' | 'subject'>): {
  collection: string;
  id: string;
} {
  if (alert.source === 'alerts.margin.v1')
    return { collection: NOTIFICATION_COLLECTIONS.portfolioOwners, id: alert.subject };
  if (alert.source === 'alerts.prices.v1' || alert.source === 'alerts.risk.v1')
    return { collection: NOTIFICATION_COLLECTIONS.teams, id: RISK_DESK_TEAM };
  if (alert.source === 'alerts.operations.v1')
    return { collection: NOTIFICATION_COLLECTIONS.teams, id: OPERATIONS_TEAM };
  // AML alerts and compliance cases (alerts.aml.v1, alerts.cases.v1).
  return { collection: NOTIFICATION_COLLECTIONS.teams, id: COMPLIANCE_TEAM };
}

/** Document ids may not contain '/': ids from messages are encoded before they address a document. */
export function docId(...parts: string[]): string {
  return parts.map((p) => encodeURIComponent(p).replace(/\./g, '%2E')).join('.');
}
