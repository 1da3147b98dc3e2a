/**
 * The AML part of the bundled scenario, played on the stack's clock after the margin replay: a stream of
 * customer transactions on compliance.transactions.v1 with three typologies in it (a structuring run of
 * deposits just under 10,000 USD, a withdrawal to a sanctioned crypto exchange, a burst of transfers) and an
 * ordinary customer, plus one transaction published twice (Pub/Sub redelivery): it must be counted once.
 * The report reads what evaluateAml stored (compliance.aml_alerts and the users' window documents).
 */
import type { AmlTransaction, WindowEntry } from '../../shared/domain/aml/window';
import type { ManualClock } from '../../shared/platform/clocks';
import { AML_COLLECTIONS } from '../../shared/use-cases/evaluate-aml';
import type { LocalStack } from '../stack';
import type { ScenarioPart } from './types';

export const AML_USERS = {
  structuring: 'desk-client-dmitri',
  sanctions: 'desk-client-erin',
  velocity: 'desk-client-farid',
  ordinary: 'desk-client-gina',
} as const;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The scenario's transactions, timed from `start`; the same stream every run. */
export function amlScenarioStream(start: Date): AmlTransaction[] {
  const t = (ms: number) => new Date(start.getTime() + ms).toISOString();
  const opened = (days: number) => new Date(start.getTime() - days * DAY).toISOString();
  const out: AmlTransaction[] = [];
  const add = (tx: Omit<AmlTransaction, 'transactionId'>) =>
    out.push({ transactionId: `scn-aml-${String(out.length + 1).padStart(3, '0')}`, ...tx });
  // Structuring: three USDC deposits of 9,400 / 9,750 / 9,900 USD within six hours.
  for (const [i, usd] of [9400, 9750, 9900].entries()) {
    add({
      userId: AML_USERS.structuring,
      accountOpenedAt: opened(400),
      type: 'DEPOSIT',
      channel: 'CRYPTO',
      amount: usd.toFixed(2),
      currency: 'USDC',
      amountUsd: usd,
      customerCountry: 'DE',
      counterparty: { kind: 'individual', country: 'DE', accountRef: `wallet-d-${i}` },
      occurredAt: t(i * 3 * 60 * MINUTE),
    });
  }
  // Sanctions: a withdrawal to an exchange on the SDN list (spelled as the customer typed it).
  add({
    userId: AML_USERS.sanctions,
    accountOpenedAt: opened(200),
    type: 'WITHDRAWAL',
    channel: 'CRYPTO',
    amount: '2480.55',
    currency: 'USDT',
    amountUsd: 2480.55,
    customerCountry: 'FR',
    counterparty: { name: 'Garantex Europa OU', kind: 'entity', country: 'EE' },
    occurredAt: t(30 * MINUTE),
  });
  // Velocity: eight small transfers out within 21 minutes.
  for (let i = 0; i < 8; i++) {
    add({
      userId: AML_USERS.velocity,
      accountOpenedAt: opened(90),
      type: 'TRANSFER_OUT',
      channel: 'INTERNAL',
      amount: String(150 + i * 35),
      currency: 'USD',
      amountUsd: 150 + i * 35,
      customerCountry: 'GB',
      counterparty: { kind: 'individual', country: 'GB', accountRef: `acct-f-${i}` },
      occurredAt: t(60 * MINUTE + i * 3 * MINUTE),
    });
  }
  // An ordinary customer: nothing to see.
  for (const [i, usd] of [820.4, 1310.25, 455].entries()) {
    add({
      userId: AML_USERS.ordinary,
      accountOpenedAt: opened(700),
      type: i === 1 ? 'LOAN_REPAYMENT' : 'DEPOSIT',
      channel: 'ACH',
      amount: usd.toFixed(2),
      currency: 'USD',
      amountUsd: usd,
      customerCountry: 'US',
      counterparty: { kind: 'individual', country: 'US' },
      occurredAt: t(i * 4 * 60 * MINUTE),
    });
  }
  return out;
}

interface AlertRow {
  [key: string]: unknown;
  alert_id: string;
  rule_id: string;
  user_id: string;
  transaction_id: string;
  severity: string;
  recommended_action: string;
  summary: string;
}

const played: { stream: AmlTransaction[]; duplicate?: string } = { stream: [] };

export const amlScenario: ScenarioPart = {
  name: 'AML',
  async play(stack: LocalStack, clock: ManualClock) {
    // The stream spans eight hours, all before now: evaluateAml refuses transactions dated after now.
    const start = new Date(clock.now().getTime() - 9 * 60 * MINUTE);
    played.stream = amlScenarioStream(start);
    for (const tx of played.stream) await stack.bus.publish('compliance.transactions.v1', tx);
    // Pub/Sub redelivers at least once: the second structuring deposit arrives again.
    const again = played.stream[1];
    played.duplicate = again.transactionId;
    await stack.bus.publish('compliance.transactions.v1', again);
    // Quiet pushes are not enough: an invocation waiting on the emulator's lock of a busy user's window (the
    // burst) can outlast any quiet period, and a lost contention is redelivered later. Wait until every
    // transaction's evaluation is recorded and its alerts delivered.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ids = played.stream.map((tx) => tx.transactionId);
      const docs = await stack.store.getMany<{ delivered: boolean }>(AML_COLLECTIONS.evaluations, ids);
      if (ids.every((id) => docs.get(id)?.delivered)) break;
      if (Date.now() > deadline) break; // the report names what is missing
      await new Promise((r) => setTimeout(r, 200));
    }
    await stack.settle(500);
  },
  async report(stack: LocalStack) {
    if (!played.stream.length) return { lines: [], ok: true };
    const rows = await stack.warehouse.query<AlertRow>(
      'SELECT alert_id, rule_id, user_id, transaction_id, severity, recommended_action, summary FROM compliance.aml_alerts WHERE transaction_id LIKE @prefix ORDER BY transaction_id, rule_id',
      { prefix: 'scn-aml-%' },
    );
    const byUser = (u: string) => rows.filter((r) => r.user_id === u);
    const rules = (u: string) => [...new Set(byUser(u).map((r) => r.rule_id))].sort();
    const structuringWindow = await stack.store.get<{ entries: WindowEntry[] }>(
      AML_COLLECTIONS.windows,
      AML_USERS.structuring,
    );
    const counted = structuringWindow?.entries.filter((e) => e.i === played.duplicate).length ?? 0;
    const checks = {
      structuring: rules(AML_USERS.structuring).includes('structuring.24h'),
      sanctions: byUser(AML_USERS.sanctions).some(
        (r) => r.rule_id === 'sanctions.ofac-sdn' && r.recommended_action === 'BLOCK',
      ),
      velocity: byUser(AML_USERS.velocity).filter((r) => r.rule_id === 'velocity.count.1h').length === 3,
      ordinary: byUser(AML_USERS.ordinary).length === 0,
      once: counted === 1 && structuringWindow?.entries.length === 3,
    };
    const lines = [
      `  ${played.stream.length} transactions (+1 redelivered) → ${rows.length} alerts in compliance.aml_alerts`,
      `  structuring  ${AML_USERS.structuring}: ${rules(AML_USERS.structuring).join(', ') || 'nothing'}`,
      `  sanctions    ${AML_USERS.sanctions}: ${
        byUser(AML_USERS.sanctions)
          .map((r) => `${r.rule_id} → ${r.recommended_action}`)
          .join(', ') || 'nothing'
      }`,
      `  velocity     ${AML_USERS.velocity}: ${byUser(AML_USERS.velocity).length} alert(s) (${rules(AML_USERS.velocity).join(', ') || 'nothing'})`,
      `  ordinary     ${AML_USERS.ordinary}: ${byUser(AML_USERS.ordinary).length} alert(s)`,
      `  redelivered ${played.duplicate} counted ${counted} time(s) in its user's window`,
      ...rows
        .filter((r) => r.severity === 'CRITICAL')
        .map((r) => `  CRITICAL ${r.transaction_id} ${r.summary}`),
    ];
    const failed = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([k]) => k);
    if (failed.length) lines.push(`  NOT SEEN as expected: ${failed.join(', ')}`);
    return { lines, ok: failed.length === 0 };
  },
};
