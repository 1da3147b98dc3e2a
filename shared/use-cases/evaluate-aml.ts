/**
 * evaluateAml: one compliance transaction through the AML policy.
 *
 * Exactly-once counting: one Firestore transaction reads the user's window document and the transaction's
 * evaluation record. If the record exists, this is a redelivery (or a concurrent twin that lost the race) and
 * nothing is counted again. Otherwise the rules run on the window as read, the transaction joins the window
 * (pruned to the policy's longest window) and the evaluation record is created with the alerts it produced,
 * all in the same commit. Concurrent invocations for one user contend on the window document, so Firestore
 * serialises them and no count is lost.
 *
 * Delivery is outbox-style: the evaluation record lists its alerts and whether they were delivered. Each
 * alert is written create-if-absent to the document store and published on alerts.aml.v1, then inserted into
 * compliance.aml_alerts (row id = alertId), and the record is marked delivered. Alerts go out before the
 * warehouse row, so a streaming outage does not hold them back; a failed insert marks the record published
 * and throws, Pub/Sub redelivers, and the redelivery writes the rows without publishing again. Any other
 * failure is finished the same way with the same alert ids (consumers dedupe on alertId).
 *
 * Both paths share this: the compliance.transactions.v1 subscription (path 'stream') and the synchronous check
 * screenTransaction (path 'screen'). Whichever sees a transaction id first evaluates and counts it and records the
 * decision; the other finds the record and answers the same decision without counting again. Every evaluation is
 * also a row of compliance.transactions (recordkeeping), and each alert joins its customer's compliance case; a
 * screening hit's case keeps the screened name envelope-encrypted (encrypted before the commit, so the record is
 * all delivery needs).
 *
 * The transaction's occurredAt orders and prunes the window, so one later than now plus the allowed skew is
 * refused before anything is read or written (event-time-guard.ts): dead-lettered, operators alerted.
 */
import { alertRow, type AmlAlert } from '../domain/aml/alerts';
import { SCREENING_RULES } from '../domain/aml/decision';
import type { AmlTransaction } from '../domain/aml/window';
import {
  AML_COLLECTIONS,
  outcomeOf,
  recordEvaluation,
  type AmlDeps,
  type AmlOutcome,
  type EvaluationDoc,
} from './aml-evaluation';
import { linkToCase, type CaseLink } from './cases/case-store';

export {
  AML_COLLECTIONS,
  type AmlDeps,
  type AmlOutcome,
  type EvaluationDoc,
  type WindowDoc,
} from './aml-evaluation';

export async function evaluateAml(
  deps: AmlDeps,
  tx: AmlTransaction,
  delivery: { messageId?: string } = {},
): Promise<AmlOutcome> {
  const { evaluated, record } = await recordEvaluation(deps, tx, 'stream', delivery);
  const outcome = outcomeOf(evaluated, record);
  if (record.delivered) return outcome;
  await deliverEvaluation(deps, record);
  return { ...outcome, delivered: outcome.alertIds, pending: false };
}

/**
 * Store, bus, warehouse, cases, in that order, each idempotent on its id; then the record is closed. The alerts
 * do not wait for the warehouse: a failed insert records that they went out and throws, so the redelivery
 * writes the rows without announcing the alerts again.
 */
export async function deliverEvaluation(deps: AmlDeps, record: EvaluationDoc): Promise<void> {
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
