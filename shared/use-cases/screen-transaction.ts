/**
 * screenTransaction: the synchronous AML check the lending platform calls before executing a transaction. It
 * evaluates (and counts) the transaction exactly as the stream does — recordEvaluation is shared, keyed by the
 * transaction id — and answers from the recorded decision. Delivery (alerts, warehouse rows, cases) is left to
 * evaluateAml: the transaction is published on compliance.transactions.v1 before the answer, so an answer always
 * has its delivery on the way; a failed publish fails the call (the platform holds and retries, which repeats the
 * recorded decision and the publish, without counting again).
 */
import type { SchemaTypes } from '../contracts/schema-types';
import type { AmlTransaction } from '../domain/aml/window';
import { recordEvaluation, type AmlDeps } from './aml-evaluation';

export type ScreenResponse = SchemaTypes['api/screen-transaction-response'];

export async function screenTransaction(deps: AmlDeps, tx: AmlTransaction): Promise<ScreenResponse> {
  const { evaluated, record } = await recordEvaluation(deps, tx, 'screen');
  if (!record.delivered)
    await deps.bus.publish('compliance.transactions.v1', tx, {
      attributes: { transactionId: tx.transactionId, userId: tx.userId, screenedBy: 'screenTransaction' },
    });
  if (record.decision !== 'allow')
    deps.logger.info('transaction screened', {
      transactionId: tx.transactionId,
      decisionId: record.decisionId,
      decision: record.decision,
      rules: record.alerts.map((a) => a.ruleId),
      counted: evaluated,
    });
  return {
    decisionId: record.decisionId,
    transactionId: record.transactionId,
    decision: record.decision,
    rules: record.alerts.map((a) => ({
      ruleId: a.ruleId,
      ruleType: a.ruleType,
      severity: a.severity,
      recommendedAction: a.recommendedAction,
      alertId: a.alertId,
      summary: a.summary,
    })),
    policyVersion: record.policyVersion,
    evaluatedAt: record.evaluatedAt,
    evaluatedBy: record.path,
    counted: evaluated,
  };
}
