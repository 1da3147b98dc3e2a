/** Alerts from rule hits: deterministic ids (rule, policy version, transaction) and the warehouse row. */
import type { SchemaTypes } from '../../contracts/schema-types';
import { contentId } from '../ids';
import type { RuleHit } from './rules';
import type { AmlTransaction } from './window';

export type AmlAlert = SchemaTypes['messages/alerts.aml.v1'];
export type AmlAlertRow = SchemaTypes['warehouse/compliance.aml_alerts'];

export function amlAlertId(ruleId: string, policyVersion: string, transactionId: string): string {
  return contentId('aml', ruleId, policyVersion, transactionId);
}

export function alertOf(
  hit: RuleHit,
  policyVersion: string,
  tx: AmlTransaction,
  detectedAt: string,
): AmlAlert {
  return {
    alertId: amlAlertId(hit.rule.id, policyVersion, tx.transactionId),
    ruleId: hit.rule.id,
    ruleType: hit.rule.type,
    policyVersion,
    transactionId: tx.transactionId,
    userId: tx.userId,
    amountUsd: tx.amountUsd,
    severity: hit.rule.severity,
    recommendedAction: hit.rule.recommendedAction,
    summary: hit.summary,
    details: hit.details,
    occurredAt: tx.occurredAt,
    detectedAt,
  };
}

export function alertRow(a: AmlAlert): AmlAlertRow {
  return {
    alert_id: a.alertId,
    rule_id: a.ruleId,
    rule_type: a.ruleType,
    policy_version: a.policyVersion,
    transaction_id: a.transactionId,
    user_id: a.userId,
    amount_usd: a.amountUsd ?? null,
    severity: a.severity,
    recommended_action: a.recommendedAction,
    summary: a.summary,
    details_json: JSON.stringify(a.details),
    occurred_at: a.occurredAt,
    detected_at: a.detectedAt,
  };
}
