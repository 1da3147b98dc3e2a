import {
  approvalNote,
  DEFAULT_FILTERS,
  dueText,
  FOUR_EYES,
  offeredActions,
  OUTCOMES,
  queueQuery,
  reasonCodeProblem,
  shortCaseId,
  slaAt,
  slaDisplay,
} from '../../dashboard/src/case-rules';
import { parseConfig } from '../../dashboard/src/config';
import { caseHref, parseRoute } from '../../dashboard/src/router';

const ANN = { id: 'ann@bank.test', roles: ['officer' as const] };
const SUE = { id: 'sue@bank.test', roles: ['senior_officer' as const, 'officer' as const] };
const TOM = { id: 'tom@bank.test', roles: ['senior_officer' as const] };
const AUD = { id: 'aud@bank.test', roles: ['auditor' as const] };

const pending = (proposedBy: string) => ({
  state: 'pending_second_approval' as const,
  assignee: ANN.id,
  pending: {
    outcome: 'sar_filed' as const,
    reasonCode: 'X_Y',
    proposedBy,
    proposedAt: '2025-01-01T00:00:00Z',
  },
});
const sorted = (s: Set<string>) => [...s].sort();

describe('compliance page display rules', () => {
  it('labels SLA states in text, marker and colour — never colour alone', () => {
    expect(slaDisplay('breached')).toMatchObject({ label: 'breached', marker: '✖', background: '#a00000' });
    expect(slaDisplay('at_risk')).toMatchObject({ label: 'at risk', marker: '▲', background: '#f2c230' });
    expect(slaDisplay('ok')).toMatchObject({ label: 'on time', marker: '●', background: '#1b7f3b' });
    const labels = (['ok', 'at_risk', 'breached'] as const).map((s) => slaDisplay(s).label);
    expect(new Set(labels).size).toBe(3);
  });

  it('moves to at risk at atRiskAt itself and to breached at the deadline itself, as the API does', () => {
    const c = {
      state: 'open' as const,
      atRiskAt: '2025-01-01T03:00:00.000Z',
      dueAt: '2025-01-01T04:00:00.000Z',
    };
    const at = (iso: string, delta = 0) => slaAt(c, Date.parse(iso) + delta);
    expect(at(c.atRiskAt, -1)).toBe('ok');
    expect(at(c.atRiskAt)).toBe('at_risk');
    expect(at(c.dueAt, -1)).toBe('at_risk');
    expect(at(c.dueAt)).toBe('breached');
    // A decided case is on time whatever its clock says.
    expect(slaAt({ ...c, state: 'closed' }, Date.parse(c.dueAt) + 1e9)).toBe('ok');
  });

  it('says how long is left rounded toward less time, and how late past the deadline', () => {
    const due = Date.parse('2025-01-01T04:00:00Z');
    const iso = '2025-01-01T04:00:00Z';
    expect(dueText(iso, due)).toBe('due now');
    expect(dueText(iso, due - 59_999)).toBe('due in under a minute');
    expect(dueText(iso, due - 60_000)).toBe('due in 1 min');
    expect(dueText(iso, due - 119_999)).toBe('due in 1 min');
    expect(dueText(iso, due - 3_600_000)).toBe('due in 1 h');
    expect(dueText(iso, due - 3_660_000 - 59_000)).toBe('due in 1 h 1 min');
    expect(dueText(iso, due + 1)).toBe('overdue by 1 min');
    expect(dueText(iso, due + 60_001)).toBe('overdue by 2 min');
    expect(dueText(iso, due + 3 * 86_400_000)).toBe('overdue by 3 d 0 h');
  });

  it('accepts UPPER_SNAKE_CASE reason codes only, saying why', () => {
    for (const ok of ['AGREED', 'SANCTIONED_EXCHANGE', 'A1', 'DUP_2', `A${'B'.repeat(63)}`])
      expect(reasonCodeProblem(ok)).toBeNull();
    expect(reasonCodeProblem('')).toBe('A reason code is required.');
    for (const bad of [
      'A',
      'agreed',
      'Agreed',
      '_AGREED',
      '1AGREED',
      'SANCTIONED EXCHANGE',
      'DUP-2',
      `A${'B'.repeat(64)}`,
    ])
      expect(reasonCodeProblem(bad)).toMatch(/UPPER_SNAKE_CASE/);
  });

  it('offers an officer the work on an open case, a senior the colleague’s case, an auditor nothing', () => {
    const open = { state: 'open' as const, assignee: null, pending: null };
    expect(sorted(offeredActions(ANN, open))).toEqual(['assign', 'claim', 'decide', 'note', 'start']);
    const bobs = { ...open, state: 'investigating' as const, assignee: 'bob@bank.test' };
    expect(sorted(offeredActions(ANN, bobs))).toEqual(['decide', 'note']);
    expect(sorted(offeredActions(SUE, bobs))).toEqual(['assign', 'decide', 'note']);
    expect(sorted(offeredActions(ANN, { ...bobs, assignee: ANN.id }))).toEqual(['assign', 'decide', 'note']);
    for (const c of [
      open,
      bobs,
      pending(ANN.id),
      { state: 'closed' as const, assignee: null, pending: null },
    ])
      expect(offeredActions(AUD, c).size).toBe(0);
  });

  it('offers approve and reject to a senior officer other than the proposer only', () => {
    expect(sorted(offeredActions(TOM, pending(SUE.id)))).toEqual(['approve', 'assign', 'note', 'reject']);
    expect(offeredActions(SUE, pending(SUE.id)).has('approve')).toBe(false);
    expect(offeredActions(ANN, pending(SUE.id)).has('approve')).toBe(false);
    expect(offeredActions(SUE, pending(ANN.id)).has('approve')).toBe(true);
    expect(approvalNote(SUE, pending(SUE.id))).toMatch(/You proposed/);
    expect(approvalNote(ANN, pending(SUE.id))).toMatch(/senior officer/);
    expect(approvalNote(TOM, pending(SUE.id))).toBeNull();
    // No decision on a pending or closed case; reopening is a senior's.
    expect(offeredActions(SUE, pending(ANN.id)).has('decide')).toBe(false);
    const closed = { state: 'closed' as const, assignee: ANN.id, pending: null };
    expect(sorted(offeredActions(SUE, closed))).toEqual(['note', 'reopen']);
    expect(sorted(offeredActions(ANN, closed))).toEqual(['note']);
  });

  it('knows the six outcomes and the three that need four eyes', () => {
    expect(OUTCOMES).toHaveLength(6);
    expect([...FOUR_EYES].sort()).toEqual(['customer_blocked', 'sanctions_match_confirmed', 'sar_filed']);
  });

  it('builds the queue query from the filters and the page cursor', () => {
    expect(queueQuery(DEFAULT_FILTERS)).toBe('?limit=25');
    expect(
      queueQuery({ status: 'all', assignee: 'mine', severity: 'CRITICAL', sla: 'at_risk' }, 'abc', 10),
    ).toBe(
      '?status=open%2Cinvestigating%2Cpending_second_approval%2Cclosed&assignee=mine&severity=CRITICAL&sla=at_risk&limit=10&cursor=abc',
    );
    expect(queueQuery({ ...DEFAULT_FILTERS, status: 'closed', assignee: 'unassigned' })).toBe(
      '?status=closed&assignee=unassigned&limit=25',
    );
  });

  it('routes #/cases and #/cases/<id>, and reads casesApiUrl from the config', () => {
    const id = 'cs_0123456789abcdef0123456789abcdef';
    expect(parseRoute('#/cases', 'd')).toEqual({ page: 'cases' });
    expect(parseRoute(caseHref(id), 'd')).toEqual({ page: 'case', caseId: id });
    expect(parseRoute('#/cases/%E0%A4%A', 'd')).toEqual({ page: 'cases' });
    expect(shortCaseId(id)).toBe('cs_01234567…');
    const base = { apiBaseUrl: 'http://x', auth: 'local' };
    expect(parseConfig(base).casesApiUrl).toBeUndefined();
    expect(parseConfig({ ...base, casesApiUrl: 'http://x/compliance-cases' }).casesApiUrl).toBe(
      'http://x/compliance-cases',
    );
    expect(() => parseConfig({ ...base, casesApiUrl: 'javascript:alert(1)' })).toThrow(/casesApiUrl/);
  });
});
