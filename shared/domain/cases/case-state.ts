/**
 * A compliance case's life: open → investigating → (pending second approval) → closed, with an outcome on close and a
 * reason code on every decision. Outcomes that act on a customer or reach a regulator (a sanctions match confirmed,
 * a customer blocked, a suspicious activity report filed) need a second officer with the senior role — four eyes,
 * never the same person. Pure: the caller supplies the actor's roles and the time.
 */

export const CASE_STATES = ['open', 'investigating', 'pending_second_approval', 'closed'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_OUTCOMES = [
  'cleared_false_positive',
  'kyc_approved',
  'kyc_declined',
  'sanctions_match_confirmed',
  'customer_blocked',
  'sar_filed',
] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** Outcomes a second, senior officer must approve before the case closes. */
export const FOUR_EYES_OUTCOMES: ReadonlySet<CaseOutcome> = new Set([
  'sanctions_match_confirmed',
  'customer_blocked',
  'sar_filed',
]);

export type OfficerRole = 'officer' | 'senior_officer' | 'auditor';

export interface Actor {
  id: string;
  roles: readonly OfficerRole[];
}

export interface PendingDecision {
  outcome: CaseOutcome;
  reasonCode: string;
  proposedBy: string;
  proposedAt: string;
}

export interface CaseStatus {
  state: CaseState;
  assignee: string | null;
  outcome: CaseOutcome | null;
  reasonCode: string | null;
  pending: PendingDecision | null;
  decidedBy: string[];
}

export type CaseAction =
  | { kind: 'assign'; to: string | null }
  | { kind: 'claim' }
  | { kind: 'start' }
  | { kind: 'decide'; outcome: CaseOutcome; reasonCode: string }
  | { kind: 'approve'; reasonCode: string }
  | { kind: 'reject'; reasonCode: string }
  | { kind: 'reopen'; reasonCode: string };

export class CaseTransitionError extends Error {
  constructor(
    readonly code: 'FORBIDDEN' | 'INVALID_TRANSITION' | 'REASON_REQUIRED' | 'SAME_PERSON' | 'UNKNOWN_OUTCOME',
    message: string,
  ) {
    super(message);
    this.name = 'CaseTransitionError';
  }
}

export const NEW_CASE: CaseStatus = {
  state: 'open',
  assignee: null,
  outcome: null,
  reasonCode: null,
  pending: null,
  decidedBy: [],
};

const REASON = /^[A-Z][A-Z0-9_]{1,63}$/;

const can = (a: Actor, ...roles: OfficerRole[]) => roles.some((r) => a.roles.includes(r));

function needReason(code: string): void {
  if (!REASON.test(code))
    throw new CaseTransitionError(
      'REASON_REQUIRED',
      'a reason code (UPPER_SNAKE_CASE) is required for every decision',
    );
}

/** The case after `action` by `actor` at `at`, or CaseTransitionError saying why not. */
export function applyCaseAction(c: CaseStatus, action: CaseAction, actor: Actor, at: string): CaseStatus {
  // Auditors read; they never change a case.
  if (!can(actor, 'officer', 'senior_officer'))
    throw new CaseTransitionError('FORBIDDEN', `${actor.id} may not change cases (officers only)`);
  const invalid = (what: string) =>
    new CaseTransitionError('INVALID_TRANSITION', `cannot ${what} a case that is ${c.state}`);
  switch (action.kind) {
    case 'assign':
      if (c.state === 'closed') throw invalid('assign');
      // Taking a case away from a colleague is a lead's call; handing out unassigned work is anyone's.
      if (c.assignee !== null && c.assignee !== actor.id && !can(actor, 'senior_officer'))
        throw new CaseTransitionError(
          'FORBIDDEN',
          `${actor.id} may not reassign a case assigned to ${c.assignee}: a senior officer is required`,
        );
      return { ...c, assignee: action.to };
    case 'claim':
      if (c.state === 'closed') throw invalid('claim');
      if (c.assignee !== null && c.assignee !== actor.id)
        throw new CaseTransitionError(
          'INVALID_TRANSITION',
          `the case is assigned to ${c.assignee}: ask a senior officer to reassign it`,
        );
      return { ...c, assignee: actor.id };
    case 'start':
      if (c.state !== 'open') throw invalid('start investigating');
      return { ...c, state: 'investigating', assignee: c.assignee ?? actor.id };
    case 'decide': {
      if (!(CASE_OUTCOMES as readonly string[]).includes(action.outcome))
        throw new CaseTransitionError('UNKNOWN_OUTCOME', `'${String(action.outcome)}' is not an outcome`);
      needReason(action.reasonCode);
      if (c.state !== 'open' && c.state !== 'investigating') throw invalid('decide');
      if (FOUR_EYES_OUTCOMES.has(action.outcome))
        return {
          ...c,
          state: 'pending_second_approval',
          pending: {
            outcome: action.outcome,
            reasonCode: action.reasonCode,
            proposedBy: actor.id,
            proposedAt: at,
          },
        };
      return {
        ...c,
        state: 'closed',
        outcome: action.outcome,
        reasonCode: action.reasonCode,
        decidedBy: [actor.id],
      };
    }
    case 'approve':
    case 'reject': {
      needReason(action.reasonCode);
      if (c.state !== 'pending_second_approval' || !c.pending) throw invalid(action.kind);
      if (!can(actor, 'senior_officer'))
        throw new CaseTransitionError(
          'FORBIDDEN',
          `${actor.id} may not ${action.kind}: a senior officer is required`,
        );
      if (actor.id === c.pending.proposedBy)
        throw new CaseTransitionError('SAME_PERSON', 'the second approval must come from another officer');
      if (action.kind === 'reject') return { ...c, state: 'investigating', pending: null };
      return {
        ...c,
        state: 'closed',
        outcome: c.pending.outcome,
        reasonCode: c.pending.reasonCode,
        pending: null,
        decidedBy: [c.pending.proposedBy, actor.id],
      };
    }
    case 'reopen':
      needReason(action.reasonCode);
      if (c.state !== 'closed') throw invalid('reopen');
      if (!can(actor, 'senior_officer'))
        throw new CaseTransitionError(
          'FORBIDDEN',
          `${actor.id} may not reopen: a senior officer is required`,
        );
      return { ...c, state: 'investigating', outcome: null, reasonCode: null, decidedBy: [] };
  }
}
