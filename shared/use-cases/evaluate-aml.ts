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
 * alert is written create-if-absent to the document store, inserted into compliance.aml_alerts (row id =
 * alertId) and published on alerts.aml.v1; then the record is marked delivered. A failure anywhere throws,
 * Pub/Sub redelivers, and the redelivery finishes the delivery with the same alert ids (consumers dedupe
 * on alertId, so a repeated publish after a partial failure is harmless).
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import { idempotencyExpiry } from '../domain/retention';
import { alertOf, alertRow, type AmlAlert } from '../domain/aml/alerts';
import type { CompiledPolicy } from '../domain/aml/policy';
import { evaluateTransaction } from '../domain/aml/rules';
import { appendEntry, entryOf, type AmlTransaction, type WindowEntry } from '../domain/aml/window';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';

export interface AmlDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  policy: CompiledPolicy;
}

export const AML_COLLECTIONS = FIRESTORE_COLLECTIONS.aml;

export interface WindowDoc {
  [key: string]: unknown;
  userId: string;
  entries: WindowEntry[];
  updatedAt: string;
}

export interface EvaluationDoc {
  [key: string]: unknown;
  transactionId: string;
  userId: string;
  policyVersion: string;
  evaluatedAt: string;
  alerts: AmlAlert[];
  delivered: boolean;
  /** Firestore TTL: a Date when written (read back as a Timestamp); outlives every redelivery, then goes. */
  expireAt?: unknown;
}

export interface AmlOutcome {
  /** false when the transaction had been evaluated before (a redelivery): nothing was counted. */
  evaluated: boolean;
  alertIds: string[];
  /** Alerts delivered by this invocation (a redelivery may finish an earlier, failed delivery). */
  delivered: string[];
}

export async function evaluateAml(deps: AmlDeps, tx: AmlTransaction): Promise<AmlOutcome> {
  const { policy } = deps;
  const detectedAt = deps.clock.now().toISOString();
  const { evaluated, record } = await deps.store.runTransaction(async (t) => {
    const existing = await t.get<EvaluationDoc>(AML_COLLECTIONS.evaluations, tx.transactionId);
    if (existing) return { evaluated: false, record: existing };
    const window = await t.get<WindowDoc>(AML_COLLECTIONS.windows, tx.userId);
    const history = window?.entries ?? [];
    const hits = evaluateTransaction(policy, tx, history);
    const alerts = hits.map((h) => alertOf(h, policy.version, tx, detectedAt));
    const doc: WindowDoc = {
      userId: tx.userId,
      entries: appendEntry(history, entryOf(tx), policy.retentionMs, policy.maxEntriesPerUser),
      updatedAt: detectedAt,
    };
    const created: EvaluationDoc = {
      transactionId: tx.transactionId,
      userId: tx.userId,
      policyVersion: policy.version,
      evaluatedAt: detectedAt,
      alerts,
      delivered: alerts.length === 0,
      expireAt: idempotencyExpiry(deps.clock.now()),
    };
    t.set(AML_COLLECTIONS.windows, tx.userId, doc);
    t.create(AML_COLLECTIONS.evaluations, tx.transactionId, created);
    return { evaluated: true, record: created };
  });
  const alertIds = record.alerts.map((a) => a.alertId);
  const log = { transactionId: tx.transactionId, userId: tx.userId, policyVersion: record.policyVersion };
  if (!evaluated) deps.logger.info('transaction already evaluated; not counted again', log);
  if (record.delivered) return { evaluated, alertIds, delivered: [] };
  await deliver(deps, record);
  deps.logger.info('AML alerts delivered', {
    ...log,
    alerts: record.alerts.map((a) => ({ alertId: a.alertId, ruleId: a.ruleId, severity: a.severity })),
  });
  return { evaluated, alertIds, delivered: alertIds };
}

/** Store, warehouse, bus, in that order, each idempotent on the alert id; then the record is closed. */
async function deliver(deps: AmlDeps, record: EvaluationDoc): Promise<void> {
  for (const a of record.alerts) await deps.store.createIfAbsent(AML_COLLECTIONS.alerts, a.alertId, { ...a });
  await deps.warehouse.insert(
    'compliance.aml_alerts',
    record.alerts.map((a) => ({ ...alertRow(a) })),
  );
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
  await deps.store.set(AML_COLLECTIONS.evaluations, record.transactionId, { ...record, delivered: true });
}
