/**
 * What a provider call can end in, and what to do next. Providers are behind NotificationSender; the
 * adapters classify raw answers into ProviderResult, this module decides retry waits. Pure.
 */
import type { Channel } from './types';

export type ProviderName = 'sendgrid' | 'twilio' | 'webhook';

export const PROVIDER_OF: Record<Channel, ProviderName> = {
  email: 'sendgrid',
  sms: 'twilio',
  webhook: 'webhook',
};

export type ProviderResult =
  | { outcome: 'accepted'; status: number; providerMessageId: string | null }
  /** Definitely not processed (429, 5xx, connection refused): safe to send again. */
  | {
      outcome: 'retryable';
      status: number | null;
      code: string | null;
      detail: string;
      /** From Retry-After or X-RateLimit-Reset, when the provider said how long to wait. */
      retryAfterMs?: number;
    }
  /** Will never succeed as is (invalid number, 4xx). recipientError: the contact data is at fault. */
  | {
      outcome: 'permanent';
      status: number | null;
      code: string | null;
      detail: string;
      recipientError: boolean;
    }
  /** No answer after the request may have reached the provider (timeout, reset mid-response). */
  | { outcome: 'ambiguous'; status: null; code: string | null; detail: string };

/** The address a dispatch goes to, read from the recipient document at delivery time. */
export type Destination =
  | { channel: 'email'; email: string }
  | { channel: 'sms'; phone: string }
  | { channel: 'webhook'; url: string; secret: string };

export interface RetryPolicy {
  /** Provider calls within one Pub/Sub delivery before handing back to Pub/Sub. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A provider asking for a longer wait than this ends the in-process retries at once. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxWaitMs: 5_000,
};

/**
 * Wait before attempt n+1 (n ≥ 1): the provider's own hint when it gave one, else full-jitter exponential
 * backoff. undefined = stop retrying in process (attempts used up, or the hint is longer than maxWaitMs).
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if (retryAfterMs !== undefined)
    return retryAfterMs > policy.maxWaitMs ? undefined : Math.max(0, retryAfterMs);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** Retry-After: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
