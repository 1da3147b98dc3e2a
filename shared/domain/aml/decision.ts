/**
 * The answer to "may this transaction go ahead": block when any fired rule recommends blocking, review when any
 * rule fired at all, allow only when none did. The same for the synchronous check and the stream, so the decision
 * recorded by whichever path saw the transaction first is the one both answer. Pure.
 */
import { contentId } from '../ids';
import type { AmlAlert } from './alerts';
import type { CompiledPolicy } from './policy';
import type { AmlTransaction } from './window';
import type { SchemaTypes } from '../../contracts/schema-types';

export type Decision = 'allow' | 'review' | 'block';
export type EvaluationPath = 'screen' | 'stream';
export type TransactionRow = SchemaTypes['warehouse/compliance.transactions'];

export function decisionOf(alerts: readonly Pick<AmlAlert, 'recommendedAction'>[]): Decision {
  if (alerts.some((a) => a.recommendedAction === 'BLOCK')) return 'block';
  return alerts.length > 0 ? 'review' : 'allow';
}

export const decisionIdOf = (transactionId: string): string => contentId('amd', transactionId);

/** Screening rules read the counterparty's name: their hits are where an officer must see what was screened. */
export const SCREENING_RULES: ReadonlySet<string> = new Set(['sanctions_screening', 'pep_screening']);

/** The AAD binding a screened name's ciphertext to its transaction (complianceCases opens it with the same). */
export const screenedNameAad = (transactionId: string): string => `aml-screened-name:${transactionId}`;

/** The recordkeeping row: ids, amounts, geography and kinds of the parties, rules and outcome; no names. */
export function transactionRowOf(
  tx: AmlTransaction,
  e: {
    policy: Pick<CompiledPolicy, 'version' | 'rules'>;
    alerts: readonly AmlAlert[];
    evaluatedAt: string;
    path: EvaluationPath;
  },
): TransactionRow {
  return {
    transaction_id: tx.transactionId,
    decision_id: decisionIdOf(tx.transactionId),
    user_id: tx.userId,
    type: tx.type,
    channel: tx.channel ?? null,
    amount: tx.amount,
    currency: tx.currency,
    amount_usd: tx.amountUsd,
    customer_country: tx.customerCountry ?? null,
    counterparty_kind: tx.counterparty?.kind ?? null,
    counterparty_country: tx.counterparty?.country ?? null,
    counterparty_region: tx.counterparty?.region ?? null,
    account_opened_at: tx.accountOpenedAt,
    occurred_at: tx.occurredAt,
    evaluated_at: e.evaluatedAt,
    policy_version: e.policy.version,
    rules_evaluated: JSON.stringify(e.policy.rules.map((r) => r.id)),
    rules_fired: JSON.stringify(e.alerts.map((a) => a.ruleId)),
    alert_ids: JSON.stringify(e.alerts.map((a) => a.alertId)),
    outcome: decisionOf(e.alerts),
    path: e.path,
  };
}
