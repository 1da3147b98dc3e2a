/**
 * watchCases (every minute): tells the compliance team about cases that became at risk of missing their
 * service-level deadline or missed it; delivers AML evaluations left undelivered (screenTransaction answers before
 * delivery); and mirrors any trail events a failed insert left queued.
 *
 * Publish, then mark: the alert goes out before the case records that it did, with an id derived from the case,
 * the kind and the deadline, so a crash in between repeats the same alert next minute (the fan-out de-duplicates
 * on alert id) instead of losing it. A deadline tightened by a more severe concern is news again.
 */
import type { SchemaTypes } from '../../contracts/schema-types';
import { SEVERITIES, SLA_RANK, slaStateAt, type Severity, type SlaPolicy } from '../../domain/cases/sla';
import { contentId } from '../../domain/ids';
import type { Clock } from '../../ports/clock';
import type { DocumentStore } from '../../ports/document-store';
import type { EventBus } from '../../ports/event-bus';
import type { Logger } from '../../ports/logger';
import type { Warehouse } from '../../ports/warehouse';
import { sweepCaseMirror } from './case-mirror';
import { deliverPendingEvaluations } from '../aml-delivery';
import { CASE_COLLECTIONS, recordSlaNotice, type CaseDoc } from './case-store';

export type CaseAlert = SchemaTypes['messages/alerts.cases.v1'];

export interface WatchCasesDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  sla?: SlaPolicy;
}

export interface WatchOutcome {
  /** Undecided cases at or past their at-risk time. */
  checked: number;
  alerts: { caseId: string; kind: CaseAlert['kind']; alertId: string }[];
  mirrored: number;
  /** AML evaluations delivered late (recorded by the synchronous check, never handed to the stream). */
  lateDeliveries: number;
}

const lower = (s: Severity): Severity => SEVERITIES[Math.max(0, SEVERITIES.indexOf(s) - 1)];

export function caseAlertOf(c: CaseDoc, kind: CaseAlert['kind'], detectedAt: string): CaseAlert {
  return {
    alertId: contentId('cas', c.caseId, kind, c.dueAt),
    kind,
    severity: kind === 'SLA_BREACHED' ? c.severity : lower(c.severity),
    caseId: c.caseId,
    subjectId: c.subjectId,
    caseSeverity: c.severity,
    caseState: c.state as CaseAlert['caseState'],
    assignee: c.status.assignee,
    openedAt: c.openedAt,
    dueAt: c.dueAt,
    detectedAt,
  };
}

export async function watchCases(deps: WatchCasesDeps): Promise<WatchOutcome> {
  const now = deps.clock.now();
  const due = await deps.store.query<CaseDoc>(CASE_COLLECTIONS.cases, [
    { field: 'open', op: '==', value: true },
    { field: 'atRiskAt', op: '<=', value: now.toISOString() },
  ]);
  const alerts: WatchOutcome['alerts'] = [];
  for (const { data: c } of due) {
    const state = slaStateAt(c, now);
    if (state === 'ok' || SLA_RANK[state] <= SLA_RANK[c.slaNotified]) continue;
    const alert = caseAlertOf(c, state === 'breached' ? 'SLA_BREACHED' : 'SLA_AT_RISK', now.toISOString());
    await deps.bus.publish('alerts.cases.v1', alert, {
      attributes: { alertId: alert.alertId, caseId: c.caseId, kind: alert.kind, severity: alert.severity },
    });
    await recordSlaNotice(
      { store: deps.store, clock: deps.clock, warehouse: deps.warehouse, logger: deps.logger },
      c.caseId,
      state,
      alert.alertId,
      `watchCases:${alert.alertId}`,
    );
    alerts.push({ caseId: c.caseId, kind: alert.kind, alertId: alert.alertId });
  }
  // The deadlines matter more than the sweeps' lag: a failing sweep is reported and retried next minute.
  let lateDeliveries = 0;
  try {
    lateDeliveries = await deliverPendingEvaluations(deps);
  } catch (err) {
    deps.logger.error('AML delivery sweep failed; retrying next minute', { error: err });
  }
  let mirrored = 0;
  try {
    mirrored = await sweepCaseMirror({ store: deps.store, warehouse: deps.warehouse });
  } catch (err) {
    deps.logger.error('case trail mirror sweep failed; retrying next minute', { error: err });
  }
  if (alerts.length || mirrored || lateDeliveries)
    deps.logger.info('cases watched', { checked: due.length, alerts, mirrored, lateDeliveries });
  return { checked: due.length, alerts, mirrored, lateDeliveries };
}
