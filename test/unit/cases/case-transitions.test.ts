/**
 * What a compliance officer can and cannot do to a case, beyond case-state.test.ts: claiming and reassigning,
 * the exact reason-code format, which refusal wins when several apply, and the messages officers read.
 */
import {
  applyCaseAction,
  CaseTransitionError,
  NEW_CASE,
  type Actor,
  type CaseAction,
  type CaseStatus,
} from '../../../shared/domain/cases/case-state';

const AT = '2026-12-04T10:00:00.000Z';
const ann: Actor = { id: 'ann@bank.test', roles: ['officer'] };
const bob: Actor = { id: 'bob@bank.test', roles: ['officer'] };
const sue: Actor = { id: 'sue@bank.test', roles: ['senior_officer'] };
const tom: Actor = { id: 'tom@bank.test', roles: ['senior_officer'] };
const aud: Actor = { id: 'aud@bank.test', roles: ['auditor'] };
const nobody: Actor = { id: 'nobody@bank.test', roles: [] };

const run = (c: CaseStatus, a: CaseAction, who: Actor) => applyCaseAction(c, a, who, AT);
function refusal(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof CaseTransitionError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('the action was allowed');
}

const assignedToAnn: CaseStatus = { ...NEW_CASE, assignee: ann.id };
const investigating = run(assignedToAnn, { kind: 'start' }, ann);
const closed = run(investigating, { kind: 'decide', outcome: 'kyc_approved', reasonCode: 'DOCS_OK' }, ann);
const pending = run(
  investigating,
  { kind: 'decide', outcome: 'customer_blocked', reasonCode: 'FRAUD_RING' },
  ann,
);

describe('claiming and assigning a case', () => {
  it('lets an officer claim an unassigned case, or one already theirs', () => {
    expect(run(NEW_CASE, { kind: 'claim' }, bob)).toEqual({ ...NEW_CASE, assignee: bob.id });
    expect(run(assignedToAnn, { kind: 'claim' }, ann)).toEqual(assignedToAnn);
    expect(run(investigating, { kind: 'claim' }, ann).state).toBe('investigating');
  });

  it('refuses to claim a colleague’s case, pointing to a senior officer', () => {
    expect(refusal(() => run(assignedToAnn, { kind: 'claim' }, bob))).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'the case is assigned to ann@bank.test: ask a senior officer to reassign it',
    });
    // Not even a senior officer claims it over a colleague: they reassign it.
    expect(refusal(() => run(assignedToAnn, { kind: 'claim' }, sue)).code).toBe('INVALID_TRANSITION');
  });

  it('refuses to claim or assign a closed case', () => {
    expect(refusal(() => run(closed, { kind: 'claim' }, ann))).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'cannot claim a case that is closed',
    });
    expect(refusal(() => run(closed, { kind: 'assign', to: bob.id }, sue))).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'cannot assign a case that is closed',
    });
  });

  it('lets anyone hand out unassigned work and the assignee hand on their own case', () => {
    expect(run(NEW_CASE, { kind: 'assign', to: ann.id }, bob).assignee).toBe(ann.id);
    expect(run(assignedToAnn, { kind: 'assign', to: bob.id }, ann).assignee).toBe(bob.id);
    expect(run(assignedToAnn, { kind: 'assign', to: null }, ann).assignee).toBeNull();
  });

  it('takes a case away from a colleague only for a senior officer', () => {
    expect(refusal(() => run(assignedToAnn, { kind: 'assign', to: bob.id }, bob))).toEqual({
      code: 'FORBIDDEN',
      message:
        'bob@bank.test may not reassign a case assigned to ann@bank.test: a senior officer is required',
    });
    expect(run(investigating, { kind: 'assign', to: bob.id }, sue)).toEqual({
      ...investigating,
      assignee: bob.id,
    });
  });

  it('keeps the assignee when someone else starts an assigned case', () => {
    expect(run(assignedToAnn, { kind: 'start' }, bob)).toEqual({ ...assignedToAnn, state: 'investigating' });
  });
});

describe('a new case', () => {
  it('is open, unassigned and undecided', () => {
    expect(NEW_CASE).toEqual({
      state: 'open',
      assignee: null,
      outcome: null,
      reasonCode: null,
      pending: null,
      decidedBy: [],
    });
  });
});

describe('who may change a case at all', () => {
  it('tells an auditor or a user without a role that only officers change cases', () => {
    for (const who of [aud, nobody])
      expect(refusal(() => run(NEW_CASE, { kind: 'claim' }, who))).toEqual({
        code: 'FORBIDDEN',
        message: `${who.id} may not change cases (officers only)`,
      });
    // A senior officer without the plain officer role may still work cases.
    expect(run(NEW_CASE, { kind: 'claim' }, sue).assignee).toBe(sue.id);
  });
});

describe('reason codes', () => {
  const decide = (reasonCode: string) =>
    run(investigating, { kind: 'decide', outcome: 'kyc_approved', reasonCode }, ann);

  it('accepts UPPER_SNAKE_CASE of 2 to 64 characters starting with a letter', () => {
    for (const reasonCode of ['OK', 'A1', 'DOC_2_EXPIRED', `A${'B'.repeat(63)}`])
      expect(decide(reasonCode).reasonCode).toBe(reasonCode);
  });

  it('refuses anything else, saying the format', () => {
    for (const reasonCode of [
      'A',
      '1_NO',
      '_NO',
      'Docs_ok',
      'DOCS OK',
      'DOCS-OK',
      `A${'B'.repeat(64)}`,
      'OK\n',
    ])
      expect(refusal(() => decide(reasonCode))).toEqual({
        code: 'REASON_REQUIRED',
        message: 'a reason code (UPPER_SNAKE_CASE) is required for every decision',
      });
  });

  it('requires one to approve, reject or reopen too', () => {
    expect(refusal(() => run(pending, { kind: 'approve', reasonCode: 'ok' }, sue)).code).toBe(
      'REASON_REQUIRED',
    );
    expect(refusal(() => run(pending, { kind: 'reject', reasonCode: '' }, sue)).code).toBe('REASON_REQUIRED');
    expect(refusal(() => run(closed, { kind: 'reopen', reasonCode: 'x' }, sue)).code).toBe('REASON_REQUIRED');
  });
});

describe('deciding', () => {
  it('can decide straight from an open case', () => {
    expect(
      run(NEW_CASE, { kind: 'decide', outcome: 'cleared_false_positive', reasonCode: 'DUPLICATE' }, ann),
    ).toEqual({
      ...NEW_CASE,
      state: 'closed',
      outcome: 'cleared_false_positive',
      reasonCode: 'DUPLICATE',
      decidedBy: [ann.id],
    });
  });

  it('records who proposed a four-eyes outcome, when and why, leaving the case undecided', () => {
    expect(pending).toEqual({
      ...investigating,
      state: 'pending_second_approval',
      pending: { outcome: 'customer_blocked', reasonCode: 'FRAUD_RING', proposedBy: ann.id, proposedAt: AT },
    });
  });

  it('refuses a second decision while one awaits approval', () => {
    expect(
      refusal(() => run(pending, { kind: 'decide', outcome: 'kyc_approved', reasonCode: 'DOCS_OK' }, ann)),
    ).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'cannot decide a case that is pending_second_approval',
    });
  });

  it('names an unknown outcome before anything else is checked', () => {
    expect(
      refusal(() =>
        run(closed, { kind: 'decide', outcome: 'shrug' as 'kyc_approved', reasonCode: 'bad' }, ann),
      ),
    ).toEqual({ code: 'UNKNOWN_OUTCOME', message: "'shrug' is not an outcome" });
    // A bad reason is named before the wrong state.
    expect(
      refusal(() => run(closed, { kind: 'decide', outcome: 'kyc_approved', reasonCode: 'bad' }, ann)).code,
    ).toBe('REASON_REQUIRED');
  });
});

describe('second approval', () => {
  it('closes with the proposed outcome and reason, and both officers as deciders', () => {
    expect(run(pending, { kind: 'approve', reasonCode: 'AGREED' }, sue)).toEqual({
      ...investigating,
      state: 'closed',
      outcome: 'customer_blocked',
      reasonCode: 'FRAUD_RING',
      pending: null,
      decidedBy: [ann.id, sue.id],
    });
  });

  it('sends a rejected proposal back to investigation, keeping the assignee', () => {
    expect(run(pending, { kind: 'reject', reasonCode: 'WEAK_EVIDENCE' }, sue)).toEqual(investigating);
  });

  it('refuses a plain officer, naming the action', () => {
    expect(refusal(() => run(pending, { kind: 'reject', reasonCode: 'NO' }, bob))).toEqual({
      code: 'FORBIDDEN',
      message: 'bob@bank.test may not reject: a senior officer is required',
    });
    expect(refusal(() => run(pending, { kind: 'approve', reasonCode: 'YES' }, bob)).message).toBe(
      'bob@bank.test may not approve: a senior officer is required',
    );
  });

  it('refuses the proposer rejecting their own proposal too', () => {
    const proposedBySue = run(
      investigating,
      { kind: 'decide', outcome: 'sar_filed', reasonCode: 'STRUCTURING' },
      sue,
    );
    expect(refusal(() => run(proposedBySue, { kind: 'reject', reasonCode: 'CHANGED_MIND' }, sue))).toEqual({
      code: 'SAME_PERSON',
      message: 'the second approval must come from another officer',
    });
    expect(run(proposedBySue, { kind: 'approve', reasonCode: 'AGREED' }, tom).decidedBy).toEqual([
      sue.id,
      tom.id,
    ]);
  });

  it('refuses to approve or reject when nothing awaits approval', () => {
    expect(refusal(() => run(closed, { kind: 'reject', reasonCode: 'NO' }, sue))).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'cannot reject a case that is closed',
    });
    // Nor a record that still carries a proposal but is no longer pending.
    expect(
      refusal(() =>
        run({ ...investigating, pending: pending.pending }, { kind: 'approve', reasonCode: 'YES' }, sue),
      ),
    ).toEqual({ code: 'INVALID_TRANSITION', message: 'cannot approve a case that is investigating' });
    // A record that says pending but lost its proposal cannot be approved either.
    expect(
      refusal(() => run({ ...pending, pending: null }, { kind: 'approve', reasonCode: 'YES' }, sue)),
    ).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'cannot approve a case that is pending_second_approval',
    });
  });
});

describe('reopening', () => {
  it('clears the outcome, reason and deciders of a closed case', () => {
    expect(run(closed, { kind: 'reopen', reasonCode: 'NEW_EVIDENCE' }, sue)).toEqual({
      ...closed,
      state: 'investigating',
      outcome: null,
      reasonCode: null,
      decidedBy: [],
    });
  });

  it('refuses to reopen a case that is not closed, and tells an officer it needs a senior', () => {
    expect(refusal(() => run(investigating, { kind: 'reopen', reasonCode: 'NEW_EVIDENCE' }, sue))).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'cannot reopen a case that is investigating',
    });
    expect(refusal(() => run(closed, { kind: 'reopen', reasonCode: 'NEW_EVIDENCE' }, ann))).toEqual({
      code: 'FORBIDDEN',
      message: 'ann@bank.test may not reopen: a senior officer is required',
    });
  });

  it('refuses to start investigating anything but an open case', () => {
    expect(refusal(() => run(closed, { kind: 'start' }, ann)).message).toBe(
      'cannot start investigating a case that is closed',
    );
  });
});

describe('the error officers see', () => {
  it('is a named error carrying its code', () => {
    const e = new CaseTransitionError('FORBIDDEN', 'no');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CaseTransitionError');
    expect(e.code).toBe('FORBIDDEN');
  });
});
