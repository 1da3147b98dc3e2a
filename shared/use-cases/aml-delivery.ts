/**
 * Delivering a recorded AML evaluation, from the record alone (both paths and the sweep): alerts into the store,
 * onto alerts.aml.v1 and into compliance.aml_alerts, the transaction's compliance.transactions row, each alert into
 * its customer's compliance case; then the record is closed. Every step is idempotent on its id, so a repeated
 * delivery changes nothing.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import { alertRow, type AmlAlert } from '../domain/aml/alerts';
import { SCREENING_RULES } from '../domain/aml/decision';
import type { AmlDeps, EvaluationDoc } from './aml-evaluation';
import { linkToCase, type CaseLink } from './cases/case-store';

const AML_COLLECTIONS = FIRESTORE_COLLECTIONS.aml;

/**
 * Store, bus, warehouse, cases, in that order, each idempotent on its id; then the record is closed. The alerts
 * do not wait for the warehouse: a failed insert records that they went out and throws, so the redelivery
 * writes the rows without announcing the alerts again.
 */
/** What delivering a recorded evaluation needs: no policy, no key (the record holds everything). */
export type DeliveryDeps = Pick<AmlDeps, 'store' | 'bus' | 'warehouse' | 'clock' | 'logger' | 'sla'>;

export async function deliverEvaluation(deps: DeliveryDeps, record: EvaluationDoc): Promise<void> {
  for (const a of record.alerts) await deps.store.createIfAbsent(AML_COLLECTIONS.alerts, a.alertId, { ...a });
  if (!record.published) {
    for (const a of record.alerts) {
      await deps.bus.publish('alerts.aml.v1', a, {
        attributes: {
          alertId: a.alertId,
          userId: a.userId,
          severity: a.severity,
          ruleType: a.ruleType,
          recommendedAction: a.recommendedAction,
        },
      });
    }
  }
  try {
    if (record.alerts.length > 0)
      await deps.warehouse.insert(
        'compliance.aml_alerts',
        record.alerts.map((a) => ({ ...alertRow(a) })),
      );
    await deps.warehouse.insert('compliance.transactions', [record.row]);
    for (const a of record.alerts)
      await linkToCase(
        {
          store: deps.store,
          clock: deps.clock,
          sla: deps.sla,
          warehouse: deps.warehouse,
          logger: deps.logger,
        },
        a.userId,
        caseLinkOf(a, record),
        record.transactionId,
      );
  } catch (err) {
    // Best effort: if this write fails too, the redelivery publishes the same alert ids again.
    if (record.alerts.length > 0 && !record.published)
      await deps.store
        .set(AML_COLLECTIONS.evaluations, record.transactionId, { ...record, published: true })
        .catch(() => undefined);
    deps.logger.warn('AML evaluation delivered in part; the rest on the redelivery', {
      transactionId: record.transactionId,
      alertIds: record.alerts.map((a) => a.alertId),
    });
    throw err;
  }
  await deps.store.set(AML_COLLECTIONS.evaluations, record.transactionId, {
    ...record,
    published: true,
    delivered: true,
  });
  if (record.alerts.length > 0)
    deps.logger.info('AML alerts delivered', {
      transactionId: record.transactionId,
      userId: record.userId,
      policyVersion: record.policyVersion,
      alerts: record.alerts.map((a) => ({ alertId: a.alertId, ruleId: a.ruleId, severity: a.severity })),
    });
}

function caseLinkOf(a: AmlAlert, record: EvaluationDoc): CaseLink {
  const screening = SCREENING_RULES.has(a.ruleType);
  return {
    kind: screening ? 'screening_hit' : 'aml_alert',
    id: a.alertId,
    severity: a.severity,
    at: a.detectedAt,
    ruleId: a.ruleId,
    transactionId: a.transactionId,
    summary: a.summary,
    ...(screening && record.screenedName ? { personal: record.screenedName } : {}),
  };
}

/**
 * Delivers every evaluation still undelivered `olderThanMs` after it was recorded: what the synchronous check
 * recorded and answered but could not hand to the stream (its instance stopped, its publish failed), or what a
 * stream delivery gave up on. Each is delivered from its record alone, idempotently. Returns how many.
 */
export async function deliverPendingEvaluations(deps: DeliveryDeps, olderThanMs = 60_000): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - olderThanMs).toISOString();
  const pending = await deps.store.query<EvaluationDoc>(AML_COLLECTIONS.evaluations, [
    { field: 'delivered', op: '==', value: false },
    { field: 'evaluatedAt', op: '<=', value: cutoff },
  ]);
  for (const { data } of pending) await deliverEvaluation(deps, data);
  if (pending.length)
    deps.logger.warn('AML evaluations delivered late by the sweep', {
      transactionIds: pending.map((p) => p.data.transactionId),
    });
  return pending.length;
}
