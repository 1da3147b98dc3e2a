/**
 * Per-recipient, per-channel token buckets: a flapping portfolio cannot spam anyone. Escalations are never
 * dropped, but they spend a token when there is one, so the noise around them is what gets cut. Pure.
 */
import type { Channel } from './types';

export interface RateLimitPolicy {
  /** Burst: how many notifications may go out back to back. */
  capacity: number;
  /** Sustained rate. */
  perHour: number;
}

export const DEFAULT_RATE_LIMITS: Record<Channel, RateLimitPolicy> = {
  email: { capacity: 10, perHour: 30 },
  sms: { capacity: 5, perHour: 12 },
  webhook: { capacity: 60, perHour: 600 },
};

export interface BucketState {
  [key: string]: unknown;
  tokens: number;
  updatedAt: number;
}

export interface TakeResult {
  allowed: boolean;
  state: BucketState;
}

export function takeToken(
  bucket: BucketState | undefined,
  policy: RateLimitPolicy,
  now: number,
  force = false,
): TakeResult {
  const elapsed = bucket ? Math.max(0, now - bucket.updatedAt) : 0;
  const refill = (elapsed / 3_600_000) * policy.perHour;
  const tokens = Math.min(policy.capacity, (bucket?.tokens ?? policy.capacity) + refill);
  if (tokens >= 1) return { allowed: true, state: { tokens: tokens - 1, updatedAt: now } };
  return { allowed: force, state: { tokens, updatedAt: now } };
}
