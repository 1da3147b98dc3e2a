/** Who is told about an alert: the portfolio's owners for margin alerts, the compliance team for AML. */
import { COMPLIANCE_TEAM, NOTIFICATION_COLLECTIONS, type NormalizedAlert } from './types';

export function audienceOf(alert: Pick<NormalizedAlert, 'source' | 'subject'>): {
  collection: string;
  id: string;
} {
  return alert.source === 'alerts.margin.v1'
    ? { collection: NOTIFICATION_COLLECTIONS.portfolioOwners, id: alert.subject }
    : { collection: NOTIFICATION_COLLECTIONS.teams, id: COMPLIANCE_TEAM };
}

/** Document ids may not contain '/': ids from messages are encoded before they address a document. */
export function docId(...parts: string[]): string {
  return parts.map((p) => encodeURIComponent(p).replace(/\./g, '%2E')).join('.');
}
