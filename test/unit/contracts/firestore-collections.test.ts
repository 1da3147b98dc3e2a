/** Firestore collection names have one home (shared/contracts/firestore.json), beside the TTL policies, which name only them. */
import { ALL_COLLECTIONS, FIRESTORE_COLLECTIONS, FIRESTORE_TTL } from '../../../shared/contracts/firestore';
import { KYC_COLLECTIONS } from '../../../shared/domain/kyc/documents';
import { NOTIFICATION_COLLECTIONS } from '../../../shared/domain/notifications/types';
import { AML_COLLECTIONS } from '../../../shared/use-cases/evaluate-aml';

it('gives every collection a distinct name', () => {
  expect(new Set(ALL_COLLECTIONS).size).toBe(ALL_COLLECTIONS.length);
  expect(ALL_COLLECTIONS.length).toBeGreaterThanOrEqual(20);
});

it('puts TTL policies only on declared collections, the idempotency records', () => {
  const ttl = FIRESTORE_TTL.collections;
  expect(ttl.filter((c) => !ALL_COLLECTIONS.includes(c))).toEqual([]);
  expect(ttl).toEqual(
    expect.arrayContaining([
      FIRESTORE_COLLECTIONS.aml.evaluations,
      FIRESTORE_COLLECTIONS.kyc.webhookEvents,
      FIRESTORE_COLLECTIONS.notifications.sends,
    ]),
  );
});

it('is where each area reads its names from', () => {
  expect(KYC_COLLECTIONS).toBe(FIRESTORE_COLLECTIONS.kyc);
  expect(NOTIFICATION_COLLECTIONS).toBe(FIRESTORE_COLLECTIONS.notifications);
  expect(AML_COLLECTIONS).toBe(FIRESTORE_COLLECTIONS.aml);
});
