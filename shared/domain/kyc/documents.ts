/** The KYC documents in the document store, shared by personaWebhook (writer) and startKyc (reader). */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';
import type { KycEventV1 } from '../../contracts/schema-types';
import type { EncryptedEnvelope } from '../envelope';
import type { CaseCursor, KycStatus } from './case';

/**
 * cases: one per case, keyed by the case id; webhookEvents: one per Persona event id received (the idempotency
 * record, written with the case update); audit: who or what changed (or tried to change) a case; inquiryRequests:
 * inquiries startKyc created, keyed by the Idempotency-Key it sent.
 */
export const KYC_COLLECTIONS = FIRESTORE_COLLECTIONS.kyc;

export interface KycCaseDoc extends CaseCursor {
  [key: string]: unknown;
  caseId: string;
  referenceId: string | null;
  /** Persona's created-at of the decision (approved / declined), for the result cache. */
  decidedAt: string | null;
  updatedAt: string;
  /** Names of the personal attributes held encrypted (never their values). */
  personalDataFields: string[];
  /** Personal data, AES-256-GCM under a KMS-wrapped data key, the case id as AAD. */
  personalData: EncryptedEnvelope | null;
  version: number;
}

export type WebhookEventOutcome = 'applied' | 'unchanged' | 'older-event' | 'superseded-inquiry' | 'ignored';

export interface WebhookEventDoc {
  [key: string]: unknown;
  personaEventId: string;
  name: string;
  caseId: string | null;
  occurredAt: string;
  receivedAt: string;
  /**
   * For a Firestore TTL policy on this field: the record only has to outlive Persona's retries (minutes) and
   * manual resends; an event older than the case's last one is ignored by the ordering anyway.
   */
  expireAt: Date;
  outcome: WebhookEventOutcome;
  /** The state change to announce, until it is delivered (outbox). */
  kycEvent: KycEventV1 | null;
  delivered: boolean;
  /** Who is delivering kycEvent, and until when (epoch ms): a concurrent redelivery waits instead of repeating it. */
  leaseOwner?: string;
  leaseUntil?: number;
}

export interface AuditEntryDoc {
  [key: string]: unknown;
  caseId: string;
  at: string;
  actor: string;
  action: string;
  inquiryId: string | null;
  fromStatus: KycStatus | null;
  toStatus: KycStatus | null;
  applied: boolean;
  reason: string;
  personaEventId: string | null;
}

export interface InquiryRequestDoc {
  [key: string]: unknown;
  userId: string;
  inquiryId: string;
  status: string;
  createdAt: string;
  requestedBy: string;
}

/** How long idempotency records are kept before the TTL policy may delete them. */

export function auditId(caseId: string, what: string): string {
  return `${caseId}:${what}`;
}
