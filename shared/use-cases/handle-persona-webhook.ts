/**
 * personaWebhook: a Persona delivery becomes a KYC case update. Order of checks: size, signature (over the
 * raw bytes, within the time tolerance), then JSON and schema; a refusal changes nothing. A valid inquiry
 * event is applied in one transaction together with its idempotency record and an audit entry, so a
 * repeated event id is applied once and an older event never overwrites a newer state. A state change is
 * then recorded in compliance.kyc_events and published on kyc.events.v1; the event record doubles as an
 * outbox, so a delivery that failed after the commit is completed by Persona's retry of the same event.
 * Personal data is encrypted with the Cipher (the case id as AAD) before it reaches the store.
 *
 * The event's and the inquiry's created-at order the case, so an inquiry event dated later than now plus the
 * allowed skew is refused before the case is read (event-time-guard.ts): the operators are alerted and the
 * answer is 503, so Persona keeps the event and delivers it again. It is not dead-lettered here: the body
 * carries personal data in the clear.
 */
import { DEFAULT_PERSONA_WEBHOOK_CONFIG, type PersonaWebhookConfig } from '../domain/kyc/webhook-config';
import { idempotencyExpiry } from '../domain/retention';
import { randomUUID } from 'node:crypto';
import { claimOutboxEntry } from './lease';
import type { KycEventV1, PersonaWebhookEvent } from '../contracts/schema-types';
import { SchemaViolation, validate } from '../contracts/validation';
import {
  caseIdOf,
  decideCase,
  isDecided,
  kycEventId,
  statusOfEvent,
  type CaseDecision,
  type KycStatus,
} from '../domain/kyc/case';
import {
  auditId,
  KYC_COLLECTIONS,
  type AuditEntryDoc,
  type KycCaseDoc,
  type WebhookEventDoc,
  type WebhookEventOutcome,
} from '../domain/kyc/documents';
import { camelizeKeys, HostilePayload } from '../domain/kyc/inflection';
import { splitPersonalData } from '../domain/kyc/personal-data';
import { verifyPersonaSignature, type SignatureRejection } from '../domain/kyc/signature';
import type { Cipher, EncryptedEnvelope } from '../ports/cipher';
import type { SlaPolicy } from '../domain/cases/sla';
import { linkToCase } from './cases/case-store';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';
import { checkEventTimes, type EventTimeGuardDeps } from './event-time-guard';

/** How long the invocation that committed a change may take to announce it before a redelivery takes over. */
const DELIVERY_LEASE_MS = 30_000;

export { DEFAULT_PERSONA_WEBHOOK_CONFIG, type PersonaWebhookConfig };

export interface PersonaWebhookDeps extends EventTimeGuardDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  cipher: Cipher;
  clock: Clock;
  logger: Logger;
  /** The webhook secret(s) we accept; usually one, two while we rotate ours. */
  webhookSecrets: () => Promise<string[]>;
  config: PersonaWebhookConfig;
  /** Deadlines of the compliance cases a review opens (default: DEFAULT_SLA). */
  sla?: SlaPolicy;
  /** Recorded as who changed the case. */
  actor?: string;
}

export interface PersonaDelivery {
  /** The bytes exactly as received. */
  rawBody: Buffer | undefined;
  signatureHeader: string | undefined;
}

export type RefusalReason =
  | SignatureRejection
  | 'too-large'
  | 'not-json'
  | 'hostile'
  | 'schema-violation'
  | 'event-time-in-future'
  | 'event-time-invalid';

export type WebhookResult =
  | { accepted: true; outcome: WebhookEventOutcome | 'duplicate'; caseId: string | null; eventId: string }
  | { accepted: false; reason: RefusalReason; detail?: string };

/** Lists of our own secrets are whitespace-separated in the one secret value. */
export function splitSecrets(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function refuse(reason: RefusalReason, detail?: string): Extract<WebhookResult, { accepted: false }> {
  return { accepted: false, reason, ...(detail ? { detail } : {}) };
}

/** Verifies and decodes a delivery; a refusal says why, and nothing has been read or written yet. */
async function authenticate(
  deps: PersonaWebhookDeps,
  delivery: PersonaDelivery,
): Promise<PersonaWebhookEvent | Extract<WebhookResult, { accepted: false }>> {
  const raw = delivery.rawBody ?? Buffer.alloc(0);
  if (raw.length > deps.config.maxBodyBytes) return refuse('too-large');
  const secrets = await deps.webhookSecrets(); // a Secret Manager outage is transient: 5xx, Persona retries
  const verdict = verifyPersonaSignature({
    header: delivery.signatureHeader,
    rawBody: raw,
    secrets,
    nowSeconds: Math.floor(deps.clock.now().getTime() / 1000),
    toleranceSeconds: deps.config.toleranceSeconds,
  });
  if (!verdict.ok) return refuse(verdict.reason);
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(raw));
  } catch {
    return refuse('not-json');
  }
  try {
    return validate('inputs/persona-webhook-event', camelizeKeys(parsed));
  } catch (err) {
    if (err instanceof HostilePayload) return refuse('hostile', err.message);
    if (err instanceof SchemaViolation)
      return refuse('schema-violation', err.problems.slice(0, 3).join('; '));
    throw err;
  }
}

interface InquiryView {
  inquiryId: string;
  referenceId: string | null;
  inquiryCreatedAt: string;
  attributes: Record<string, unknown>;
  included: unknown[] | undefined;
}

function inquiryOf(event: PersonaWebhookEvent): InquiryView {
  const payload = event.data.attributes.payload;
  const attributes = (payload.data.attributes ?? {}) as Record<string, unknown>;
  const createdAt = attributes.createdAt;
  return {
    inquiryId: payload.data.id,
    referenceId: typeof attributes.referenceId === 'string' ? attributes.referenceId : null,
    inquiryCreatedAt: typeof createdAt === 'string' ? createdAt : event.data.attributes.createdAt,
    attributes,
    included: payload.included,
  };
}

export async function handlePersonaWebhook(
  deps: PersonaWebhookDeps,
  delivery: PersonaDelivery,
): Promise<WebhookResult> {
  const decoded = await authenticate(deps, delivery);
  if ('accepted' in decoded) {
    deps.logger.warn('persona delivery refused', { reason: decoded.reason, detail: decoded.detail });
    return decoded;
  }
  const event = decoded;
  const personaEventId = event.data.id;
  const name = event.data.attributes.name;
  const isoOf = (t: string) => new Date(t).toISOString();
  const logger = deps.logger.child({ personaEventId, personaEvent: name });

  const known = await deps.store.get<WebhookEventDoc>(KYC_COLLECTIONS.webhookEvents, personaEventId);
  if (known) return duplicate(deps, known, logger);

  const status = statusOfEvent(name);
  if (!status) return acknowledgeUnhandled(deps, event, isoOf(event.data.attributes.createdAt), logger);

  const inquiry = inquiryOf(event);
  const caseId = caseIdOf(inquiry.referenceId, inquiry.inquiryId);
  const times = [
    { field: 'createdAt', value: event.data.attributes.createdAt },
    { field: 'inquiryCreatedAt', value: inquiry.inquiryCreatedAt },
  ].map((t) => ({
    ...t,
    sourceTopic: 'persona-webhook',
    subjectKind: 'kyc-case' as const,
    subjectId: caseId,
    eventId: personaEventId,
    messageId: personaEventId,
  }));
  const timeCheck = await checkEventTimes(deps, times);
  if (!timeCheck.accepted) {
    logger.warn('persona delivery refused', { reason: timeCheck.reason, detail: timeCheck.detail, caseId });
    return refuse(timeCheck.reason, timeCheck.detail);
  }
  // Only now: a time the check refused as unreadable (a leap second) would throw here.
  const occurredAt = isoOf(event.data.attributes.createdAt);
  const { personal } = splitPersonalData(inquiry.attributes, inquiry.included);
  // Encrypted before the transaction: KMS is called once, not on every transaction retry.
  const sealed: EncryptedEnvelope | undefined = personal
    ? await deps.cipher.encrypt(Buffer.from(JSON.stringify(personal)), caseId)
    : undefined;
  const now = deps.clock.now().toISOString();
  const actor = deps.actor ?? 'personaWebhook';
  // This invocation's delivery lease: whoever commits the change announces it; a concurrent redelivery of the
  // same event meets the lease and is retried by Persona (503) rather than announcing it a second time.
  const owner = randomUUID();
  const leaseUntil = deps.clock.now().getTime() + DELIVERY_LEASE_MS;

  const result = await deps.store.runTransaction(async (tx) => {
    const seen = await tx.get<WebhookEventDoc>(KYC_COLLECTIONS.webhookEvents, personaEventId);
    if (seen) return { duplicateOf: seen };
    const current = await tx.get<KycCaseDoc>(KYC_COLLECTIONS.cases, caseId);
    const decision: CaseDecision = decideCase(current, {
      eventId: personaEventId,
      occurredAt,
      status,
      inquiryId: inquiry.inquiryId,
      inquiryCreatedAt: inquiry.inquiryCreatedAt,
    });
    const from: KycStatus | null = current?.status ?? null;
    let kycEvent: KycEventV1 | null = null;
    if (decision.apply) {
      const next: KycCaseDoc = {
        caseId,
        referenceId: inquiry.referenceId,
        status,
        inquiryId: inquiry.inquiryId,
        inquiryCreatedAt: inquiry.inquiryCreatedAt,
        lastEventId: personaEventId,
        lastEventAt: occurredAt,
        decidedAt: isDecided(status)
          ? occurredAt
          : decision.reason === 'newer-inquiry'
            ? null
            : (current?.decidedAt ?? null),
        updatedAt: now,
        personalDataFields: personal ? Object.keys(personal).sort() : (current?.personalDataFields ?? []),
        personalData: sealed ?? current?.personalData ?? null,
        version: (current?.version ?? 0) + 1,
      };
      tx.set(KYC_COLLECTIONS.cases, caseId, next);
      if (decision.changed) {
        kycEvent = {
          eventId: kycEventId(caseId, personaEventId),
          caseId,
          inquiryId: inquiry.inquiryId,
          fromStatus: from,
          toStatus: status,
          personaEventId,
          personaEventName: name,
          occurredAt,
          recordedAt: now,
          actor,
        };
      }
    }
    const outcome: WebhookEventOutcome = decision.apply
      ? decision.changed
        ? 'applied'
        : 'unchanged'
      : decision.reason;
    tx.create(KYC_COLLECTIONS.webhookEvents, personaEventId, {
      personaEventId,
      name,
      caseId,
      occurredAt,
      receivedAt: now,
      expireAt: idempotencyExpiry(new Date(now)),
      outcome,
      kycEvent,
      delivered: kycEvent === null,
      ...(kycEvent ? { leaseOwner: owner, leaseUntil } : {}),
    } satisfies WebhookEventDoc);
    tx.set(KYC_COLLECTIONS.audit, auditId(caseId, personaEventId), {
      caseId,
      at: now,
      actor,
      action: `webhook ${name}`,
      inquiryId: inquiry.inquiryId,
      fromStatus: from,
      toStatus: decision.apply ? status : from,
      applied: decision.apply,
      reason: decision.reason,
      personaEventId,
    } satisfies AuditEntryDoc);
    return { outcome, kycEvent };
  });

  if (result.duplicateOf) return duplicate(deps, result.duplicateOf, logger);
  if (result.kycEvent) await deliverOrRelease(deps, result.kycEvent, owner);
  logger.info('persona event handled', { caseId, outcome: result.outcome, status });
  return { accepted: true, outcome: result.outcome, caseId, eventId: personaEventId };
}

/** A valid event this system does not act on (account.*, inquiry.updated-tags...): recorded and acknowledged. */
async function acknowledgeUnhandled(
  deps: PersonaWebhookDeps,
  event: PersonaWebhookEvent,
  occurredAt: string,
  logger: Logger,
): Promise<WebhookResult> {
  const personaEventId = event.data.id;
  const created = await deps.store.createIfAbsent(KYC_COLLECTIONS.webhookEvents, personaEventId, {
    personaEventId,
    name: event.data.attributes.name,
    caseId: null,
    occurredAt,
    receivedAt: deps.clock.now().toISOString(),
    expireAt: idempotencyExpiry(deps.clock.now()),
    outcome: 'ignored',
    kycEvent: null,
    delivered: true,
  } satisfies WebhookEventDoc);
  logger.info('persona event acknowledged without action', { created });
  return {
    accepted: true,
    outcome: created ? 'ignored' : 'duplicate',
    caseId: null,
    eventId: personaEventId,
  };
}

/**
 * A repeated event changes nothing; if its announcement had failed, this is the retry that completes it — once it
 * holds the delivery lease. While another invocation holds it, RetryableError: Persona is answered 503 and comes
 * back, by when the event is delivered or the lease has lapsed (its holder died).
 */
async function duplicate(
  deps: PersonaWebhookDeps,
  doc: WebhookEventDoc,
  logger: Logger,
): Promise<WebhookResult> {
  if (doc.kycEvent && !doc.delivered) {
    const owner = randomUUID();
    const claimed = await claimOutboxEntry<WebhookEventDoc>(deps.store, {
      collection: KYC_COLLECTIONS.webhookEvents,
      id: doc.personaEventId,
      owner,
      nowMs: deps.clock.now().getTime(),
      leaseMs: DELIVERY_LEASE_MS,
      what: 'kyc event',
    });
    if (claimed?.kycEvent) {
      await deliverOrRelease(deps, claimed.kycEvent, owner);
      logger.info('pending kyc event delivered on redelivery', { eventId: claimed.kycEvent.eventId });
    }
  } else {
    logger.info('persona event already handled; ignored', { outcome: doc.outcome });
  }
  return { accepted: true, outcome: 'duplicate', caseId: doc.caseId, eventId: doc.personaEventId };
}

/** Delivers, or gives the lease back at once on failure so Persona's retry need not wait for it to lapse. */
async function deliverOrRelease(deps: PersonaWebhookDeps, e: KycEventV1, owner: string): Promise<void> {
  try {
    await deliver(deps, e);
  } catch (err) {
    await deps.store
      .runTransaction(async (tx) => {
        const doc = await tx.get<WebhookEventDoc>(KYC_COLLECTIONS.webhookEvents, e.personaEventId);
        if (doc && !doc.delivered && doc.leaseOwner === owner)
          tx.set(KYC_COLLECTIONS.webhookEvents, e.personaEventId, { ...doc, leaseUntil: 0 });
      })
      .catch(() => undefined); // the lease lapses by itself
    throw err;
  }
}

/** Warehouse row and message are both idempotent on the event id; then the outbox entry is closed. */
async function deliver(deps: PersonaWebhookDeps, e: KycEventV1): Promise<void> {
  await deps.warehouse.insert('compliance.kyc_events', [
    {
      event_id: e.eventId,
      case_id: e.caseId,
      inquiry_id: e.inquiryId,
      from_status: e.fromStatus,
      to_status: e.toStatus,
      persona_event_id: e.personaEventId,
      persona_event_name: e.personaEventName,
      occurred_at: e.occurredAt,
      recorded_at: e.recordedAt,
      actor: e.actor,
    },
  ]);
  await deps.bus.publish('kyc.events.v1', e, {
    attributes: { eventId: e.eventId, caseId: e.caseId, toStatus: e.toStatus },
  });
  // An inquiry Persona sends to manual review is a compliance officer's to decide: it opens (or joins) the
  // customer's compliance case. The KYC case id is the customer's reference id, the AML paths' user id.
  if (e.toStatus === 'needs_review')
    await linkToCase(
      { store: deps.store, clock: deps.clock, warehouse: deps.warehouse, logger: deps.logger, sla: deps.sla },
      e.caseId,
      {
        kind: 'kyc_review',
        id: e.eventId,
        severity: 'WARNING',
        at: e.occurredAt,
        summary: `KYC inquiry ${e.inquiryId} needs manual review`,
      },
      e.personaEventId,
    );
  const doc = await deps.store.get<WebhookEventDoc>(KYC_COLLECTIONS.webhookEvents, e.personaEventId);
  if (doc) await deps.store.set(KYC_COLLECTIONS.webhookEvents, e.personaEventId, { ...doc, delivered: true });
}
