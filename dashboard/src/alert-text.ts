/** The alerts panel's words for an alert. Pure (no DOM). */
import type { FeedAlert } from '../../sdk/src/index.js';
import { formatTime } from './format.js';

/**
 * The alert's one-line text: what it is about. A compliance case's service-level alert says so in words (the
 * case, at risk or breached, and when it is due; never the customer); the others show their subject (portfolio,
 * customer id, asset, topic or scope), the kind following in the meta line.
 */
export function alertText(alert: FeedAlert): string {
  if (alert.source === 'alerts.cases.v1') {
    const a = alert.alert;
    const what =
      a.kind === 'SLA_BREACHED' ? 'breached its service level' : 'at risk of missing its service level';
    return `Case ${a.caseId} ${what} (due ${formatTime(a.dueAt)})`;
  }
  return alert.subject;
}
