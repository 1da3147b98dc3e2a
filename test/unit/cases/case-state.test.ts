import {
  applyCaseAction,
  CASE_OUTCOMES,
  CaseTransitionError,
  FOUR_EYES_OUTCOMES,
  NEW_CASE,
  type Actor,
  type CaseAction,
  type CaseStatus,
} from '../../../shared/domain/cases/case-state';

const AT = '2026-12-04T10:00:00.000Z';
const ann: Actor = { id: 'ann@bank.test', roles: ['officer'] };
const bob: Actor = { id: 'bob@bank.test', roles: ['officer'] };
const sue: Actor = { id: 'sue@bank.test', roles: ['senior_officer'] };
const sam: Actor = { id: 'sam@bank.test', roles: ['officer', 'senior_officer'] };
const aud: Actor = { id: 'aud@bank.test', roles: ['auditor'] };

const run = (c: CaseStatus, a: CaseAction, who: Actor) => applyCaseAction(c, a, who, AT);
const code = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof CaseTransitionError) return err.code;
    throw err;
  }
  return 'ALLOWED';
};
const investigating = run(NEW_CASE, { kind: 'start' }, ann);

describe('case state machine', () => {
  it('starts an investigation, taking the case when it has no assignee', () => {
    expect(investigating).toMatchObject({ state: 'investigating', assignee: ann.id });
    const assigned = run(NEW_CASE, { kind: 'assign', to: bob.id }, ann);
    expect(run(assigned, { kind: 'start' }, ann).assignee).toBe(bob.id);
  });

  it('closes on an outcome one officer may decide, with its reason code', () => {
    const closed = run(
      investigating,
      { kind: 'decide', outcome: 'cleared_false_positive', reasonCode: 'NAME_MISMATCH' },
      ann,
    );
    expect(closed).toMatchObject({
      state: 'closed',
      outcome: 'cleared_false_positive',
      reasonCode: 'NAME_MISMATCH',
      decidedBy: [ann.id],
    });
  });

  it.each([...FOUR_EYES_OUTCOMES])('%s needs a second, senior officer: never the proposer', (outcome) => {
    const pending = run(investigating, { kind: 'decide', outcome, reasonCode: 'CONFIRMED_HIT' }, sam);
    expect(pending).toMatchObject({
      state: 'pending_second_approval',
      outcome: null,
      pending: { outcome, proposedBy: sam.id },
    });
    // The proposer cannot approve their own decision, even as a senior officer; a plain officer cannot at all.
    expect(code(() => run(pending, { kind: 'approve', reasonCode: 'AGREED' }, sam))).toBe('SAME_PERSON');
    expect(code(() => run(pending, { kind: 'approve', reasonCode: 'AGREED' }, bob))).toBe('FORBIDDEN');
    const closed = run(pending, { kind: 'approve', reasonCode: 'AGREED' }, sue);
    expect(closed).toMatchObject({ state: 'closed', outcome, decidedBy: [sam.id, sue.id], pending: null });
  });

  it('a rejected proposal goes back to investigation, undecided', () => {
    const pending = run(
      investigating,
      { kind: 'decide', outcome: 'sar_filed', reasonCode: 'STRUCTURING' },
      ann,
    );
    expect(run(pending, { kind: 'reject', reasonCode: 'INSUFFICIENT_EVIDENCE' }, sue)).toMatchObject({
      state: 'investigating',
      pending: null,
      outcome: null,
    });
  });

  it('requires a reason code for every decision', () => {
    for (const reasonCode of ['', 'lower case', 'X'])
      expect(
        code(() => run(investigating, { kind: 'decide', outcome: 'kyc_approved', reasonCode }, ann)),
      ).toBe('REASON_REQUIRED');
  });

  it('lets auditors change nothing', () => {
    const actions: CaseAction[] = [
      { kind: 'assign', to: aud.id },
      { kind: 'start' },
      { kind: 'decide', outcome: 'kyc_approved', reasonCode: 'DOCS_OK' },
    ];
    for (const a of actions) expect(code(() => run(NEW_CASE, a, aud))).toBe('FORBIDDEN');
  });

  it('refuses every transition the states do not allow', () => {
    const closed = run(
      investigating,
      { kind: 'decide', outcome: 'kyc_declined', reasonCode: 'DOC_FORGED' },
      ann,
    );
    expect(code(() => run(closed, { kind: 'start' }, ann))).toBe('INVALID_TRANSITION');
    expect(code(() => run(closed, { kind: 'assign', to: bob.id }, ann))).toBe('INVALID_TRANSITION');
    expect(
      code(() => run(closed, { kind: 'decide', outcome: 'kyc_approved', reasonCode: 'AGAIN' }, ann)),
    ).toBe('INVALID_TRANSITION');
    expect(code(() => run(investigating, { kind: 'start' }, ann))).toBe('INVALID_TRANSITION');
    expect(code(() => run(investigating, { kind: 'approve', reasonCode: 'OK_OK' }, sue))).toBe(
      'INVALID_TRANSITION',
    );
    // Reopening a closed case is a senior officer's, with a reason.
    expect(code(() => run(closed, { kind: 'reopen', reasonCode: 'NEW_EVIDENCE' }, ann))).toBe('FORBIDDEN');
    expect(run(closed, { kind: 'reopen', reasonCode: 'NEW_EVIDENCE' }, sue)).toMatchObject({
      state: 'investigating',
      outcome: null,
    });
  });

  it('knows exactly the documented outcomes', () => {
    expect(
      code(() =>
        run(
          investigating,
          { kind: 'decide', outcome: 'shrugged' as (typeof CASE_OUTCOMES)[number], reasonCode: 'WHY_NOT' },
          ann,
        ),
      ),
    ).toBe('UNKNOWN_OUTCOME');
  });
});
