/**
 * deliverNotification: one notifications.dispatch.v1 message → at most one accepted provider call.
 *
 * A send record per dispatch id (Firestore `notificationSends/{dispatchId}`) is claimed in a transaction
 * before the provider is called and settled after: `sent` and `failed` are final, so a redelivery or a
 * concurrent duplicate never calls the provider again; a claim held by a live instance makes the duplicate
 * retry later. Provider answers that prove nothing was processed (429, 5xx, connection refused) are retried
 * in process with backoff (Retry-After / X-RateLimit-Reset honoured), then the claim is released and the
 * message handed back to Pub/Sub (its backoff, then the dead-letter topic). Permanent failures (invalid
 * number, other 4xx) are recorded and acknowledged.
 *
 * The trade-off when the outcome is unknown (a timeout after the request left, an instance that died
 * between claim and settle): webhooks are resent with the same webhook-id, which Standard Webhooks
 * receivers de-duplicate (at-least-once, effectively once). E-mail and SMS have no idempotency key at
 * SendGrid or Twilio, so they are NOT resent (at-most-once): the record is marked `unknown`, the attempt
 * logged, and the message dead-lettered for an operator, rather than risking a second margin-call SMS.
 *
 * Every provider call is a row of notifications.deliveries (channel, status, provider code, latency,
 * outcome). The rows are also kept on the send record, so a failed warehouse insert is repaired by the
 * redelivery (inserts are idempotent on attempt_id) without calling the provider again.
 */
import { claimLease, type LeaseOf } from './lease';
import type { KeyedQueue } from '../platform/keyed-queue';
import { idempotencyExpiry } from '../domain/retention';
import { randomUUID } from 'node:crypto';
import { contentId } from '../domain/ids';
import type { NotificationSender } from '../ports/notification-sender';
import {
  DEFAULT_RETRY_POLICY,
  PROVIDER_OF,
  retryDelay,
  type Destination,
  type ProviderResult,
  type RetryPolicy,
} from '../domain/notifications/delivery';
import {
  NOTIFICATION_COLLECTIONS as C,
  WEBHOOK_SECRET_PREFIX,
  type Channel,
  type DeliveryRow,
  type Dispatch,
  type RecipientDoc,
} from '../domain/notifications/types';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';
import type { SecretStore } from '../ports/secret-store';
import type { Warehouse } from '../ports/warehouse';
import { PermanentError, RetryableError } from '../platform/errors';
import { redactText } from '../platform/redact';

export interface DeliverDeps {
  store: DocumentStore;
  warehouse: Warehouse;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
  senders: Record<Channel, NotificationSender>;
  retry?: RetryPolicy;
  /** How long a claim protects an in-flight send; longer than all in-process attempts together. */
  leaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Deliveries of one dispatch in this instance, one at a time (a redelivered alert re-publishes its dispatches
   * while the first ones may still be sending). The second then finds the record settled and acknowledges,
   * instead of finding the claim busy and going back to Pub/Sub for a retry. Across instances the claim decides.
   */
  dispatches?: KeyedQueue;
}

type SendState = 'sending' | 'released' | 'sent' | 'failed' | 'unknown';

interface SendRecord {
  [key: string]: unknown;
  dispatchId: string;
  channel: Channel;
  state: SendState;
  owner: string;
  leaseUntil: number;
  /** Provider calls made so far, across deliveries. */
  attempts: number;
  providerMessageId?: string | null;
  /** Delivery-log rows not yet known to be in the warehouse (idempotent re-insert). */
  rows: DeliveryRow[];
  updatedAt: string;
  /** Firestore TTL: a Date when written (Firestore reads it back as a Timestamp). */
  expireAt?: unknown;
}

export type DeliverOutcome =
  | { status: 'delivered'; providerMessageId: string | null; attempts: number }
  | { status: 'failed'; reason: string; attempts: number }
  | { status: 'already-settled'; state: SendState };

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Where to send: the recipient's current contact for the channel (never carried in the message). */
async function destinationOf(deps: DeliverDeps, d: Dispatch): Promise<Destination | string> {
  const r = await deps.store.get<RecipientDoc>(C.recipients, d.recipientId);
  if (!r) return 'recipient not found';
  const c = r.contacts ?? {};
  if (d.channel === 'email') return c.email ? { channel: 'email', email: c.email } : 'no e-mail address';
  if (d.channel === 'sms') return c.phone ? { channel: 'sms', phone: c.phone } : 'no phone number';
  if (!c.webhook) return 'no webhook endpoint';
  if (!c.webhook.secretName.startsWith(WEBHOOK_SECRET_PREFIX))
    return `webhook secret name outside ${WEBHOOK_SECRET_PREFIX}*`;
  // A missing secret is an operational fault (transient: fixed by creating it), so it throws.
  return { channel: 'webhook', url: c.webhook.url, secret: await deps.secrets.get(c.webhook.secretName) };
}

type SendClaim =
  | { kind: 'claimed'; record: SendRecord; resumedUnknown: boolean }
  | { kind: 'settled'; record: SendRecord }
  | { kind: 'unknown'; record: SendRecord }
  | { kind: 'busy' };

const SEND_LEASE: LeaseOf<SendRecord> = {
  owner: (r) => (r.state === 'sending' ? r.owner : undefined),
  until: (r) => r.leaseUntil,
  leased: (r, owner, until) => ({ ...r, state: 'sending', owner, leaseUntil: until }),
};

async function claim(deps: DeliverDeps, d: Dispatch, owner: string): Promise<SendClaim> {
  const now = deps.clock.now();
  const fresh: SendRecord = {
    dispatchId: d.dispatchId,
    channel: d.channel,
    state: 'sending',
    owner,
    leaseUntil: 0,
    attempts: 0,
    rows: [],
    updatedAt: now.toISOString(),
    expireAt: idempotencyExpiry(now),
  };
  const c = await claimLease(deps.store, {
    collection: C.sends,
    id: d.dispatchId,
    owner,
    nowMs: now.getTime(),
    leaseMs: deps.leaseMs ?? 60_000,
    lease: {
      ...SEND_LEASE,
      // A takeover starts a fresh record that keeps the attempts made and the rows not yet logged.
      leased: (r, o, until) =>
        SEND_LEASE.leased({ ...fresh, attempts: r.attempts ?? 0, rows: r.rows ?? [] }, o, until),
    },
    isSettled: (r) => isSettled(r.state),
    fresh,
    // A lapsed `sending` claim: its instance died mid-call, so the provider may or may not have it. Only a
    // webhook is resent (with the same webhook-id, which receivers de-duplicate); e-mail and SMS are not.
    onLapsed: (r) =>
      d.channel === 'webhook' ? undefined : { ...r, state: 'unknown' as const, updatedAt: now.toISOString() },
  });
  switch (c.kind) {
    case 'claimed':
      return { kind: 'claimed', record: c.doc, resumedUnknown: c.lapsed };
    case 'settled':
      return { kind: 'settled', record: c.doc };
    case 'settled-on-takeover':
      return { kind: 'unknown', record: c.doc };
    case 'busy':
      return { kind: 'busy' };
    case 'absent':
      throw new Error(`send record ${d.dispatchId} vanished while it was being claimed`);
  }
}

const isSettled = (s: SendState) => s === 'sent' || s === 'failed' || s === 'unknown';

/**
 * Writes the settled state. A plain write, not a transaction: only the claim's owner settles while its lease
 * holds, and if the lease lapsed meanwhile, what this instance observed (sent, failed) is still the truth.
 */
async function settle(deps: DeliverDeps, record: SendRecord, patch: Partial<SendRecord>): Promise<void> {
  await deps.store.set(C.sends, record.dispatchId, {
    ...record,
    ...patch,
    updatedAt: deps.clock.now().toISOString(),
  });
}

async function flushRows(deps: DeliverDeps, rows: DeliveryRow[]): Promise<void> {
  if (rows.length)
    await deps.warehouse.insert(
      'notifications.deliveries',
      rows.map((r) => ({ ...r })),
    );
}

function rowOf(
  d: Dispatch,
  owner: string,
  attempt: number,
  result: ProviderResult | { outcome: 'not-sent'; detail: string },
  latencyMs: number,
  at: Date,
): DeliveryRow {
  const base = {
    attempt_id: contentId('na', d.dispatchId, owner, attempt),
    dispatch_id: d.dispatchId,
    alert_id: d.alertId,
    alert_kind: d.kind,
    severity: d.severity,
    recipient_id: d.recipientId,
    channel: d.channel,
    provider: PROVIDER_OF[d.channel],
    attempt,
    latency_ms: Math.round(latencyMs * 10) / 10,
    attempted_at: at.toISOString(),
  };
  switch (result.outcome) {
    case 'accepted':
      return {
        ...base,
        outcome: 'delivered',
        final: true,
        recipient_error: false,
        status_code: result.status,
        provider_code: null,
        provider_message_id: result.providerMessageId,
        detail: null,
      };
    case 'not-sent':
      return {
        ...base,
        outcome: 'permanent_failure',
        final: true,
        recipient_error: true,
        status_code: null,
        provider_code: null,
        provider_message_id: null,
        detail: result.detail,
      };
    default:
      return {
        ...base,
        outcome:
          result.outcome === 'retryable'
            ? 'transient_failure'
            : result.outcome === 'permanent'
              ? 'permanent_failure'
              : 'unknown',
        final: result.outcome === 'permanent',
        recipient_error: result.outcome === 'permanent' && result.recipientError,
        status_code: result.status,
        provider_code: result.code,
        provider_message_id: null,
        detail: redactText(result.detail).slice(0, 300) || null,
      };
  }
}

/**
 * One structured line per attempt, the same facts as its notifications.deliveries row: Cloud Monitoring's
 * log-based metric counts these by channel and outcome for the per-channel success-rate alerts.
 */
export const ATTEMPT_LOG_MESSAGE = 'notification delivery attempt';

function logAttempt(log: Logger, row: DeliveryRow): void {
  log.info(ATTEMPT_LOG_MESSAGE, {
    channel: row.channel,
    outcome: row.outcome,
    provider: row.provider,
    attempt: row.attempt,
    final: row.final,
    recipientError: row.recipient_error,
    statusCode: row.status_code,
    providerCode: row.provider_code,
    latencyMs: row.latency_ms,
  });
}

export function deliverNotification(deps: DeliverDeps, d: Dispatch): Promise<DeliverOutcome> {
  return deps.dispatches ? deps.dispatches.run(d.dispatchId, () => deliver(deps, d)) : deliver(deps, d);
}

async function deliver(deps: DeliverDeps, d: Dispatch): Promise<DeliverOutcome> {
  const owner = randomUUID();
  const log = deps.logger.child({ dispatchId: d.dispatchId, channel: d.channel, recipientId: d.recipientId });
  const claimed = await claim(deps, d, owner);
  if (claimed.kind === 'busy')
    throw new RetryableError(`dispatch ${d.dispatchId} is being sent by another invocation`);
  if (claimed.kind === 'settled') {
    await flushRows(deps, claimed.record.rows); // a previous delivery may have failed to log them
    log.info('dispatch already settled; nothing sent', { state: claimed.record.state });
    return { status: 'already-settled', state: claimed.record.state };
  }
  if (claimed.kind === 'unknown') {
    await flushRows(deps, claimed.record.rows);
    throw new PermanentError(
      `an earlier send of ${d.dispatchId} ended without an answer; not resent (${d.channel} has no provider idempotency)`,
      'delivery-outcome-unknown',
    );
  }
  if (claimed.resumedUnknown) log.warn('resending a webhook whose outcome was unknown (same webhook-id)');

  const policy = deps.retry ?? DEFAULT_RETRY_POLICY;
  const sleep = deps.sleep ?? sleepReal;
  const random = deps.random ?? Math.random;
  const rows: DeliveryRow[] = [...claimed.record.rows];
  let attempts = claimed.record.attempts;

  const destination = await destinationOf(deps, d).catch(async (err: unknown) => {
    await settle(deps, claimed.record, { state: 'released', leaseUntil: 0 });
    throw err;
  });
  if (typeof destination === 'string') {
    const row = rowOf(d, owner, attempts, { outcome: 'not-sent', detail: destination }, 0, deps.clock.now());
    rows.push(row);
    logAttempt(log, row);
    await settle(deps, claimed.record, { state: 'failed', rows });
    await flushRows(deps, rows);
    log.warn('dispatch cannot be delivered; recorded and acknowledged', { reason: destination });
    return { status: 'failed', reason: destination, attempts };
  }

  for (let i = 1; ; i++) {
    attempts++;
    const started = performance.now();
    const at = deps.clock.now();
    const result = await deps.senders[d.channel].send(d, destination);
    const row = rowOf(d, owner, attempts, result, performance.now() - started, at);
    rows.push(row);
    logAttempt(log, row);
    if (result.outcome === 'accepted') {
      await settle(deps, claimed.record, {
        state: 'sent',
        attempts,
        providerMessageId: result.providerMessageId,
        rows,
      });
      await flushRows(deps, rows);
      log.info('notification delivered', { attempts, status: result.status });
      return { status: 'delivered', providerMessageId: result.providerMessageId, attempts };
    }
    if (result.outcome === 'permanent') {
      await settle(deps, claimed.record, { state: 'failed', attempts, rows });
      await flushRows(deps, rows);
      log.warn('notification failed permanently; recorded and acknowledged', {
        status: result.status,
        code: result.code,
        recipientError: result.recipientError,
      });
      return { status: 'failed', reason: `${result.status ?? ''} ${result.code ?? ''}`.trim(), attempts };
    }
    if (result.outcome === 'ambiguous' && d.channel !== 'webhook') {
      await settle(deps, claimed.record, { state: 'unknown', attempts, rows });
      await flushRows(deps, rows);
      throw new PermanentError(
        `no answer from ${PROVIDER_OF[d.channel]} (${result.code ?? 'timeout'}); not resent to avoid a duplicate`,
        'delivery-outcome-unknown',
      );
    }
    // Retryable (or an unanswered webhook, safe to resend under the same webhook-id).
    const wait = retryDelay(
      policy,
      i,
      result.outcome === 'retryable' ? result.retryAfterMs : undefined,
      random,
    );
    if (wait === undefined) {
      await settle(deps, claimed.record, { state: 'released', leaseUntil: 0, attempts, rows });
      await flushRows(deps, rows).catch(() => undefined); // kept on the record; the redelivery logs them
      throw new RetryableError(
        `${PROVIDER_OF[d.channel]} still failing after ${i} attempt(s) (${result.status ?? result.code ?? 'no answer'}); Pub/Sub will redeliver`,
      );
    }
    await sleep(wait);
  }
}
