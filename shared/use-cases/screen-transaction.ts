/**
 * screenTransaction: the synchronous AML check the lending platform calls before executing a transaction. It
 * evaluates (and counts) the transaction exactly as the stream does — recordEvaluation is shared, keyed by the
 * transaction id — and answers from the recorded decision as soon as it is committed: one Firestore transaction on
 * the answer's path. Delivery (alerts, warehouse rows, cases) comes after the answer: the transaction is published
 * on compliance.transactions.v1 for evaluateAml to deliver, and if that publish never happens (the instance stopped,
 * Pub/Sub failed) watchCases delivers the record within a couple of minutes (deliverPendingEvaluations), since the
 * record holds everything delivery needs.
 */
import type { SchemaTypes } from '../contracts/schema-types';
import type { AmlTransaction } from '../domain/aml/window';
import { recordEvaluation, type AmlDeps } from './aml-evaluation';

export type ScreenResponse = SchemaTypes['api/screen-transaction-response'];

export interface Screened {
  response: ScreenResponse;
  /** Hands the evaluation to the stream for delivery; run after answering (a failure is only logged). */
  handOff(): Promise<void>;
}

export async function screenTransaction(deps: AmlDeps, tx: AmlTransaction): Promise<Screened> {
  const { evaluated, record } = await recordEvaluation(deps, tx, 'screen');
  const handOff = async () => {
    if (record.delivered) return;
    try {
      await deps.bus.publish('compliance.transactions.v1', tx, {
        attributes: { transactionId: tx.transactionId, userId: tx.userId, screenedBy: 'screenTransaction' },
      });
    } catch (err) {
      deps.logger.warn('screened transaction not handed to the stream; the sweep delivers it', {
        transactionId: tx.transactionId,
        error: err,
      });
    }
  };
  if (record.decision !== 'allow')
    deps.logger.info('transaction screened', {
      transactionId: tx.transactionId,
      decisionId: record.decisionId,
      decision: record.decision,
      rules: record.alerts.map((a) => a.ruleId),
      counted: evaluated,
    });
  const response: ScreenResponse = {
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
  return { response, handOff };
}
