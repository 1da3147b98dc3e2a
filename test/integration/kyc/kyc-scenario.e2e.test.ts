/**
 * The KYC scenario through the whole local stack: startKyc and personaWebhook served by the Functions
 * Framework, Firestore and Pub/Sub on their emulators, DuckDB as the warehouse, the local Persona signing
 * real webhooks. Checks what the summary claims against the stores themselves.
 */
import { KYC_COLLECTIONS, type KycCaseDoc } from '../../../shared/domain/kyc/documents';
import { kycScenario } from '../../../local-stack/scenarios/kyc';
import { ManualClock } from '../../../shared/platform/clocks';
import { startTestStack, type TestStack } from '../../support/test-stack';

const PLAINTEXT = [
  'Lindqvist',
  '1984-06-02',
  'Sveavägen',
  'SE9912873',
  'Oyelaran',
  'ES44XK1902',
  'Marchetti',
];

let t: TestStack;
const clock = new ManualClock('2020-03-20T23:59:00Z');

beforeAll(async () => {
  t = await startTestStack('kyc-e2e', { clock });
});
afterAll(() => t?.stop());

describe('KYC scenario through the emulators', () => {
  it('verifies identities, refuses the forged and the replayed delivery, and never stores personal data in clear', async () => {
    await kycScenario.play?.(t.stack, clock);
    await t.stack.settle(800);
    const report = await kycScenario.report(t.stack);
    expect(report.lines.join('\n')).toContain('forged delivery → 401');
    expect(report.ok).toBe(true);
    expect(clock.now().toISOString()).toBe('2020-03-20T23:59:00.000Z'); // handed back as found

    const anna = await t.stack.store.get<KycCaseDoc>(KYC_COLLECTIONS.cases, 'desk-client-anna');
    expect(anna).toMatchObject({ status: 'approved', decidedAt: expect.any(String) });
    const plain = await t.stack.areas.kyc.cipher.decrypt(anna!.personalData!, 'desk-client-anna');
    expect(JSON.parse(plain.toString())).toMatchObject({ nameLast: 'Lindqvist', birthdate: '1984-06-02' });

    // The audit trail names who changed the case, including the late completion that was not applied.
    const audit = await t.stack.store.query<{
      actor: string;
      applied: boolean;
      reason: string;
      action: string;
    }>(KYC_COLLECTIONS.audit, [{ field: 'caseId', op: '==', value: 'desk-client-anna' }]);
    expect(audit.map((a) => a.data.actor)).toEqual(
      expect.arrayContaining(['onboarding@desk.local (for scenario-onboarding)', 'personaWebhook']),
    );
    expect(
      audit.filter((a) => !a.data.applied && a.data.action === 'webhook inquiry.completed'),
    ).toHaveLength(1);

    const rows = await t.stack.warehouse.query<{
      case_id: string;
      from_status: string | null;
      to_status: string;
    }>(
      "SELECT case_id, from_status, to_status FROM compliance.kyc_events WHERE case_id = 'desk-client-anna' ORDER BY occurred_at",
    );
    expect(rows.map((r) => `${r.from_status}→${r.to_status}`)).toEqual([
      'null→created',
      'created→pending',
      'pending→approved',
    ]);

    const everything = JSON.stringify({
      cases: await t.stack.store.query(KYC_COLLECTIONS.cases, []),
      events: await t.stack.store.query(KYC_COLLECTIONS.webhookEvents, []),
      audit: await t.stack.store.query(KYC_COLLECTIONS.audit, []),
      rows: await t.stack.warehouse.query('SELECT * FROM compliance.kyc_events'),
      logs: t.sink.lines,
    });
    for (const p of PLAINTEXT) expect([p, everything.includes(p)]).toEqual([p, false]);
  });
});
