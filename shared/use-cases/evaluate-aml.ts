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
 * The transaction's occurredAt orders and prunes the window, so one later than now plus the allowed skew is
 * refused before anything is read or written (event-time-guard.ts): dead-lettered, operators alerted.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import { idempotencyExpiry } from '../domain/retention';
import { alertOf, alertRow, type AmlAlert } from '../domain/aml/alerts';
import type { CompiledPolicy } from '../domain/aml/policy';
import { evaluateTransaction } from '../domain/aml/rules';
import {
  appendEntry,
  entryOf,
  withoutEntriesAfter,
  type AmlTransaction,
  type WindowEntry,
} from '../domain/aml/window';
import { DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS, latestAcceptedMs } from '../domain/event-time';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';
import { requireEventTimes, type EventTimeGuardDeps } from './event-time-guard';

export interface AmlDeps extends EventTimeGuardDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  policy: CompiledPolicy;
}

const SOURCE_TOPIC = 'compliance.transactions.v1';

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
  /** The alerts went out but their rows did not (warehouse outage): the redelivery only writes the rows. */
  published?: boolean;
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

export async function evaluateAml(
  deps: AmlDeps,
  tx: AmlTransaction,
  delivery: { messageId?: string } = {},
): Promise<AmlOutcome> {
  const { policy } = deps;
  await requireEventTimes(deps, [
    {
      sourceTopic: SOURCE_TOPIC,
      subjectKind: 'user',
      subjectId: tx.userId,
      eventId: tx.transactionId,
      field: 'occurredAt',
      value: tx.occurredAt,
      messageId: delivery.messageId ?? tx.transactionId,
    },
  ]);
  const now = deps.clock.now();
  const detectedAt = now.toISOString();
  // Entries a guard would refuse today (written before it existed) are no reference for pruning.
  const latest = latestAcceptedMs(
    now.getTime(),
    deps.eventTimeMaxSkewSeconds ?? DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS,
  );
  let dropped = 0;
  const { evaluated, record } = await deps.store.runTransaction(async (t) => {
    const existing = await t.get<EvaluationDoc>(AML_COLLECTIONS.evaluations, tx.transactionId);
    if (existing) return { evaluated: false, record: existing };
    const window = await t.get<WindowDoc>(AML_COLLECTIONS.windows, tx.userId);
    const stored = window?.entries ?? [];
    const history = withoutEntriesAfter(stored, latest);
    dropped = stored.length - history.length;
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
  if (evaluated && dropped > 0)
    deps.logger.warn('window entries dated in the future dropped', { ...log, dropped });
  if (!evaluated) deps.logger.info('transaction already evaluated; not counted again', log);
  if (record.delivered) return { evaluated, alertIds, delivered: [] };
  await deliver(deps, record);
  deps.logger.info('AML alerts delivered', {
    ...log,
    alerts: record.alerts.map((a) => ({ alertId: a.alertId, ruleId: a.ruleId, severity: a.severity })),
  });
  return { evaluated, alertIds, delivered: alertIds };
}

/**
 * Store, bus, warehouse, in that order, each idempotent on the alert id; then the record is closed. The alerts
 * do not wait for the warehouse: a failed insert records that they went out and throws, so the redelivery
 * writes the rows without announcing the alerts again.
 */
async function deliver(deps: AmlDeps, record: EvaluationDoc): Promise<void> {
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
    await deps.warehouse.insert(
      'compliance.aml_alerts',
      record.alerts.map((a) => ({ ...alertRow(a) })),
    );
  } catch (err) {
    // Best effort: if this write fails too, the redelivery publishes the same alert ids again.
    await deps.store
      .set(AML_COLLECTIONS.evaluations, record.transactionId, { ...record, published: true })
      .catch(() => undefined);
    deps.logger.warn('AML alerts published; warehouse rows pending until the redelivery', {
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
}
