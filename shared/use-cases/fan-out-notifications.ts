/**
 * fanOutNotifications: one alert → one notifications.dispatch.v1 message per recipient and channel.
 * For each recipient (portfolio owners for margin alerts, the compliance team for AML alerts, the risk desk's
 * team for price alerts): the channels their preferences allow now (severity floor, quiet hours in their time
 * zone that critical alerts bypass), then
 * one Firestore transaction that decides de-duplication (same kind, subject and recipient within the
 * window is suppressed unless it escalates) and takes rate-limit tokens per channel. The transaction makes
 * the decision atomic across instances: two duplicates at the same instant cannot both pass. A redelivered
 * alert finds its own id in the de-duplication record and re-publishes the same dispatches (deterministic
 * ids), so a crash between the commit and the publish loses nothing.
 */
import { idempotencyExpiry } from '../domain/retention';
import { contentId } from '../domain/ids';
import {
  DEFAULT_DEDUP_WINDOW_MS,
  dedupDecision,
  recordSend,
  recordSuppressed,
  type DedupDecision,
  type DedupState,
} from '../domain/notifications/dedup';
import { selectChannels, type ChannelSelection } from '../domain/notifications/preferences';
import {
  DEFAULT_RATE_LIMITS,
  takeToken,
  type BucketState,
  type RateLimitPolicy,
} from '../domain/notifications/rate-limit';
import { audienceOf, docId } from '../domain/notifications/recipients';
import {
  NOTIFICATION_COLLECTIONS as C,
  type Channel,
  type Dispatch,
  type NormalizedAlert,
  type RecipientDoc,
} from '../domain/notifications/types';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';

export interface FanOutDeps {
  store: DocumentStore;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  dedupWindowMs?: number;
  rateLimits?: Record<Channel, RateLimitPolicy>;
}

export interface RecipientOutcome {
  recipientId: string;
  decision: DedupDecision['verdict'] | 'no-channels' | 'unknown-recipient';
  channels: Channel[];
  skipped: ChannelSelection['skipped'];
  rateLimited: Channel[];
}

export interface FanOutOutcome {
  alertId: string;
  recipients: RecipientOutcome[];
  dispatchIds: string[];
}

export function dispatchIdOf(alertId: string, recipientId: string, channel: Channel): string {
  return contentId('nd', alertId, recipientId, channel);
}

interface RateLimitDoc {
  [key: string]: unknown;
  buckets: Partial<Record<Channel, BucketState>>;
}

async function resolveRecipients(deps: FanOutDeps, alert: NormalizedAlert): Promise<string[]> {
  const where = audienceOf(alert);
  const doc = await deps.store.get<{ recipientIds?: string[] }>(where.collection, where.id);
  return [...new Set(doc?.recipientIds ?? [])];
}

/** The transaction: de-duplication verdict and rate-limit tokens, decided together. */
async function decide(
  deps: FanOutDeps,
  alert: NormalizedAlert,
  recipientId: string,
  wanted: Channel[],
  now: number,
): Promise<{ decision: DedupDecision; granted: Channel[]; rateLimited: Channel[]; at: number }> {
  const windowMs = deps.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
  const dedupKey = docId(alert.kind, alert.subject, recipientId);
  // Both documents are rewritten on every alert; an idle recipient's are deleted by TTL (its buckets are full and
  // its dedup history older than any redelivery by then).
  const expireAt = idempotencyExpiry(new Date(now));
  return deps.store.runTransaction(async (tx) => {
    const state = await tx.get<DedupState>(C.dedup, dedupKey);
    const decision = dedupDecision(state, alert, now, windowMs);
    if (decision.verdict === 'resend')
      return { decision, granted: decision.channels, rateLimited: [], at: decision.at };
    if (decision.verdict === 'suppress') {
      tx.set(C.dedup, dedupKey, { ...recordSuppressed(state, alert.alertId, now, windowMs), expireAt });
      return { decision, granted: [], rateLimited: [], at: now };
    }
    // One document per recipient holds a bucket per channel: one read, one write.
    const limitsDoc = docId(recipientId);
    const buckets = (await tx.get<RateLimitDoc>(C.rateLimits, limitsDoc))?.buckets ?? {};
    const granted: Channel[] = [];
    const rateLimited: Channel[] = [];
    const next: RateLimitDoc['buckets'] = { ...buckets };
    for (const ch of wanted) {
      const taken = takeToken(buckets[ch], limits[ch], now, alert.escalation);
      next[ch] = taken.state;
      (taken.allowed ? granted : rateLimited).push(ch);
    }
    tx.set(C.rateLimits, limitsDoc, { buckets: next, expireAt });
    tx.set(C.dedup, dedupKey, {
      ...(granted.length
        ? recordSend(state, alert, granted, now, windowMs)
        : recordSuppressed(state, alert.alertId, now, windowMs)),
      expireAt,
    });
    return { decision, granted, rateLimited, at: now };
  });
}

function dispatchOf(alert: NormalizedAlert, recipientId: string, channel: Channel, at: number): Dispatch {
  return {
    dispatchId: dispatchIdOf(alert.alertId, recipientId, channel),
    alertId: alert.alertId,
    source: alert.source,
    kind: alert.kind,
    subject: alert.subject,
    severity: alert.severity,
    escalation: alert.escalation,
    recipientId,
    channel,
    alert: alert.alert,
    createdAt: new Date(at).toISOString(),
  };
}

async function fanOutToRecipient(
  deps: FanOutDeps,
  alert: NormalizedAlert,
  recipientId: string,
  doc: RecipientDoc | undefined,
  now: Date,
): Promise<{ outcome: RecipientOutcome; dispatches: Dispatch[] }> {
  const base = { recipientId, channels: [] as Channel[], skipped: [], rateLimited: [] as Channel[] };
  if (!doc) return { outcome: { ...base, decision: 'unknown-recipient' }, dispatches: [] };
  const selection = selectChannels(doc.preferences, doc.contacts ?? {}, alert.severity, now);
  if (selection.send.length === 0)
    return { outcome: { ...base, skipped: selection.skipped, decision: 'no-channels' }, dispatches: [] };
  const { decision, granted, rateLimited, at } = await decide(
    deps,
    alert,
    recipientId,
    selection.send,
    now.getTime(),
  );
  return {
    outcome: {
      recipientId,
      decision: decision.verdict,
      channels: granted,
      skipped: selection.skipped,
      rateLimited,
    },
    dispatches: granted.map((ch) => dispatchOf(alert, recipientId, ch, at)),
  };
}

export async function fanOutNotifications(deps: FanOutDeps, alert: NormalizedAlert): Promise<FanOutOutcome> {
  const now = deps.clock.now();
  const ids = await resolveRecipients(deps, alert);
  if (ids.length === 0) {
    deps.logger.warn('alert has no recipients', { alertId: alert.alertId, kind: alert.kind });
    return { alertId: alert.alertId, recipients: [], dispatchIds: [] };
  }
  const docs = await deps.store.getMany<RecipientDoc>(C.recipients, ids);
  const results = await Promise.all(ids.map((id) => fanOutToRecipient(deps, alert, id, docs.get(id), now)));
  const dispatches = results.flatMap((r) => r.dispatches);
  await Promise.all(
    dispatches.map((d) =>
      deps.bus.publish('notifications.dispatch.v1', d, {
        attributes: { dispatchId: d.dispatchId, channel: d.channel, alertId: d.alertId },
      }),
    ),
  );
  const recipients = results.map((r) => r.outcome);
  deps.logger.info('alert fanned out', {
    alertId: alert.alertId,
    kind: alert.kind,
    escalation: alert.escalation,
    dispatches: dispatches.length,
    recipients: recipients.map((r) => ({
      recipientId: r.recipientId,
      decision: r.decision,
      channels: r.channels,
      skipped: r.skipped,
      rateLimited: r.rateLimited,
    })),
  });
  return { alertId: alert.alertId, recipients, dispatchIds: dispatches.map((d) => d.dispatchId) };
}
