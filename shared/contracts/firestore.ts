/** The Firestore collection names, from their one home (firestore.json). */
import firestore from './firestore.json';

export const FIRESTORE_COLLECTIONS = firestore.collections;

/** Every collection name, for checks against Terraform's TTL policies and the stores' contents. */
export const ALL_COLLECTIONS: string[] = Object.values(firestore.collections).flatMap((area) =>
  Object.values(area),
);

/** Collections of idempotency records Firestore deletes once the Date in `field` has passed (Terraform). */
export const FIRESTORE_TTL = firestore.ttl;

/** Composite indexes the code's queries need (Terraform creates them; the emulator needs none). */
export const FIRESTORE_INDEXES: { collection: string; fields: { field: string; order: string }[] }[] =
  firestore.indexes.list;

/** Fields exempt from Firestore's single-field indexes (Terraform): large values nothing queries. */
export const FIRESTORE_UNINDEXED: { collection: string; field: string }[] = firestore.unindexed.list;
