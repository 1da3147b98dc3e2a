/**
 * Compliance cases in Firestore: one open case per subject (customer) that every new concern joins, and every
 * change to a case written with its trail event in the same transaction (the chain's head kept on the case), so a
 * case never changes without its event and two concurrent openers for one subject make one case (the subject
 * document is read in the transaction). Officers' edits carry the version they read: a stale one is a conflict,
 * answered with the current version.
 */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';
import {
  applyCaseAction,
  CaseTransitionError,
  NEW_CASE,
  type Actor,
  type CaseAction,
  type CaseStatus,
} from '../../domain/cases/case-state';
import { chain, type TrailEvent } from '../../domain/cases/trail';
import { contentId } from '../../domain/ids';
import type { Clock } from '../../ports/clock';
import type { DocumentData, DocumentStore, DocumentTransaction } from '../../ports/document-store';

export const CASE_COLLECTIONS = FIRESTORE_COLLECTIONS.cases;

export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';
const RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** What concerns a subject: an AML alert, a KYC inquiry needing review, a screening hit. */
export interface CaseLink {
  kind: 'aml_alert' | 'kyc_review' | 'screening_hit';
  id: string;
  severity: Severity;
  at: string;
}

export interface CaseDoc extends DocumentData {
  caseId: string;
  subjectId: string;
  status: CaseStatus;
  severity: Severity;
  links: CaseLink[];
  openedAt: string;
  updatedAt: string;
  version: number;
  lastSeq: number;
  lastHash: string;
}

interface SubjectDoc extends DocumentData {
  subjectId: string;
  openCaseId: string | null;
}

export interface CaseDeps {
  store: DocumentStore;
  clock: Clock;
}

const eventId = (caseId: string, seq: number) => `${caseId}:${String(seq).padStart(8, '0')}`;

function lastEvent(c: CaseDoc): TrailEvent | undefined {
  // chain() needs only the head's seq and hash.
  return c.lastSeq === 0 ? undefined : ({ seq: c.lastSeq, hash: c.lastHash } as TrailEvent);
}

function record(
  tx: DocumentTransaction,
  c: CaseDoc,
  e: Omit<TrailEvent, 'seq' | 'prevHash' | 'hash' | 'caseId'>,
): CaseDoc {
  const event = chain(lastEvent(c), { ...e, caseId: c.caseId });
  tx.set(CASE_COLLECTIONS.events, eventId(c.caseId, event.seq), { ...event });
  const next: CaseDoc = {
    ...c,
    version: c.version + 1,
    lastSeq: event.seq,
    lastHash: event.hash,
    updatedAt: e.at,
  };
  tx.set(CASE_COLLECTIONS.cases, c.caseId, next);
  return next;
}

/**
 * Links a concern to its subject's open case, opening one when there is none. Idempotent per link id (a redelivered
 * alert changes nothing).
 */
export async function linkToCase(
  deps: CaseDeps,
  subjectId: string,
  link: CaseLink,
  requestId: string,
): Promise<{ caseId: string; outcome: 'opened' | 'joined' | 'already-linked' }> {
  const at = deps.clock.now().toISOString();
  return deps.store.runTransaction(async (tx) => {
    const subject = await tx.get<SubjectDoc>(CASE_COLLECTIONS.subjects, subjectId);
    const open = subject?.openCaseId
      ? await tx.get<CaseDoc>(CASE_COLLECTIONS.cases, subject.openCaseId)
      : undefined;
    if (open && open.status.state !== 'closed') {
      if (open.links.some((l) => l.kind === link.kind && l.id === link.id))
        return { caseId: open.caseId, outcome: 'already-linked' as const };
      const joined: CaseDoc = {
        ...open,
        links: [...open.links, link],
        severity: RANK[link.severity] > RANK[open.severity] ? link.severity : open.severity,
      };
      record(tx, joined, {
        actor: 'system',
        action: `${link.kind}_linked`,
        reasonCode: null,
        before: { links: open.links.length, severity: open.severity },
        after: { links: joined.links.length, severity: joined.severity, link },
        requestId,
        at,
      });
      return { caseId: open.caseId, outcome: 'joined' as const };
    }
    const caseId = contentId('cs', subjectId, link.kind, link.id);
    const fresh: CaseDoc = {
      caseId,
      subjectId,
      status: NEW_CASE,
      severity: link.severity,
      links: [link],
      openedAt: at,
      updatedAt: at,
      version: 0,
      lastSeq: 0,
      lastHash: '',
    };
    tx.set(CASE_COLLECTIONS.subjects, subjectId, { subjectId, openCaseId: caseId } satisfies SubjectDoc);
    record(tx, fresh, {
      actor: 'system',
      action: 'case_opened',
      reasonCode: null,
      before: null,
      after: { state: 'open', severity: link.severity, link },
      requestId,
      at,
    });
    return { caseId, outcome: 'opened' as const };
  });
}

export type ActOutcome =
  | { kind: 'ok'; case: CaseDoc }
  | { kind: 'not-found' }
  | { kind: 'conflict'; currentVersion: number }
  | { kind: 'refused'; code: CaseTransitionError['code']; message: string };

/** An officer's action on a case they read at `expectedVersion`. */
export async function actOnCase(
  deps: CaseDeps,
  caseId: string,
  action: CaseAction,
  actor: Actor,
  expectedVersion: number,
  requestId: string,
): Promise<ActOutcome> {
  const at = deps.clock.now().toISOString();
  return deps.store.runTransaction(async (tx): Promise<ActOutcome> => {
    const c = await tx.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId);
    if (!c) return { kind: 'not-found' };
    if (c.version !== expectedVersion) return { kind: 'conflict', currentVersion: c.version };
    let status: CaseStatus;
    try {
      status = applyCaseAction(c.status, action, actor, at);
    } catch (err) {
      if (err instanceof CaseTransitionError)
        return { kind: 'refused', code: err.code, message: err.message };
      throw err;
    }
    if (status.state === 'closed')
      // A closed case no longer collects concerns: the subject's next alert opens a new one.
      tx.set(CASE_COLLECTIONS.subjects, c.subjectId, {
        subjectId: c.subjectId,
        openCaseId: null,
      } satisfies SubjectDoc);
    else if (c.status.state === 'closed')
      tx.set(CASE_COLLECTIONS.subjects, c.subjectId, {
        subjectId: c.subjectId,
        openCaseId: caseId,
      } satisfies SubjectDoc);
    const next = record(
      tx,
      { ...c, status },
      {
        actor: actor.id,
        action: action.kind,
        reasonCode: 'reasonCode' in action ? action.reasonCode : null,
        before: c.status,
        after: status,
        requestId,
        at,
      },
    );
    return { kind: 'ok', case: next };
  });
}

/** One case's trail, in order. */
export async function readTrail(store: DocumentStore, caseId: string): Promise<TrailEvent[]> {
  const docs = await store.query<TrailEvent & DocumentData>(CASE_COLLECTIONS.events, [
    { field: 'caseId', op: '==', value: caseId },
  ]);
  return docs.map((d) => d.data).sort((a, b) => a.seq - b.seq);
}
