/**
 * The officers' API (complianceCases) as use cases: the queue, a case with everything linked, actions one at a
 * time and in bulk, notes, the trail's export and its verification against the warehouse mirror, and the
 * service-level metrics. Roles come from configuration; auditors read cases and trails but change nothing and see
 * personal data only when configuration says so. Personal data (screened names, notes) is decrypted only after
 * the view has been recorded on the case's trail: no audit event, no data.
 */
import type { SchemaTypes } from '../../contracts/schema-types';
import { CASE_OUTCOMES, type Actor, type CaseAction, type OfficerRole } from '../../domain/cases/case-state';
import { verifyTrail, type TrailEvent, type TrailProblem } from '../../domain/cases/trail';
import type { SlaPolicy } from '../../domain/cases/sla';
import type { Cipher, EncryptedEnvelope } from '../../ports/cipher';
import type { Principal } from '../../ports/caller-identity';
import type { Clock } from '../../ports/clock';
import type { DocumentStore } from '../../ports/document-store';
import type { Logger } from '../../ports/logger';
import type { Warehouse } from '../../ports/warehouse';
import { oneParam, type Query } from '../../platform/query-params';
import { screenedNameAad } from '../../domain/aml/decision';
import {
  actOnCase,
  addNote,
  readCase,
  readTrail,
  recordPersonalDataView,
  type ActOutcome,
  type CaseDeps,
  type CaseDoc,
} from './case-store';
import { caseMetrics, type CaseMetrics } from './case-metrics';
import {
  listQueue,
  MAX_QUEUE_PAGE,
  parseSeverities,
  parseSla,
  parseStates,
  QueueCursorError,
  slaNow,
} from './case-queue';

export type CaseApiError = SchemaTypes['api/case-error'];
export type CaseView = SchemaTypes['api/case-view'];
export type CaseQueuePage = SchemaTypes['api/case-queue'];
export type CaseSummary = CaseQueuePage['cases'][number];
export type BulkResult = SchemaTypes['api/case-bulk-result'];
export type TrailExport = SchemaTypes['api/case-trail-export'];
export type TrailVerification = SchemaTypes['api/case-trail-verification'];
export type CaseActionRequest = SchemaTypes['api/case-action-request'];
export type CaseBulkRequest = SchemaTypes['api/case-bulk-request'];
export type Me = SchemaTypes['api/case-me'];

export type Outcome<T> =
  { kind: 'ok'; body: T } | { kind: 'error'; status: 400 | 403 | 404 | 409 | 503; body: CaseApiError };

export interface CasesApiDeps {
  store: DocumentStore;
  clock: Clock;
  warehouse: Warehouse;
  logger: Logger;
  /** Decrypts with the KYC key: this function is the one place that may. */
  cipher: Cipher;
  sla: SlaPolicy;
  roles: Map<string, readonly OfficerRole[]>;
  auditorsSeePersonalData: boolean;
}

export type { Query };

const CASE_ID = /^cs_[0-9a-f]{32}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
export const MAX_BULK = 100;
const MAX_NOTE = 4000;
const DEFAULT_CLOSED_SINCE_HOURS = 7 * 24;

const err = (status: 400 | 403 | 404 | 409 | 503, code: CaseApiError['code'], error: string, extra = {}) =>
  ({ kind: 'error', status, body: { code, error, ...extra } }) as const;

export const noteAad = (caseId: string): string => `case-note:${caseId}`;

/** The caller as an actor, or 403 for a verified identity that has no role here. */
export function actorOf(d: CasesApiDeps, p: Principal): Actor | Outcome<never> {
  const roles = d.roles.get(p.id);
  if (!roles || roles.length === 0)
    return err(403, 'FORBIDDEN', `${p.id} has no role in the compliance case tool`);
  return { id: p.id, roles };
}

/** What the case store needs of the API's dependencies (it mirrors each event right after its commit). */
const caseDepsOf = (d: CasesApiDeps): CaseDeps => ({
  store: d.store,
  clock: d.clock,
  warehouse: d.warehouse,
  logger: d.logger,
  sla: d.sla,
});

export function isOutcome(x: unknown): x is Outcome<never> {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

function seesPersonalData(d: CasesApiDeps, a: Actor): boolean {
  return a.roles.some((r) => r === 'officer' || r === 'senior_officer') || d.auditorsSeePersonalData;
}

export function me(d: CasesApiDeps, a: Actor): Outcome<Me> {
  return {
    kind: 'ok',
    body: {
      id: a.id,
      roles: [...a.roles],
      seesPersonalData: seesPersonalData(d, a),
      officers: [...d.roles]
        .filter(([, r]) => r.includes('officer') || r.includes('senior_officer'))
        .map(([id]) => id)
        .sort(),
    },
  };
}

const one = oneParam;

function positive(
  raw: string | undefined,
  name: string,
  max: number,
  problems: string[],
): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n >= 0 && n <= max)) {
    problems.push(`${name} must be a number in [0, ${max}]`);
    return undefined;
  }
  return n;
}

function summaryOf(c: CaseDoc, now: Date): CaseSummary {
  return {
    caseId: c.caseId,
    subjectId: c.subjectId,
    state: c.state,
    outcome: c.status.outcome,
    severity: c.severity,
    assignee: c.status.assignee,
    rules: c.rules,
    links: c.links.length,
    openedAt: c.openedAt,
    updatedAt: c.updatedAt,
    dueAt: c.dueAt,
    sla: slaNow(c, now),
    decidedAt: c.decidedAt,
    version: c.version,
  };
}

export async function getQueue(d: CasesApiDeps, a: Actor, q: Query): Promise<Outcome<CaseQueuePage>> {
  const problems: string[] = [];
  const known = new Set([
    'status',
    'assignee',
    'severity',
    'rule',
    'minAgeHours',
    'sla',
    'limit',
    'cursor',
    'closedSinceHours',
  ]);
  for (const k of Object.keys(q)) if (!known.has(k)) problems.push(`unknown parameter ${k}`);
  const states = parseStates(one(q, 'status', problems), problems);
  const rawAssignee = one(q, 'assignee', problems);
  let assignee: string | null | undefined;
  if (rawAssignee === 'mine') assignee = a.id;
  else if (rawAssignee === 'unassigned') assignee = null;
  else if (rawAssignee !== undefined && rawAssignee !== '') {
    if (!EMAIL.test(rawAssignee)) problems.push('assignee must be mine, unassigned or an e-mail');
    assignee = rawAssignee;
  }
  const rule = one(q, 'rule', problems);
  if (rule !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(rule))
    problems.push('rule is not a rule id');
  const minAgeHours = positive(one(q, 'minAgeHours', problems), 'minAgeHours', 24 * 3650, problems);
  const closedSinceHours =
    positive(one(q, 'closedSinceHours', problems), 'closedSinceHours', 24 * 366, problems) ??
    DEFAULT_CLOSED_SINCE_HOURS;
  const rawLimit = one(q, 'limit', problems);
  const limit = rawLimit === undefined || rawLimit === '' ? 50 : Number(rawLimit);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_QUEUE_PAGE))
    problems.push(`limit must be a whole number in [1, ${MAX_QUEUE_PAGE}]`);
  const filter = {
    states,
    assignee,
    severities: parseSeverities(one(q, 'severity', problems), problems),
    rule,
    minAgeMs: minAgeHours === undefined ? undefined : minAgeHours * 3_600_000,
    sla: parseSla(one(q, 'sla', problems), problems),
    closedSinceMs: closedSinceHours * 3_600_000,
    limit,
    cursor: one(q, 'cursor', problems),
  };
  if (problems.length) return err(400, 'INVALID_REQUEST', 'invalid queue request', { problems });
  const now = d.clock.now();
  try {
    const page = await listQueue(d.store, filter, now);
    return {
      kind: 'ok',
      body: {
        cases: page.cases.map((c) => summaryOf(c, now)),
        nextCursor: page.nextCursor,
        asOf: now.toISOString(),
      },
    };
  } catch (e) {
    if (e instanceof QueueCursorError)
      return err(400, 'INVALID_REQUEST', e.message, { problems: [e.message] });
    throw e;
  }
}

function validCaseId(caseId: string): Outcome<never> | undefined {
  return CASE_ID.test(caseId)
    ? undefined
    : err(400, 'INVALID_REQUEST', 'not a case id', { problems: ['caseId must be cs_ and 32 hex digits'] });
}

/** A case with everything linked and its history; personal data decrypted (and the view audited) on request. */
export async function getCase(
  d: CasesApiDeps,
  a: Actor,
  caseId: string,
  q: Query,
  requestId: string,
): Promise<Outcome<CaseView>> {
  const bad = validCaseId(caseId);
  if (bad) return bad;
  const problems: string[] = [];
  const personal = one(q, 'personal', problems);
  if (personal !== undefined && personal !== 'true' && personal !== 'false')
    problems.push('personal must be true or false');
  if (problems.length) return err(400, 'INVALID_REQUEST', 'invalid case request', { problems });
  let c = await readCase(d.store, caseId);
  if (!c) return err(404, 'NOT_FOUND', `no case ${caseId}`);
  const show = personal === 'true';
  if (show && !seesPersonalData(d, a))
    return err(403, 'FORBIDDEN', `${a.id} may not see personal data (auditors only when configured)`);
  const trail = await readTrail(d.store, caseId);
  const notes = trail.filter((e) => e.action === 'note');
  const fields = [
    ...(c.links.some((l) => l.personal) ? ['screenedName'] : []),
    ...(notes.length ? ['notes'] : []),
  ];
  let opened = new Map<string, string>();
  if (show && fields.length) {
    // The audit event first: if it cannot be written, nothing is decrypted.
    c = (await recordPersonalDataView(caseDepsOf(d), caseId, a, fields, requestId)) ?? c;
    opened = await decryptAll(d, c, notes);
  }
  return { kind: 'ok', body: viewOf(c, trail, opened, show && fields.length > 0, d.clock.now()) };
}

async function decryptAll(d: CasesApiDeps, c: CaseDoc, notes: TrailEvent[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const l of c.links)
    if (l.personal && l.transactionId)
      out.set(
        `link:${l.id}`,
        (await d.cipher.decrypt(l.personal, screenedNameAad(l.transactionId))).toString('utf8'),
      );
  for (const n of notes) {
    const env = (n.after as { note?: EncryptedEnvelope } | null)?.note;
    if (env) out.set(`note:${n.seq}`, (await d.cipher.decrypt(env, noteAad(c.caseId))).toString('utf8'));
  }
  return out;
}

function viewOf(
  c: CaseDoc,
  trail: TrailEvent[],
  opened: Map<string, string>,
  shown: boolean,
  now: Date,
): CaseView {
  return {
    ...summaryOf(c, now),
    reasonCode: c.status.reasonCode,
    pending: c.status.pending,
    decidedBy: c.status.decidedBy,
    atRiskAt: c.atRiskAt,
    firstTouchedAt: c.firstTouchedAt,
    personalData: shown ? 'shown' : 'hidden',
    linked: c.links.map((l) => ({
      kind: l.kind,
      id: l.id,
      severity: l.severity,
      at: l.at,
      ...(l.ruleId ? { ruleId: l.ruleId } : {}),
      ...(l.transactionId ? { transactionId: l.transactionId } : {}),
      ...(l.summary ? { summary: l.summary } : {}),
      hasPersonalData: l.personal !== undefined,
      ...(opened.has(`link:${l.id}`) ? { screenedName: opened.get(`link:${l.id}`) } : {}),
    })),
    notes: trail
      .filter((e) => e.action === 'note')
      .map((e) => ({
        seq: e.seq,
        at: e.at,
        author: e.actor,
        ...(opened.has(`note:${e.seq}`) ? { text: opened.get(`note:${e.seq}`) } : {}),
      })),
    history: trail.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.action,
      reasonCode: e.reasonCode,
    })),
  };
}

function actionOf(b: CaseActionRequest, problems: string[]): CaseAction | 'note' | undefined {
  const reason = b.reasonCode ?? '';
  switch (b.action) {
    case 'assign':
      if (b.to === undefined) problems.push('assign needs to (an officer, or null to unassign)');
      return { kind: 'assign', to: b.to ?? null };
    case 'claim':
      return { kind: 'claim' };
    case 'start':
      return { kind: 'start' };
    case 'decide':
      if (!b.outcome) problems.push(`decide needs an outcome (${CASE_OUTCOMES.join(', ')})`);
      return { kind: 'decide', outcome: b.outcome as (typeof CASE_OUTCOMES)[number], reasonCode: reason };
    case 'approve':
    case 'reject':
    case 'reopen':
      return { kind: b.action, reasonCode: reason };
    case 'note':
      if (!b.text || b.text.trim() === '') problems.push('note needs text');
      else if (b.text.length > MAX_NOTE) problems.push(`a note is at most ${MAX_NOTE} characters`);
      return 'note';
  }
  return undefined;
}

function assigneeProblem(d: CasesApiDeps, to: string | null | undefined): string | undefined {
  if (to === null || to === undefined) return undefined;
  const roles = d.roles.get(to);
  return roles && (roles.includes('officer') || roles.includes('senior_officer'))
    ? undefined
    : `${to} is not an officer of the case tool`;
}

function fromAct(o: ActOutcome, now: Date): Outcome<CaseSummary> {
  switch (o.kind) {
    case 'ok':
      return { kind: 'ok', body: summaryOf(o.case, now) };
    case 'not-found':
      return err(404, 'NOT_FOUND', 'no such case');
    case 'conflict':
      return err(409, 'CONFLICT', 'the case changed since you read it: reload and try again', {
        currentVersion: o.currentVersion,
      });
    case 'refused':
      if (o.code === 'FORBIDDEN' || o.code === 'SAME_PERSON') return err(403, o.code, o.message);
      if (o.code === 'INVALID_TRANSITION') return err(409, o.code, o.message);
      return err(400, o.code, o.message, { problems: [o.message] });
  }
}

/** One action on one case the officer read at `expectedVersion`. */
export async function act(
  d: CasesApiDeps,
  a: Actor,
  caseId: string,
  b: CaseActionRequest,
  requestId: string,
): Promise<Outcome<CaseSummary>> {
  const bad = validCaseId(caseId);
  if (bad) return bad;
  const problems: string[] = [];
  const action = actionOf(b, problems);
  const assignTo = b.action === 'assign' ? b.to : undefined;
  const who = assigneeProblem(d, assignTo);
  if (who) problems.push(who);
  if (problems.length || !action) return err(400, 'INVALID_REQUEST', 'invalid action', { problems });
  const deps = caseDepsOf(d);
  if (action === 'note') {
    const sealed = await d.cipher.encrypt(Buffer.from(b.text ?? '', 'utf8'), noteAad(caseId));
    return fromAct(await addNote(deps, caseId, sealed, a, b.expectedVersion, requestId), d.clock.now());
  }
  return fromAct(await actOnCase(deps, caseId, action, a, b.expectedVersion, requestId), d.clock.now());
}

/**
 * Bulk assign or close: each case on its own (its version, its rules), so one stale or refused case does not
 * hold back the rest, and four eyes apply to every case in the batch exactly as to one.
 */
export async function bulk(
  d: CasesApiDeps,
  a: Actor,
  b: CaseBulkRequest,
  requestId: string,
): Promise<Outcome<BulkResult>> {
  const problems: string[] = [];
  if (b.cases.length > MAX_BULK) problems.push(`at most ${MAX_BULK} cases at once`);
  const ids = new Set<string>();
  for (const c of b.cases) {
    if (!CASE_ID.test(c.caseId)) problems.push(`${c.caseId} is not a case id`);
    if (ids.has(c.caseId)) problems.push(`${c.caseId} is listed twice`);
    ids.add(c.caseId);
  }
  if (b.action === 'assign') {
    if (b.to === undefined) problems.push('assign needs to (an officer, or null to unassign)');
    const who = assigneeProblem(d, b.to);
    if (who) problems.push(who);
  } else if (!b.outcome) problems.push(`close needs an outcome (${CASE_OUTCOMES.join(', ')})`);
  if (problems.length) return err(400, 'INVALID_REQUEST', 'invalid bulk request', { problems });
  const action: CaseAction =
    b.action === 'assign'
      ? { kind: 'assign', to: b.to ?? null }
      : {
          kind: 'decide',
          outcome: b.outcome as (typeof CASE_OUTCOMES)[number],
          reasonCode: b.reasonCode ?? '',
        };
  const deps = caseDepsOf(d);
  const results: BulkResult['results'] = [];
  for (const [i, c] of b.cases.entries()) {
    const o = fromAct(
      await actOnCase(deps, c.caseId, action, a, c.expectedVersion, `${requestId}#${i}`),
      d.clock.now(),
    );
    results.push(
      o.kind === 'ok'
        ? { caseId: c.caseId, status: 200, case: o.body }
        : { caseId: c.caseId, status: o.status, error: o.body },
    );
  }
  return { kind: 'ok', body: { results, succeeded: results.filter((r) => r.status === 200).length } };
}

/** The whole trail as stored (notes stay encrypted: an export is the record, not a view of personal data). */
export async function exportTrail(d: CasesApiDeps, caseId: string): Promise<Outcome<TrailExport>> {
  const bad = validCaseId(caseId);
  if (bad) return bad;
  const c = await readCase(d.store, caseId);
  if (!c) return err(404, 'NOT_FOUND', `no case ${caseId}`);
  const events = await readTrail(d.store, caseId);
  const problems = verifyTrail(events);
  return {
    kind: 'ok',
    body: {
      caseId,
      exportedAt: d.clock.now().toISOString(),
      head: { seq: c.lastSeq, hash: c.lastHash },
      chainIntact: problems.length === 0 && events.length === c.lastSeq,
      events: events.map((e) => ({ ...e })),
    },
  };
}

/** Checks the stored chain, its head on the case, and the warehouse mirror. */
export async function verifyCase(
  d: Pick<CasesApiDeps, 'store' | 'warehouse' | 'clock'>,
  caseId: string,
): Promise<Outcome<TrailVerification>> {
  const bad = validCaseId(caseId);
  if (bad) return bad;
  const c = await readCase(d.store, caseId);
  if (!c) return err(404, 'NOT_FOUND', `no case ${caseId}`);
  const events = await readTrail(d.store, caseId);
  const mirror = await readMirror(d.warehouse, caseId);
  const problems: TrailProblem[] = verifyTrail(events, mirror);
  const last = events[events.length - 1];
  if (!last || last.seq !== c.lastSeq || last.hash !== c.lastHash)
    problems.push({
      seq: c.lastSeq,
      problem: 'MISSING',
      detail: `the case's head is event ${c.lastSeq}; the trail ends at ${last?.seq ?? 0}`,
    });
  return {
    kind: 'ok',
    body: {
      caseId,
      verifiedAt: d.clock.now().toISOString(),
      events: events.length,
      mirrored: new Set(mirror.map((m) => m.seq)).size,
      ok: problems.length === 0,
      problems,
    },
  };
}

export async function metrics(d: CasesApiDeps, q: Query): Promise<Outcome<CaseMetrics>> {
  const problems: string[] = [];
  const days = positive(one(q, 'days', problems), 'days', 366, problems) ?? 30;
  if (problems.length) return err(400, 'INVALID_REQUEST', 'invalid metrics request', { problems });
  return { kind: 'ok', body: await caseMetrics(d.warehouse, d.clock.now(), days) };
}

/** The mirror's (seq, hash) pairs of one case, for verifyTrail. */
export async function readMirror(
  warehouse: Warehouse,
  caseId: string,
): Promise<{ seq: number; hash: string }[]> {
  const rows = await warehouse.query<{ seq: number | bigint; hash: string }>(
    'SELECT seq, hash FROM compliance.case_events WHERE case_id = @caseId',
    { caseId },
  );
  // Streaming inserts may repeat a row; verifyTrail reads distinct pairs and flags a seq with two hashes.
  const pairs = new Map(
    rows.map((r) => [`${String(r.seq)}:${r.hash}`, { seq: Number(r.seq), hash: r.hash }]),
  );
  return [...pairs.values()];
}
