/**
 * Evaluating and counting one transaction once, shared by both AML paths (evaluate-aml.ts for the stream,
 * screen-transaction.ts for the synchronous check): one Firestore transaction reads the user's window and the
 * transaction's evaluation record; if the record exists the transaction was seen before (a redelivery, or the
 * other path) and nothing is counted again, else the rules run, the transaction joins the window and the record is
 * created with the alerts, the decision and everything delivery needs, in the same commit.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import { idempotencyExpiry } from '../domain/retention';
import { alertOf, type AmlAlert } from '../domain/aml/alerts';
import {
  decisionIdOf,
  decisionOf,
  SCREENING_RULES,
  screenedNameAad,
  transactionRowOf,
  type Decision,
  type EvaluationPath,
  type TransactionRow,
} from '../domain/aml/decision';
import type { AmlRule, CompiledPolicy } from '../domain/aml/policy';
import { evaluateRule, evaluateTransaction, type RuleHit } from '../domain/aml/rules';
import {
  appendEntry,
  entryOf,
  withoutEntriesAfter,
  type AmlTransaction,
  type WindowEntry,
} from '../domain/aml/window';
import type { SlaPolicy } from '../domain/cases/sla';
import { DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS, latestAcceptedMs } from '../domain/event-time';
import type { Cipher, EncryptedEnvelope } from '../ports/cipher';
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
  /** Encrypts the screened name for the case (the KYC key; encrypt only). */
  cipher: Cipher;
  sla?: SlaPolicy;
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
  decision: Decision;
  decisionId: string;
  /** Which path evaluated (and counted) the transaction. */
  path: EvaluationPath;
  /** The compliance.transactions row, written on delivery. */
  row: TransactionRow;
  /** The counterparty's name as screened, encrypted, when a screening rule fired. */
  screenedName?: EncryptedEnvelope;
  delivered: boolean;
  /** The alerts went out but the rest did not (warehouse outage): the redelivery does not announce them again. */
  published?: boolean;
  /** Firestore TTL: a Date when written (read back as a Timestamp); outlives every redelivery, then goes. */
  expireAt?: unknown;
}

export interface AmlOutcome {
  /** false when the transaction had been evaluated before (a redelivery, or the other path): nothing was counted. */
  evaluated: boolean;
  alertIds: string[];
  /** Alerts delivered by this invocation (a redelivery may finish an earlier, failed delivery). */
  delivered: string[];
  decision: Decision;
  decisionId: string;
  /** The path that evaluated the transaction first. */
  path: EvaluationPath;
  /** The evaluation record is not delivered yet (only returned by recordEvaluation). */
  pending: boolean;
}

/**
 * Evaluates and counts the transaction once (or finds the decision already recorded) without delivering it: the
 * synchronous check answers from this and leaves delivery to the stream.
 */
export async function recordEvaluation(
  deps: AmlDeps,
  tx: AmlTransaction,
  path: EvaluationPath,
  delivery: { messageId?: string } = {},
): Promise<{ evaluated: boolean; record: EvaluationDoc }> {
  const { policy } = deps;
  await requireEventTimes(deps, [
    {
      sourceTopic: path === 'screen' ? 'screen-transaction' : SOURCE_TOPIC,
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
  const { screening, screenedName } = await screenFirst(deps, tx);
  let dropped = 0;
  const result = await deps.store.runTransaction(async (t) => {
    // One read for both: the answer's path is this transaction's round trips.
    const [found, win] = await t.getAll([
      { collection: AML_COLLECTIONS.evaluations, id: tx.transactionId },
      { collection: AML_COLLECTIONS.windows, id: tx.userId },
    ]);
    const existing = found as EvaluationDoc | undefined;
    if (existing) return { evaluated: false, record: existing };
    const window = win as WindowDoc | undefined;
    const stored = window?.entries ?? [];
    const history = withoutEntriesAfter(stored, latest);
    dropped = stored.length - history.length;
    const hits = evaluateTransaction(policy, tx, history, screening);
    const alerts = hits.map((h) => alertOf(h, policy.version, tx, detectedAt));
    const doc: WindowDoc = {
      userId: tx.userId,
      entries: appendEntry(history, entryOf(tx), policy.retentionMs, policy.maxEntriesPerUser),
      updatedAt: detectedAt,
    };
    const screened = alerts.some((a) => SCREENING_RULES.has(a.ruleType));
    const created: EvaluationDoc = {
      transactionId: tx.transactionId,
      userId: tx.userId,
      policyVersion: policy.version,
      evaluatedAt: detectedAt,
      alerts,
      decision: decisionOf(alerts),
      decisionId: decisionIdOf(tx.transactionId),
      path,
      row: transactionRowOf(tx, { policy, alerts, evaluatedAt: detectedAt, path }),
      ...(screened && screenedName ? { screenedName } : {}),
      delivered: false,
      expireAt: idempotencyExpiry(deps.clock.now()),
    };
    t.set(AML_COLLECTIONS.windows, tx.userId, doc);
    t.create(AML_COLLECTIONS.evaluations, tx.transactionId, created);
    return { evaluated: true, record: created };
  });
  const log = {
    transactionId: tx.transactionId,
    userId: tx.userId,
    policyVersion: result.record.policyVersion,
  };
  if (result.evaluated && dropped > 0)
    deps.logger.warn('window entries dated in the future dropped', { ...log, dropped });
  if (!result.evaluated)
    deps.logger.info('transaction already evaluated; not counted again', {
      ...log,
      path: result.record.path,
    });
  return result;
}

/**
 * The screening rules, evaluated once before the store transaction: they read only the transaction (no window), so
 * their hits are final and the transaction (retried on contention) does not screen the name again; and when one
 * fires, the screened name, encrypted before the commit.
 */
async function screenFirst(
  deps: AmlDeps,
  tx: AmlTransaction,
): Promise<{ screening: Map<AmlRule, RuleHit | undefined>; screenedName?: EncryptedEnvelope }> {
  const screening = new Map<AmlRule, RuleHit | undefined>();
  const name = tx.counterparty?.name;
  if (!name) return { screening };
  for (const r of deps.policy.rules)
    if (SCREENING_RULES.has(r.type)) screening.set(r, evaluateRule(deps.policy, r, tx, []));
  if (![...screening.values()].some(Boolean)) return { screening };
  const screenedName = await deps.cipher.encrypt(
    Buffer.from(name, 'utf8'),
    screenedNameAad(tx.transactionId),
  );
  return { screening, screenedName };
}

export function outcomeOf(evaluated: boolean, record: EvaluationDoc): AmlOutcome {
  return {
    evaluated,
    alertIds: record.alerts.map((a) => a.alertId),
    delivered: [],
    decision: record.decision,
    decisionId: record.decisionId,
    path: record.path,
    pending: !record.delivered,
  };
}
