/**
 * Idempotency records must outlive every redelivery of what they guard (Pub/Sub keeps a message 7 days, Persona
 * retries for about 3), and Firestore's TTL policy deletes them by the Date in `expireAt`.
 */
import {
  EXPIRE_AT_FIELD,
  IDEMPOTENCY_RETENTION_MS,
  idempotencyExpiry,
} from '../../../shared/domain/retention';

const DAY = 86_400_000;

describe('idempotency record retention', () => {
  it('keeps a record 30 days from the moment it is written', () => {
    expect(idempotencyExpiry(new Date('2026-12-04T12:00:00.000Z'))).toEqual(
      new Date('2027-01-03T12:00:00.000Z'),
    );
    expect(IDEMPOTENCY_RETENTION_MS).toBe(30 * DAY);
  });

  it('outlives the longest redelivery window (Pub/Sub retention of 7 days)', () => {
    const written = new Date('2026-02-26T00:00:00.000Z');
    const lastRedelivery = written.getTime() + 7 * DAY;
    expect(idempotencyExpiry(written).getTime()).toBeGreaterThan(lastRedelivery);
  });

  it('does not change the time it was given', () => {
    const written = new Date('2026-12-04T12:00:00.000Z');
    idempotencyExpiry(written);
    expect(written.toISOString()).toBe('2026-12-04T12:00:00.000Z');
  });

  it('names the field the TTL policy watches', () => {
    expect(EXPIRE_AT_FIELD).toBe('expireAt');
  });
});
