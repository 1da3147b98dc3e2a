/**
 * How long idempotency records live. They only have to outlast every redelivery of what they guard: Pub/Sub
 * keeps a message at most 7 days (the topology's messageRetentionDuration) and Persona retries a webhook for
 * about 3 days. Firestore deletes a document once the Date in its EXPIRE_AT_FIELD has passed (a TTL policy on
 * that field for each collection listed under ttl in shared/contracts/firestore.json, created by Terraform).
 */
export const EXPIRE_AT_FIELD = 'expireAt';

export const IDEMPOTENCY_RETENTION_MS = 30 * 86_400_000;

/** The expiry of an idempotency record written at `now`. */
export function idempotencyExpiry(now: Date): Date {
  return new Date(now.getTime() + IDEMPOTENCY_RETENTION_MS);
}
