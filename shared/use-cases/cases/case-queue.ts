/**
 * The officers' queue: cases filtered by state, assignee ("mine", unassigned or someone), severity, rule, age and
 * service-level state, most urgent first (earliest deadline), paged by an opaque cursor. Undecided cases are one
 * query (`open == true`, the backlog a team works through); decided ones are read from a recent horizon
 * (`state == closed` and decidedAt since), so an old archive of closed cases is never scanned.
 */
import type { CaseState } from '../../domain/cases/case-state';
import { CASE_STATES } from '../../domain/cases/case-state';
import { SEVERITIES, slaStateAt, type Severity, type SlaState } from '../../domain/cases/sla';
import type { DocumentStore } from '../../ports/document-store';
import { CASE_COLLECTIONS, type CaseDoc } from './case-store';

export interface QueueFilter {
  states: CaseState[];
  /** 'mine' is resolved to the caller before this; null: unassigned. */
  assignee?: string | null;
  severities?: Severity[];
  rule?: string;
  /** Only cases opened at least this long ago. */
  minAgeMs?: number;
  sla?: SlaState[];
  /** How far back decided cases are listed. */
  closedSinceMs: number;
  limit: number;
  cursor?: string;
}

export const MAX_QUEUE_PAGE = 200;
export const SLA_STATES: readonly SlaState[] = ['ok', 'at_risk', 'breached'];

export class QueueCursorError extends Error {}

const sortKey = (c: CaseDoc) => `${c.open ? c.dueAt : (c.decidedAt ?? '')}|${c.caseId}`;

export function encodeCursor(c: CaseDoc): string {
  return Buffer.from(sortKey(c), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z\|cs_[0-9a-f]{32}$/.test(key))
    throw new QueueCursorError('cursor is not one this API gave out');
  return key;
}

/** The service-level state a case is in now: breached/at risk/ok while undecided; decided cases are 'ok'. */
export function slaNow(c: CaseDoc, now: Date): SlaState {
  return c.open ? slaStateAt(c, now) : 'ok';
}

export async function listQueue(
  store: DocumentStore,
  f: QueueFilter,
  now: Date,
): Promise<{ cases: CaseDoc[]; nextCursor: string | null }> {
  const after = f.cursor ? decodeCursor(f.cursor) : undefined;
  const wantsOpen = f.states.some((s) => s !== 'closed');
  const reads: Promise<{ data: CaseDoc }[]>[] = [];
  if (wantsOpen)
    reads.push(store.query<CaseDoc>(CASE_COLLECTIONS.cases, [{ field: 'open', op: '==', value: true }]));
  if (f.states.includes('closed'))
    reads.push(
      store.query<CaseDoc>(CASE_COLLECTIONS.cases, [
        { field: 'state', op: '==', value: 'closed' },
        { field: 'decidedAt', op: '>=', value: new Date(now.getTime() - f.closedSinceMs).toISOString() },
      ]),
    );
  const all = (await Promise.all(reads)).flat().map((d) => d.data);
  const openedBefore = f.minAgeMs !== undefined ? now.getTime() - f.minAgeMs : undefined;
  const matching = all
    .filter((c) => f.states.includes(c.state))
    .filter((c) => f.assignee === undefined || c.status.assignee === f.assignee)
    .filter((c) => !f.severities || f.severities.includes(c.severity))
    .filter((c) => !f.rule || c.rules.includes(f.rule))
    .filter((c) => openedBefore === undefined || Date.parse(c.openedAt) <= openedBefore)
    .filter((c) => !f.sla || f.sla.includes(slaNow(c, now)))
    // Undecided first, by deadline; then decided, by decision time.
    .sort((a, b) => Number(b.open) - Number(a.open) || sortKey(a).localeCompare(sortKey(b)));
  const start = after === undefined ? 0 : firstAfter(matching, after);
  const page = matching.slice(start, start + f.limit);
  const more = start + f.limit < matching.length;
  return { cases: page, nextCursor: more && page.length ? encodeCursor(page[page.length - 1]) : null };
}

function firstAfter(sorted: CaseDoc[], key: string): number {
  // The cursor names the last case served; a case that moved since (decided, re-prioritised) is simply skipped.
  const i = sorted.findIndex((c) => sortKey(c) === key);
  if (i >= 0) return i + 1;
  const j = sorted.findIndex((c) => c.open && sortKey(c) > key);
  return j >= 0 ? j : sorted.length;
}

export function parseStates(raw: string | undefined, problems: string[]): CaseState[] {
  if (raw === undefined || raw === '') return ['open', 'investigating', 'pending_second_approval'];
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(CASE_STATES as readonly string[]).includes(s));
  if (bad.length) problems.push(`status: ${bad.join(', ')} (one of ${CASE_STATES.join(', ')})`);
  return list.filter((s): s is CaseState => (CASE_STATES as readonly string[]).includes(s));
}

export function parseSeverities(raw: string | undefined, problems: string[]): Severity[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(SEVERITIES as readonly string[]).includes(s));
  if (bad.length) problems.push(`severity: ${bad.join(', ')} (one of ${SEVERITIES.join(', ')})`);
  return list.filter((s): s is Severity => (SEVERITIES as readonly string[]).includes(s));
}

export function parseSla(raw: string | undefined, problems: string[]): SlaState[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(SLA_STATES as readonly string[]).includes(s));
  if (bad.length) problems.push(`sla: ${bad.join(', ')} (one of ${SLA_STATES.join(', ')})`);
  return list.filter((s): s is SlaState => (SLA_STATES as readonly string[]).includes(s));
}
