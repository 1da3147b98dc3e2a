/**
 * Compliance cases in Firestore: one open case per subject (customer) that every new concern joins, and every
 * change to a case written with its trail event in the same transaction (the chain's head kept on the case), so a
 * case never changes without its event and two concurrent openers for one subject make one case (the subject
 * document is read in the transaction). Officers' edits carry the version they read: a stale one is a conflict,
 * answered with the current version.
 *
 * Each trail event is also queued for the warehouse mirror (compliance.case_events) in the same transaction: the
 * writer inserts it right after the commit, and watchCases sweeps whatever a failed insert left behind, so the
 * mirror catches up without a second source of truth.
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
import {
  DEFAULT_SLA,
  SEVERITY_RANK,
  tightenSla,
  type Severity,
  type SlaPolicy,
  type SlaState,
} from '../../domain/cases/sla';
import { chain, type TrailEvent } from '../../domain/cases/trail';
import type { EncryptedEnvelope } from '../../domain/envelope';
import { contentId } from '../../domain/ids';
import type { Clock } from '../../ports/clock';
import type { DocumentData, DocumentStore, DocumentTransaction } from '../../ports/document-store';
import type { Logger } from '../../ports/logger';
import type { Warehouse } from '../../ports/warehouse';
import { flushCaseMirror, mirrorRowOf, type CaseEventRow } from './case-mirror';

export const CASE_COLLECTIONS = FIRESTORE_COLLECTIONS.cases;
export type { Severity };

/** What concerns a subject: an AML alert, a KYC inquiry needing review, a screening hit. */
export interface CaseLink {
  kind: 'aml_alert' | 'kyc_review' | 'screening_hit';
  id: string;
  severity: Severity;
  at: string;
  /** The AML rule that fired (false-positive rate per rule). */
  ruleId?: string;
  transactionId?: string;
  /** One line without personal data (the alert's summary, the inquiry's status). */
  summary?: string;
  /** What was screened (the counterparty's name), envelope-encrypted with the KYC key: never in clear. */
  personal?: EncryptedEnvelope;
}

export interface CaseDoc extends DocumentData {
  caseId: string;
  subjectId: string;
  status: CaseStatus;
  /** status.state and whether it is not closed, kept at the top for the queue's queries. */
  state: CaseStatus['state'];
  open: boolean;
  severity: Severity;
  links: CaseLink[];
  /** AML rule ids of the linked alerts. */
  rules: string[];
  openedAt: string;
  updatedAt: string;
  dueAt: string;
  atRiskAt: string;
  /** The worst service-level state the compliance team has been told about. */
  slaNotified: SlaState;
  firstTouchedAt: string | null;
  decidedAt: string | null;
  notes: number;
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
  sla?: SlaPolicy;
  /** When given, events are mirrored right after each commit (else only by the sweep). */
  warehouse?: Warehouse;
  logger?: Logger;
}

export const eventIdOf = (caseId: string, seq: number) => `${caseId}:${String(seq).padStart(8, '0')}`;

function lastEvent(c: CaseDoc): TrailEvent | undefined {
  // chain() needs only the head's seq and hash.
  return c.lastSeq === 0 ? undefined : ({ seq: c.lastSeq, hash: c.lastHash } as TrailEvent);
}

type EventInput = Omit<TrailEvent, 'seq' | 'prevHash' | 'hash' | 'caseId'>;

/** Writes the case with its next trail event (and the event's mirror row) in `tx`. */
function record(
  tx: DocumentTransaction,
  c: CaseDoc,
  e: EventInput,
  rows: CaseEventRow[],
  opts: { bumpVersion: boolean } = { bumpVersion: true },
): CaseDoc {
  const event = chain(lastEvent(c), { ...e, caseId: c.caseId });
  const id = eventIdOf(c.caseId, event.seq);
  const next: CaseDoc = {
    ...c,
    version: c.version + (opts.bumpVersion ? 1 : 0),
    lastSeq: event.seq,
    lastHash: event.hash,
    updatedAt: e.at,
  };
  const row = mirrorRowOf(id, event, next);
  tx.set(CASE_COLLECTIONS.events, id, { ...event });
  tx.set(CASE_COLLECTIONS.mirror, id, { ...row });
  tx.set(CASE_COLLECTIONS.cases, c.caseId, next);
  rows.push(row);
  return next;
}

async function mirrorNow(deps: CaseDeps, rows: CaseEventRow[]): Promise<void> {
  if (!deps.warehouse || rows.length === 0) return;
  try {
    await flushCaseMirror({ store: deps.store, warehouse: deps.warehouse }, rows);
  } catch (err) {
    // The queued rows stay; watchCases inserts them on its next run.
    deps.logger?.warn('case events not mirrored yet; the sweep will retry', {
      eventIds: rows.map((r) => r.event_id),
      error: err,
    });
  }
}

/**
 * Runs `fn` as one store transaction collecting the mirror rows of the events it writes (reset on each retry),
 * then mirrors them once it has committed.
 */
async function caseTransaction<R>(
  deps: CaseDeps,
  fn: (tx: DocumentTransaction, rows: CaseEventRow[]) => Promise<R>,
): Promise<R> {
  const rows: CaseEventRow[] = [];
  const result = await deps.store.runTransaction(async (tx) => {
    rows.length = 0;
    return fn(tx, rows);
  });
  await mirrorNow(deps, rows);
  return result;
}

/** The trail's view of a link: whether it carries personal data, never the ciphertext. */
function linkForTrail(link: CaseLink): Record<string, unknown> {
  const { personal, ...rest } = link;
  return { ...rest, personalData: personal !== undefined };
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
  const sla = deps.sla ?? DEFAULT_SLA;
  return caseTransaction(deps, async (tx, rows) => {
    const subject = await tx.get<SubjectDoc>(CASE_COLLECTIONS.subjects, subjectId);
    const open = subject?.openCaseId
      ? await tx.get<CaseDoc>(CASE_COLLECTIONS.cases, subject.openCaseId)
      : undefined;
    if (open && open.open) {
      if (open.links.some((l) => l.kind === link.kind && l.id === link.id))
        return { caseId: open.caseId, outcome: 'already-linked' as const };
      const clock = tightenSla(open, link.severity, at, sla);
      const joined: CaseDoc = {
        ...open,
        links: [...open.links, link],
        rules: link.ruleId && !open.rules.includes(link.ruleId) ? [...open.rules, link.ruleId] : open.rules,
        severity: SEVERITY_RANK[link.severity] > SEVERITY_RANK[open.severity] ? link.severity : open.severity,
        dueAt: clock.dueAt,
        atRiskAt: clock.atRiskAt,
        // A tighter deadline is news again.
        slaNotified: clock.dueAt === open.dueAt ? open.slaNotified : 'ok',
      };
      record(
        tx,
        joined,
        {
          actor: 'system',
          action: `${link.kind}_linked`,
          reasonCode: null,
          before: { links: open.links.length, severity: open.severity, dueAt: open.dueAt },
          after: {
            links: joined.links.length,
            severity: joined.severity,
            dueAt: joined.dueAt,
            link: linkForTrail(link),
          },
          requestId,
          at,
        },
        rows,
      );
      return { caseId: open.caseId, outcome: 'joined' as const };
    }
    const caseId = contentId('cs', subjectId, link.kind, link.id);
    const clock = tightenSla(null, link.severity, at, sla);
    const fresh: CaseDoc = {
      caseId,
      subjectId,
      status: NEW_CASE,
      state: NEW_CASE.state,
      open: true,
      severity: link.severity,
      links: [link],
      rules: link.ruleId ? [link.ruleId] : [],
      openedAt: at,
      updatedAt: at,
      dueAt: clock.dueAt,
      atRiskAt: clock.atRiskAt,
      slaNotified: 'ok',
      firstTouchedAt: null,
      decidedAt: null,
      notes: 0,
      version: 0,
      lastSeq: 0,
      lastHash: '',
    };
    tx.set(CASE_COLLECTIONS.subjects, subjectId, { subjectId, openCaseId: caseId } satisfies SubjectDoc);
    record(
      tx,
      fresh,
      {
        actor: 'system',
        action: 'case_opened',
        reasonCode: null,
        before: null,
        after: { state: 'open', severity: link.severity, dueAt: clock.dueAt, link: linkForTrail(link) },
        requestId,
        at,
      },
      rows,
    );
    return { caseId, outcome: 'opened' as const };
  });
}

export type ActOutcome =
  | { kind: 'ok'; case: CaseDoc }
  | { kind: 'not-found' }
  | { kind: 'conflict'; currentVersion: number }
  | { kind: 'refused'; code: CaseTransitionError['code']; message: string };

/** Reads the case and checks the version the officer read; undefined when the edit may go ahead. */
async function editable(
  tx: DocumentTransaction,
  caseId: string,
  expectedVersion: number,
): Promise<{ c: CaseDoc } | Exclude<ActOutcome, { kind: 'ok' }>> {
  const c = await tx.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId);
  if (!c) return { kind: 'not-found' };
  if (c.version !== expectedVersion) return { kind: 'conflict', currentVersion: c.version };
  return { c };
}

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
  return caseTransaction(deps, async (tx, rows): Promise<ActOutcome> => {
    const read = await editable(tx, caseId, expectedVersion);
    if (!('c' in read)) return read;
    const { c } = read;
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
    else if (c.status.state === 'closed') {
      const subject = await tx.get<SubjectDoc>(CASE_COLLECTIONS.subjects, c.subjectId);
      if (subject?.openCaseId && subject.openCaseId !== caseId)
        return {
          kind: 'refused',
          code: 'INVALID_TRANSITION',
          message: `the customer has another open case (${subject.openCaseId}): work it there`,
        };
      tx.set(CASE_COLLECTIONS.subjects, c.subjectId, {
        subjectId: c.subjectId,
        openCaseId: caseId,
      } satisfies SubjectDoc);
    }
    const next = record(
      tx,
      {
        ...c,
        status,
        state: status.state,
        open: status.state !== 'closed',
        firstTouchedAt: c.firstTouchedAt ?? at,
        decidedAt: status.state === 'closed' ? at : c.status.state === 'closed' ? null : c.decidedAt,
      },
      {
        actor: actor.id,
        action: action.kind,
        reasonCode: 'reasonCode' in action ? action.reasonCode : null,
        before: c.status,
        after: status,
        requestId,
        at,
      },
      rows,
    );
    return { kind: 'ok', case: next };
  });
}

/**
 * An officer's note, envelope-encrypted by the caller (notes are where personal data ends up). Auditors, who
 * change nothing, may not write one.
 */
export async function addNote(
  deps: CaseDeps,
  caseId: string,
  note: EncryptedEnvelope,
  actor: Actor,
  expectedVersion: number,
  requestId: string,
): Promise<ActOutcome> {
  if (!actor.roles.some((r) => r === 'officer' || r === 'senior_officer'))
    return { kind: 'refused', code: 'FORBIDDEN', message: `${actor.id} may not write notes (officers only)` };
  const at = deps.clock.now().toISOString();
  return caseTransaction(deps, async (tx, rows): Promise<ActOutcome> => {
    const read = await editable(tx, caseId, expectedVersion);
    if (!('c' in read)) return read;
    const { c } = read;
    const next = record(
      tx,
      { ...c, notes: c.notes + 1, firstTouchedAt: c.firstTouchedAt ?? at },
      { actor: actor.id, action: 'note', reasonCode: null, before: null, after: { note }, requestId, at },
      rows,
    );
    return { kind: 'ok', case: next };
  });
}

/**
 * Records that `actor` is about to see the case's personal data (`fields`), before it is decrypted: if the audit
 * event cannot be written, nothing is shown. Not an edit: the version officers compare against stays.
 */
export async function recordPersonalDataView(
  deps: CaseDeps,
  caseId: string,
  actor: Actor,
  fields: string[],
  requestId: string,
): Promise<CaseDoc | undefined> {
  const at = deps.clock.now().toISOString();
  return caseTransaction(deps, async (tx, rows) => {
    const c = await tx.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId);
    if (!c) return undefined;
    return record(
      tx,
      c,
      {
        actor: actor.id,
        action: 'personal_data_viewed',
        reasonCode: null,
        before: null,
        after: { fields },
        requestId,
        at,
      },
      rows,
      { bumpVersion: false },
    );
  });
}

/**
 * Marks that the compliance team was told the case reached `state` (at risk, breached), with its trail event;
 * false when the case has moved on meanwhile (decided, or already told).
 */
export async function recordSlaNotice(
  deps: CaseDeps,
  caseId: string,
  state: Exclude<SlaState, 'ok'>,
  alertId: string,
  requestId: string,
): Promise<boolean> {
  const at = deps.clock.now().toISOString();
  return caseTransaction(deps, async (tx, rows) => {
    const c = await tx.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId);
    if (!c || !c.open || c.slaNotified === state || c.slaNotified === 'breached') return false;
    record(
      tx,
      { ...c, slaNotified: state },
      {
        actor: 'system',
        action: state === 'breached' ? 'sla_breached' : 'sla_at_risk',
        reasonCode: null,
        before: { slaNotified: c.slaNotified },
        after: { slaNotified: state, dueAt: c.dueAt, alertId },
        requestId,
        at,
      },
      rows,
      { bumpVersion: false },
    );
    return true;
  });
}

export async function readCase(store: DocumentStore, caseId: string): Promise<CaseDoc | undefined> {
  return store.get<CaseDoc>(CASE_COLLECTIONS.cases, caseId);
}

/** One case's trail, in order. */
export async function readTrail(store: DocumentStore, caseId: string): Promise<TrailEvent[]> {
  const docs = await store.query<TrailEvent & DocumentData>(CASE_COLLECTIONS.events, [
    { field: 'caseId', op: '==', value: caseId },
  ]);
  return docs.map((d) => d.data).sort((a, b) => a.seq - b.seq);
}
