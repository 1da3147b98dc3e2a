/**
 * The decision on a transaction (allow / review / block) and the recordkeeping row an examiner reads later:
 * what was evaluated under which policy version, what fired, and the outcome, with no names in it.
 */
import type { AmlAlert } from '../../../shared/domain/aml/alerts';
import {
  decisionIdOf,
  decisionOf,
  SCREENING_RULES,
  screenedNameAad,
  transactionRowOf,
} from '../../../shared/domain/aml/decision';
import { T0, tx } from '../../support/aml-fixtures';

const alert = (ruleId: string, recommendedAction: AmlAlert['recommendedAction']): AmlAlert => ({
  alertId: `aml_${ruleId}`,
  ruleId,
  ruleType: 'velocity_count',
  policyVersion: 'p1',
  transactionId: 'tx-a',
  userId: 'user-1',
  amountUsd: 100,
  severity: 'WARNING',
  recommendedAction,
  summary: 'fired',
  details: {},
  occurredAt: T0,
  detectedAt: T0,
});

describe('the decision on a transaction', () => {
  it('allows a transaction no rule fired on', () => {
    expect(decisionOf([])).toBe('allow');
  });

  it('sends it to review when a rule fired without recommending a block', () => {
    expect(decisionOf([{ recommendedAction: 'MANUAL_REVIEW' }])).toBe('review');
    expect(decisionOf([{ recommendedAction: 'ENHANCED_DUE_DILIGENCE' }])).toBe('review');
  });

  it('blocks it when any fired rule recommends blocking, wherever that rule is in the list', () => {
    expect(decisionOf([{ recommendedAction: 'BLOCK' }])).toBe('block');
    expect(
      decisionOf([
        { recommendedAction: 'MANUAL_REVIEW' },
        { recommendedAction: 'ENHANCED_DUE_DILIGENCE' },
        { recommendedAction: 'BLOCK' },
      ]),
    ).toBe('block');
  });
});

describe('ids and bindings', () => {
  it('gives one decision id per transaction, the same on every path and redelivery', () => {
    expect(decisionIdOf('tx-a')).toMatch(/^amd_[0-9a-f]{32}$/);
    expect(decisionIdOf('tx-a')).toBe(decisionIdOf('tx-a'));
    expect(decisionIdOf('tx-a')).not.toBe(decisionIdOf('tx-b'));
  });

  it('binds a screened name ciphertext to its transaction', () => {
    expect(screenedNameAad('tx-a')).toBe('aml-screened-name:tx-a');
  });

  it('knows the sanctions and PEP rules are the ones that read the counterparty name', () => {
    expect([...SCREENING_RULES].sort()).toEqual(['pep_screening', 'sanctions_screening']);
    expect(SCREENING_RULES.has('velocity_count')).toBe(false);
  });
});

describe('the recordkeeping row', () => {
  const policy = {
    version: '2025-11-01.2',
    rules: [{ id: 'velocity.count.1h' }, { id: 'sanctions.ofac-sdn' }],
  } as Parameters<typeof transactionRowOf>[1]['policy'];

  it('records parties, amounts, rules evaluated and fired, alert ids and the outcome', () => {
    const t = tx({
      transactionId: 'tx-row-1',
      userId: 'user-7',
      type: 'WITHDRAWAL',
      channel: 'CRYPTO',
      amount: '2500.00',
      currency: 'EUR',
      amountUsd: 2710.5,
      customerCountry: 'DE',
      counterparty: { name: 'Ivan Petrov', kind: 'individual', country: 'CY', region: 'Limassol' },
      accountOpenedAt: '2024-02-01T00:00:00Z',
      occurredAt: T0,
    });
    const alerts = [alert('velocity.count.1h', 'MANUAL_REVIEW'), alert('sanctions.ofac-sdn', 'BLOCK')];
    const row = transactionRowOf(t, {
      policy,
      alerts,
      evaluatedAt: '2025-11-10T12:00:01.000Z',
      path: 'screen',
    });
    expect(row).toEqual({
      transaction_id: 'tx-row-1',
      decision_id: decisionIdOf('tx-row-1'),
      user_id: 'user-7',
      type: 'WITHDRAWAL',
      channel: 'CRYPTO',
      amount: '2500.00',
      currency: 'EUR',
      amount_usd: 2710.5,
      customer_country: 'DE',
      counterparty_kind: 'individual',
      counterparty_country: 'CY',
      counterparty_region: 'Limassol',
      account_opened_at: '2024-02-01T00:00:00Z',
      occurred_at: T0,
      evaluated_at: '2025-11-10T12:00:01.000Z',
      policy_version: '2025-11-01.2',
      rules_evaluated: '["velocity.count.1h","sanctions.ofac-sdn"]',
      rules_fired: '["velocity.count.1h","sanctions.ofac-sdn"]',
      alert_ids: '["aml_velocity.count.1h","aml_sanctions.ofac-sdn"]',
      outcome: 'block',
      path: 'screen',
    });
    expect(JSON.stringify(row)).not.toContain('Ivan');
  });

  it('writes null for what the transaction did not say, and allow when nothing fired', () => {
    const t = tx({ transactionId: 'tx-row-2' });
    delete t.channel;
    delete t.customerCountry;
    delete t.counterparty;
    const row = transactionRowOf(t, { policy, alerts: [], evaluatedAt: T0, path: 'stream' });
    expect(row).toMatchObject({
      channel: null,
      customer_country: null,
      counterparty_kind: null,
      counterparty_country: null,
      counterparty_region: null,
      rules_fired: '[]',
      alert_ids: '[]',
      outcome: 'allow',
      path: 'stream',
    });
  });

  it('writes null for a counterparty region or country that is not known', () => {
    const t = tx({ counterparty: { name: 'Acme', kind: 'entity' } });
    const row = transactionRowOf(t, { policy, alerts: [], evaluatedAt: T0, path: 'stream' });
    expect(row).toMatchObject({
      counterparty_kind: 'entity',
      counterparty_country: null,
      counterparty_region: null,
    });
  });
});
