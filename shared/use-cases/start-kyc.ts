/**
 * startKyc: starts identity verification for a user, or answers from what is known. A decision (approved or
 * declined) younger than the cache window is returned as is; an inquiry still open with Persona is reused;
 * otherwise an inquiry is created server-side with an Idempotency-Key derived from the request, so a retried
 * call (ours or the caller's) never opens a second inquiry. Only the webhook moves the case: startKyc records
 * the inquiry it created and an audit entry, nothing else.
 */
import type { Principal } from '../ports/caller-identity';
import type { PersonaStartKycRequest } from '../contracts/schema-types';
import { contentId } from '../domain/ids';
import { caseIdOf, isDecided, isOpen, type KycStatus } from '../domain/kyc/case';
import {
  auditId,
  KYC_COLLECTIONS,
  type AuditEntryDoc,
  type InquiryRequestDoc,
  type KycCaseDoc,
} from '../domain/kyc/documents';
import type { PersonaInquiryApi } from '../ports/persona-inquiry-api';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';

export interface StartKycConfig {
  inquiryTemplateId: string;
  cacheHours: number;
}

export interface StartKycDeps {
  store: DocumentStore;
  persona: PersonaInquiryApi;
  clock: Clock;
  logger: Logger;
  config: StartKycConfig;
}

export type StartKycOutcome =
  | { source: 'cache'; userId: string; status: KycStatus; inquiryId: string; decidedAt: string }
  | { source: 'open-inquiry' | 'new-inquiry'; userId: string; status: string; inquiryId: string };

const HOUR = 3_600_000;
const OPEN_WITH_PERSONA = new Set(['created', 'pending']);

/**
 * `caller` is the verified identity of the HTTP caller (the audit trail's actor); `requestedBy` in the request is
 * only what the caller says it acts for, recorded next to it.
 */
export async function startKyc(
  deps: StartKycDeps,
  request: PersonaStartKycRequest,
  idempotencyHeader?: string,
  caller?: Principal,
): Promise<StartKycOutcome> {
  const { userId } = request;
  const now = deps.clock.now();
  const caseId = caseIdOf(userId, '');
  const current = await deps.store.get<KycCaseDoc>(KYC_COLLECTIONS.cases, caseId);

  if (current && !request.forceNew) {
    if (
      isDecided(current.status) &&
      current.decidedAt &&
      now.getTime() - Date.parse(current.decidedAt) < deps.config.cacheHours * HOUR
    ) {
      return {
        source: 'cache',
        userId,
        status: current.status,
        inquiryId: current.inquiryId,
        decidedAt: current.decidedAt,
      };
    }
    if (isOpen(current.status)) {
      // Persona may know more than our last webhook (it may have expired): ask before reusing it.
      const inquiry = await deps.persona.getInquiry(current.inquiryId);
      if (OPEN_WITH_PERSONA.has(inquiry.status))
        return { source: 'open-inquiry', userId, status: inquiry.status, inquiryId: inquiry.id };
    }
  }

  // Same user, template, case state and caller request → same key: Persona returns the first inquiry.
  const idempotencyKey = contentId(
    'kyc-start',
    userId,
    deps.config.inquiryTemplateId,
    current?.inquiryId ?? 'no-inquiry',
    request.forceNew ? `force:${current?.version ?? 0}` : '',
    request.requestId ?? idempotencyHeader ?? '',
  );
  const known = await deps.store.get<InquiryRequestDoc>(KYC_COLLECTIONS.inquiryRequests, idempotencyKey);
  if (known) return { source: 'new-inquiry', userId, status: known.status, inquiryId: known.inquiryId };

  const inquiry = await deps.persona.createInquiry({
    templateId: deps.config.inquiryTemplateId,
    referenceId: userId,
    idempotencyKey,
  });
  const at = now.toISOString();
  const stated = request.requestedBy;
  const requestedBy = caller ? `${caller.id}${stated ? ` (for ${stated})` : ''}` : (stated ?? 'startKyc');
  await deps.store.runTransaction(async (tx) => {
    tx.set(KYC_COLLECTIONS.inquiryRequests, idempotencyKey, {
      userId,
      inquiryId: inquiry.id,
      status: inquiry.status,
      createdAt: at,
      requestedBy,
    } satisfies InquiryRequestDoc);
    tx.set(KYC_COLLECTIONS.audit, auditId(caseId, `start:${inquiry.id}`), {
      caseId,
      at,
      actor: requestedBy,
      action: 'startKyc: inquiry created',
      inquiryId: inquiry.id,
      fromStatus: current?.status ?? null,
      toStatus: current?.status ?? null,
      applied: false,
      reason: request.forceNew
        ? 'forced re-verification'
        : current
          ? `case was ${current.status}`
          : 'new case',
      personaEventId: null,
    } satisfies AuditEntryDoc);
  });
  deps.logger.info('persona inquiry created', { userId, inquiryId: inquiry.id });
  return { source: 'new-inquiry', userId, status: inquiry.status, inquiryId: inquiry.id };
}
