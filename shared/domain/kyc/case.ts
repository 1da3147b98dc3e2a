/**
 * The KYC case state machine. A case is keyed by the inquiry's reference id (our user id) and follows the
 * Persona inquiry lifecycle. Persona delivers events at least once and out of order, so an event only moves
 * the case when it is newer than the last one applied (Persona's created-at, then the lifecycle rank for
 * events of the same instant); events of an inquiry superseded by a newer one are kept in the audit only.
 */
import { contentId } from '../ids';
import type { KycEventV1 } from '../../contracts/schema-types';

export type KycStatus = KycEventV1['toStatus'];

/** Persona event name (kebab- or snake-cased) → the status it puts the inquiry in. */
const EVENT_STATUS: Record<string, KycStatus> = {
  'inquiry.created': 'created',
  'inquiry.started': 'pending',
  'inquiry.completed': 'completed',
  'inquiry.failed': 'failed',
  'inquiry.expired': 'expired',
  'inquiry.marked-for-review': 'needs_review',
  // Some doc versions name it after the status.
  'inquiry.needs-review': 'needs_review',
  'inquiry.approved': 'approved',
  'inquiry.declined': 'declined',
};

/** The status an inquiry event leads to; undefined for events that do not move a case (tags, redaction...). */
export function statusOfEvent(name: string): KycStatus | undefined {
  return EVENT_STATUS[name.replace(/_/g, '-')];
}

/** Lifecycle order, used only to break a tie between events of the same instant. */
const RANK: Record<KycStatus, number> = {
  created: 0,
  pending: 1,
  completed: 2,
  failed: 2,
  expired: 2,
  needs_review: 3,
  approved: 4,
  declined: 4,
};

/** A decision a user can be served from cache (startKyc); failed or expired inquiries can be retried. */
export function isDecided(status: KycStatus): boolean {
  return status === 'approved' || status === 'declined';
}

/** Still waiting for the user (Persona's Created and Pending phases). */
export function isOpen(status: KycStatus): boolean {
  return status === 'created' || status === 'pending';
}

/** Firestore document ids cannot hold '/', so a reference id outside the safe alphabet is hashed. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export function caseIdOf(referenceId: string | null | undefined, inquiryId: string): string {
  if (!referenceId) return inquiryId; // an inquiry created without a reference id is its own case
  return SAFE_ID.test(referenceId) ? referenceId : contentId('ref', referenceId);
}

export function kycEventId(caseId: string, personaEventId: string): string {
  return contentId('kyc', caseId, personaEventId);
}

/** What the case remembers to order the next event. */
export interface CaseCursor {
  status: KycStatus;
  inquiryId: string;
  inquiryCreatedAt: string;
  lastEventId: string;
  lastEventAt: string;
}

export interface IncomingInquiryEvent {
  eventId: string;
  occurredAt: string;
  status: KycStatus;
  inquiryId: string;
  inquiryCreatedAt: string;
}

export type CaseDecision =
  | { apply: true; changed: boolean; reason: 'new-case' | 'newer-event' | 'newer-inquiry' }
  | { apply: false; reason: 'older-event' | 'superseded-inquiry' };

const ms = (iso: string) => Date.parse(iso);

export function decideCase(current: CaseCursor | undefined, e: IncomingInquiryEvent): CaseDecision {
  if (!current) return { apply: true, changed: true, reason: 'new-case' };
  if (e.inquiryId !== current.inquiryId) {
    const newer =
      ms(e.inquiryCreatedAt) > ms(current.inquiryCreatedAt) ||
      (ms(e.inquiryCreatedAt) === ms(current.inquiryCreatedAt) && e.inquiryId > current.inquiryId);
    return newer
      ? { apply: true, changed: e.status !== current.status, reason: 'newer-inquiry' }
      : { apply: false, reason: 'superseded-inquiry' };
  }
  const dt = ms(e.occurredAt) - ms(current.lastEventAt);
  const newer = dt > 0 || (dt === 0 && RANK[e.status] > RANK[current.status]);
  return newer
    ? { apply: true, changed: e.status !== current.status, reason: 'newer-event' }
    : { apply: false, reason: 'older-event' };
}
