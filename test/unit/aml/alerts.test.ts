/** An AML alert from a rule hit, and its warehouse row: ids derived from content, every field carried over. */
import { alertOf, alertRow, amlAlertId } from '../../../shared/domain/aml/alerts';
import { evaluateTransaction } from '../../../shared/domain/aml/rules';
import { onlyRule, tx } from '../../support/aml-fixtures';

const DETECTED = '2025-11-10T12:00:05.000Z';
const large = tx({ transactionId: 'tx-large', amountUsd: 12_500.5, amount: '12500.5' });
const [hit] = evaluateTransaction(onlyRule('large.ctr'), large, []);

describe('AML alerts', () => {
  it('carry the rule, the transaction and what the rule saw, under an id of rule, policy version and transaction', () => {
    const alert = alertOf(hit, 'v7', large, DETECTED);
    expect(alert).toEqual({
      alertId: amlAlertId('large.ctr', 'v7', 'tx-large'),
      ruleId: 'large.ctr',
      ruleType: 'large_transaction',
      policyVersion: 'v7',
      transactionId: 'tx-large',
      userId: 'user-1',
      amountUsd: 12_500.5,
      severity: hit.rule.severity,
      recommendedAction: hit.rule.recommendedAction,
      summary: 'Large transaction: 12,500.5 USD (over 10,000 USD)',
      details: { amountUsd: 12_500.5, thresholdUsd: 10_000 },
      occurredAt: large.occurredAt,
      detectedAt: DETECTED,
    });
    expect(alert.alertId).toMatch(/^aml_[0-9a-f]{32}$/);
    // The same hit on a redelivery has the same id; another policy version is another alert.
    expect(alertOf(hit, 'v7', large, '2025-11-10T13:00:00Z').alertId).toBe(alert.alertId);
    expect(alertOf(hit, 'v8', large, DETECTED).alertId).not.toBe(alert.alertId);
  });

  it('become warehouse rows with the details as JSON and no amount as null', () => {
    const alert = alertOf(hit, 'v7', large, DETECTED);
    expect(alertRow(alert)).toEqual({
      alert_id: alert.alertId,
      rule_id: 'large.ctr',
      rule_type: 'large_transaction',
      policy_version: 'v7',
      transaction_id: 'tx-large',
      user_id: 'user-1',
      amount_usd: 12_500.5,
      severity: alert.severity,
      recommended_action: alert.recommendedAction,
      summary: alert.summary,
      details_json: '{"amountUsd":12500.5,"thresholdUsd":10000}',
      occurred_at: large.occurredAt,
      detected_at: DETECTED,
    });
    const { amountUsd: _amount, ...withoutAmount } = alert;
    expect(alertRow(withoutAmount).amount_usd).toBeNull();
    expect(alertRow({ ...alert, amountUsd: 0 }).amount_usd).toBe(0);
  });
});
