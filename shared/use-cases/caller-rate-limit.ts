/**
 * A token bucket per caller, in the instance's memory: a runaway dashboard or script cannot starve the desk's
 * other readers. Per instance, so the limit a caller sees is this one times the instances serving it; callers
 * idle long enough to have refilled are forgotten, so memory stays bounded by the active callers.
 */
import { takeToken, type BucketState } from '../domain/notifications/rate-limit';

export class CallerRateLimiter {
  private readonly buckets = new Map<string, BucketState>();
  private readonly policy: { capacity: number; perHour: number };
  private lastSweep = 0;

  constructor(perMinute: number, burst: number) {
    this.policy = { capacity: burst, perHour: perMinute * 60 };
  }

  /** Takes a token for `caller`; when none is left, the seconds until one will be. */
  take(caller: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    this.sweep(nowMs);
    const r = takeToken(this.buckets.get(caller), this.policy, nowMs);
    this.buckets.set(caller, r.state);
    if (r.allowed) return { allowed: true };
    const msPerToken = 3_600_000 / this.policy.perHour;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(((1 - r.state.tokens) * msPerToken) / 1000)),
    };
  }

  private sweep(nowMs: number): void {
    const fullAfterMs = (this.policy.capacity / this.policy.perHour) * 3_600_000;
    if (nowMs - this.lastSweep < fullAfterMs) return;
    this.lastSweep = nowMs;
    for (const [caller, b] of this.buckets)
      if (nowMs - b.updatedAt >= fullAfterMs) this.buckets.delete(caller);
  }
}
