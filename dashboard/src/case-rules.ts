/**
 * The compliance officers' page, its display rules: SLA labels and colours, labels of states and outcomes, the
 * reason-code rule, which actions a person is offered on a case, and the queue's query. Pure (no DOM); the API
 * decides, these only keep the page from offering what it would refuse.
 */
import type {
  CaseOutcome,
  CaseSeverity,
  CaseState,
  CaseSummary,
  CaseToolMe,
  CaseView,
} from '../../sdk/src/generated/api-types.js';

export type SlaState = CaseSummary['sla'];
export type Outcome = Exclude<CaseOutcome, null>;

/** An SLA state as marker + text + colour (never colour alone); white or dark text at 4.5:1 or more. */
export const SLA_DISPLAY: Record<
  SlaState,
  { label: string; marker: string; background: string; text: string }
> = {
  breached: { label: 'breached', marker: '✖', background: '#a00000', text: '#ffffff' },
  at_risk: { label: 'at risk', marker: '▲', background: '#f2c230', text: '#1f1a00' },
  ok: { label: 'on time', marker: '●', background: '#1b7f3b', text: '#ffffff' },
};

export function slaDisplay(sla: SlaState) {
  return SLA_DISPLAY[sla];
}

/**
 * The SLA state at `nowMs` from the case's clock (as the API computes it: breached from the deadline itself
 * on, at risk from atRiskAt on); a decided case is on time. Lets an open page move with the clock.
 */
export function slaAt(c: Pick<CaseView, 'state' | 'dueAt' | 'atRiskAt'>, nowMs: number): SlaState {
  if (c.state === 'closed') return 'ok';
  if (nowMs >= Date.parse(c.dueAt)) return 'breached';
  if (nowMs >= Date.parse(c.atRiskAt)) return 'at_risk';
  return 'ok';
}

/** "due in 3 h 20 min", "due now", "overdue by 45 min": rounded toward less time left (never later than it is). */
export function dueText(dueAt: string, nowMs: number): string {
  const ms = Date.parse(dueAt) - nowMs;
  if (!Number.isFinite(ms)) return '';
  const span = (m: number) => {
    const minutes = Math.max(0, m);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    if (hours >= 48) return `${Math.floor(hours / 24)} d ${hours % 24} h`;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  };
  if (ms <= 0) {
    const late = Math.ceil(-ms / 60_000);
    return late === 0 ? 'due now' : `overdue by ${span(late)}`;
  }
  const left = Math.floor(ms / 60_000);
  return left === 0 ? 'due in under a minute' : `due in ${span(left)}`;
}

export const CASE_STATE_LABELS: Record<CaseState, string> = {
  open: 'open',
  investigating: 'investigating',
  pending_second_approval: 'pending second approval',
  closed: 'closed',
};

export const OUTCOMES: readonly Outcome[] = [
  'cleared_false_positive',
  'kyc_approved',
  'kyc_declined',
  'sanctions_match_confirmed',
  'customer_blocked',
  'sar_filed',
];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  cleared_false_positive: 'cleared: false positive',
  kyc_approved: 'KYC approved',
  kyc_declined: 'KYC declined',
  sanctions_match_confirmed: 'sanctions match confirmed',
  customer_blocked: 'customer blocked',
  sar_filed: 'suspicious activity report filed',
};

export function outcomeLabel(o: CaseOutcome): string {
  return o === null ? '—' : OUTCOME_LABELS[o];
}

/** Outcomes a second, senior officer must approve (four eyes): the case goes to pending second approval. */
export const FOUR_EYES: ReadonlySet<Outcome> = new Set([
  'sanctions_match_confirmed',
  'customer_blocked',
  'sar_filed',
]);

export const SEVERITIES: readonly CaseSeverity[] = ['CRITICAL', 'WARNING', 'INFO'];

/** The API's rule for reason codes: UPPER_SNAKE_CASE, 2 to 64 characters, starting with a letter. */
const REASON = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Why a reason code is refused, in words, or null when it is valid. */
export function reasonCodeProblem(code: string): string | null {
  if (code === '') return 'A reason code is required.';
  if (REASON.test(code)) return null;
  return 'A reason code is UPPER_SNAKE_CASE: capital letters, digits and underscores, starting with a letter, 2 to 64 characters (e.g. SANCTIONED_EXCHANGE).';
}

/** "cs_1a2b3c4d…" for tables; the full id stays in links and titles. */
export function shortCaseId(caseId: string): string {
  return caseId.length > 11 ? `${caseId.slice(0, 11)}…` : caseId;
}

export type CaseActionKind =
  'claim' | 'start' | 'assign' | 'decide' | 'approve' | 'reject' | 'reopen' | 'note';

export const isOfficer = (me: Pick<CaseToolMe, 'roles'>) =>
  me.roles.includes('officer') || me.roles.includes('senior_officer');
export const isSenior = (me: Pick<CaseToolMe, 'roles'>) => me.roles.includes('senior_officer');

/**
 * The actions `me` is offered on a case, as the API's state machine allows them: auditors none; a claim only
 * of an unassigned case; taking a colleague's case is a senior's; approve/reject a senior's other than the
 * proposer; reopen a senior's.
 */
export function offeredActions(
  me: Pick<CaseToolMe, 'id' | 'roles'>,
  c: Pick<CaseView, 'state' | 'assignee'> & { pending?: CaseView['pending'] },
): Set<CaseActionKind> {
  const out = new Set<CaseActionKind>();
  if (!isOfficer(me)) return out;
  out.add('note');
  if (c.state === 'closed') {
    if (isSenior(me)) out.add('reopen');
    return out;
  }
  if (c.assignee === null) out.add('claim');
  if (c.assignee === null || c.assignee === me.id || isSenior(me)) out.add('assign');
  if (c.state === 'open') out.add('start');
  if (c.state === 'open' || c.state === 'investigating') out.add('decide');
  if (c.state === 'pending_second_approval' && isSenior(me) && c.pending && c.pending.proposedBy !== me.id) {
    out.add('approve');
    out.add('reject');
  }
  return out;
}

/** Why a pending case offers `me` no approval, in words (null when it does, or when nothing is pending). */
export function approvalNote(
  me: Pick<CaseToolMe, 'id' | 'roles'>,
  c: Pick<CaseView, 'state' | 'pending'>,
): string | null {
  if (c.state !== 'pending_second_approval' || !c.pending) return null;
  if (!isOfficer(me)) return 'Waiting for a senior officer’s approval.';
  if (c.pending.proposedBy === me.id)
    return 'You proposed this decision: another senior officer must approve it (four eyes).';
  if (!isSenior(me)) return 'Waiting for a senior officer’s approval (four eyes).';
  return null;
}

export interface QueueFilters {
  /** '' : the undecided ones (the API's default); 'all': every state including recently closed. */
  status: '' | CaseState | 'all';
  assignee: 'all' | 'mine' | 'unassigned';
  severity: '' | CaseSeverity;
  sla: '' | SlaState;
}

export const DEFAULT_FILTERS: QueueFilters = { status: '', assignee: 'all', severity: '', sla: '' };

/** The queue request's query string ("?…" or ""), with the page's cursor. */
export function queueQuery(f: QueueFilters, cursor: string | null = null, limit = 25): string {
  const q = new URLSearchParams();
  if (f.status === 'all') q.set('status', 'open,investigating,pending_second_approval,closed');
  else if (f.status) q.set('status', f.status);
  if (f.assignee !== 'all') q.set('assignee', f.assignee);
  if (f.severity) q.set('severity', f.severity);
  if (f.sla) q.set('sla', f.sla);
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return `?${q.toString()}`;
}
