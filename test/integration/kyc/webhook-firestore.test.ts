/**
 * The webhook's idempotency against real Firestore transactions (emulator): the same event delivered by
 * several instances at once is applied once, and concurrent events of one case end in the newest state.
 */
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import type { KycEventV1 } from '../../../shared/contracts/schema-types';
import { KYC_COLLECTIONS, type KycCaseDoc } from '../../../shared/domain/kyc/documents';
import { handlePersonaWebhook } from '../../../shared/use-cases/handle-persona-webhook';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { RetryableError } from '../../../shared/platform/errors';
import { event, signed, webhookSetup } from '../../support/kyc-support';

let firestore: FirestoreDocumentStore;

beforeAll(() => {
  firestore = new FirestoreDocumentStore({
    projectId: isolatedProjectId('kyc-fs'),
    emulatorHost: emulatorHosts().firestoreHost,
  });
});
afterAll(() => firestore.close());

function setup(caseSuffix: string) {
  const s = webhookSetup();
  s.deps.store = firestore;
  const over = { referenceId: `user-${caseSuffix}`, id: `inq_${caseSuffix}0001` };
  return { s, over };
}

describe('personaWebhook on Firestore', () => {
  it('applies one event delivered by six instances at once exactly once, and announces it once', async () => {
    const { s, over } = setup('concurrent');
    const body = event('evt_Concurrent1', 'inquiry.approved', '2024-03-15T18:35:00.000Z', over);
    // As Persona does: a delivery answered 503 (another instance is announcing the event) comes back later.
    const deliver = async () => {
      for (;;) {
        try {
          return await handlePersonaWebhook(s.deps, signed(body, s.clock));
        } catch (err) {
          if (!(err instanceof RetryableError)) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const results = await Promise.all(Array.from({ length: 6 }, deliver));
    // Whether a redelivery met the lease depends on timing (`retried`); either way it is announced once.
    const outcomes = results.map((r) => (r.accepted ? r.outcome : r.reason)).sort();
    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(s.bus.on('kyc.events.v1')).toHaveLength(1);
    expect(await firestore.get<KycCaseDoc>(KYC_COLLECTIONS.cases, 'user-concurrent')).toMatchObject({
      status: 'approved',
      version: 1,
    });
  });

  it('ends in the newest state whatever order concurrent events commit in', async () => {
    const { s, over } = setup('racing');
    const names = ['inquiry.created', 'inquiry.started', 'inquiry.completed', 'inquiry.approved'];
    const bodies = names.map((n, i) =>
      event(`evt_Race${i}`, n, new Date(Date.parse('2024-03-15T18:30:00Z') + i * 60_000).toISOString(), over),
    );
    await Promise.all(bodies.reverse().map((b) => handlePersonaWebhook(s.deps, signed(b, s.clock))));
    const c = await firestore.get<KycCaseDoc>(KYC_COLLECTIONS.cases, 'user-racing');
    expect(c).toMatchObject({ status: 'approved', lastEventId: 'evt_Race3' });
    // Every announced change leads somewhere newer than where it came from, and approval is announced once.
    const announced = s.bus.on<KycEventV1>('kyc.events.v1');
    expect(announced.filter((e) => e.toStatus === 'approved')).toHaveLength(1);
    const audit = await firestore.query(KYC_COLLECTIONS.audit, [
      { field: 'caseId', op: '==', value: 'user-racing' },
    ]);
    expect(audit).toHaveLength(4);
  });
});
