import type { Actor } from '../../../shared/domain/cases/case-state';
import { verifyTrail } from '../../../shared/domain/cases/trail';
import { ManualClock } from '../../../shared/platform/clocks';
import {
  actOnCase,
  addNote,
  CASE_COLLECTIONS,
  linkToCase,
  readTrail,
  recordPersonalDataView,
  type CaseDoc,
  type CaseLink,
} from '../../../shared/use-cases/cases/case-store';
import { sweepCaseMirror } from '../../../shared/use-cases/cases/case-mirror';
import { DevKeyCipher } from '../../../shared/adapters/local/dev-key-cipher';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryWarehouse } from '../../support/memory/memory-warehouse';

const ann: Actor = { id: 'ann@bank.test', roles: ['officer'] };
const sue: Actor = { id: 'sue@bank.test', roles: ['senior_officer'] };
const alert = (id: string, severity: CaseLink['severity'] = 'WARNING'): CaseLink => ({
  kind: 'aml_alert',
  id,
  severity,
  at: '2026-12-04T09:00:00.000Z',
});

function setup() {
  const deps = { store: new MemoryDocumentStore(), clock: new ManualClock('2026-12-04T10:00:00Z') };
  const caseOf = (id: string) => deps.store.get<CaseDoc>(CASE_COLLECTIONS.cases, id);
  return { deps, caseOf };
}

describe('compliance case store', () => {
  it("opens one case per subject; the subject's next concerns join it, each once", async () => {
    const { deps, caseOf } = setup();
    const first = await linkToCase(deps, 'user-1', alert('aa_1'), 'r1');
    expect(first.outcome).toBe('opened');
    expect((await linkToCase(deps, 'user-1', alert('aa_2', 'CRITICAL'), 'r2')).outcome).toBe('joined');
    expect(await linkToCase(deps, 'user-1', alert('aa_2', 'CRITICAL'), 'r3')).toEqual({
      caseId: first.caseId,
      outcome: 'already-linked',
    });
    const c = await caseOf(first.caseId);
    expect(c).toMatchObject({ subjectId: 'user-1', severity: 'CRITICAL', version: 2, lastSeq: 2 });
    expect(c?.links.map((l) => l.id)).toEqual(['aa_1', 'aa_2']);
    expect((await linkToCase(deps, 'user-2', alert('aa_3'), 'r4')).caseId).not.toBe(first.caseId);
  });

  it('writes every change with its trail event, and the trail verifies', async () => {
    const { deps } = setup();
    const { caseId } = await linkToCase(deps, 'user-1', alert('aa_1'), 'r1');
    await linkToCase(deps, 'user-1', alert('aa_2'), 'r2');
    expect((await actOnCase(deps, caseId, { kind: 'start' }, ann, 2, 'r3')).kind).toBe('ok');
    const t = await readTrail(deps.store, caseId);
    expect(t.map((e) => [e.seq, e.action, e.actor, e.requestId])).toEqual([
      [1, 'case_opened', 'system', 'r1'],
      [2, 'aml_alert_linked', 'system', 'r2'],
      [3, 'start', ann.id, 'r3'],
    ]);
    expect(verifyTrail(t)).toEqual([]);
  });

  it('answers a stale edit with a conflict and the current version, changing nothing', async () => {
    const { deps, caseOf } = setup();
    const { caseId } = await linkToCase(deps, 'user-1', alert('aa_1'), 'r1');
    expect(await actOnCase(deps, caseId, { kind: 'start' }, ann, 1, 'r2')).toMatchObject({ kind: 'ok' });
    // A second officer still looking at version 1.
    expect(await actOnCase(deps, caseId, { kind: 'assign', to: sue.id }, ann, 1, 'r3')).toEqual({
      kind: 'conflict',
      currentVersion: 2,
    });
    expect((await caseOf(caseId))?.status.assignee).toBe(ann.id);
    expect(await actOnCase(deps, 'cs_nope', { kind: 'start' }, ann, 0, 'r4')).toEqual({ kind: 'not-found' });
  });

  it('goes through four eyes for a report, and a closed case lets the next alert open a new one', async () => {
    const { deps, caseOf } = setup();
    const { caseId } = await linkToCase(deps, 'user-1', alert('aa_1'), 'r1');
    await actOnCase(deps, caseId, { kind: 'start' }, ann, 1, 'r2');
    await actOnCase(
      deps,
      caseId,
      { kind: 'decide', outcome: 'sar_filed', reasonCode: 'STRUCTURING' },
      ann,
      2,
      'r3',
    );
    expect(
      await actOnCase(deps, caseId, { kind: 'approve', reasonCode: 'AGREED' }, ann, 3, 'r4'),
    ).toMatchObject({
      kind: 'refused',
      code: 'FORBIDDEN',
    });
    expect(
      await actOnCase(deps, caseId, { kind: 'approve', reasonCode: 'AGREED' }, sue, 3, 'r5'),
    ).toMatchObject({
      kind: 'ok',
    });
    expect((await caseOf(caseId))?.status).toMatchObject({
      state: 'closed',
      outcome: 'sar_filed',
      decidedBy: [ann.id, sue.id],
    });
    const next = await linkToCase(deps, 'user-1', alert('aa_9'), 'r6');
    expect(next.outcome).toBe('opened');
    expect(next.caseId).not.toBe(caseId);
  });

  it('mirrors each event to compliance.case_events right after its commit, and the sweep catches up after an outage', async () => {
    const { deps } = setup();
    const warehouse = new MemoryWarehouse();
    const mirrored = { ...deps, warehouse };
    const { caseId } = await linkToCase(mirrored, 'user-1', alert('aa_1'), 'r1');
    expect(warehouse.rows('compliance.case_events').map((r) => [r.seq, r.action, r.case_state])).toEqual([
      [1, 'case_opened', 'open'],
    ]);
    warehouse.failNext = 1;
    await actOnCase(mirrored, caseId, { kind: 'start' }, ann, 1, 'r2');
    // The event is committed and queued; the warehouse has not got it yet.
    expect((await readTrail(deps.store, caseId)).map((e) => e.seq)).toEqual([1, 2]);
    expect(warehouse.rows('compliance.case_events')).toHaveLength(1);
    expect(await sweepCaseMirror({ store: deps.store, warehouse })).toBe(1);
    const rows = warehouse.rows('compliance.case_events');
    expect(rows.map((r) => [r.seq, r.action, r.case_state, r.actor])).toEqual([
      [1, 'case_opened', 'open', 'system'],
      [2, 'start', 'investigating', ann.id],
    ]);
    const trail = await readTrail(deps.store, caseId);
    expect(rows.map((r) => r.hash)).toEqual(trail.map((e) => e.hash));
    expect(await sweepCaseMirror({ store: deps.store, warehouse })).toBe(0);
  });

  it('keeps the earliest deadline a concern brings, and records first touch and decision times', async () => {
    const { deps, caseOf } = setup();
    const { caseId } = await linkToCase(deps, 'user-1', alert('aa_1', 'INFO'), 'r1');
    expect(await caseOf(caseId)).toMatchObject({ dueAt: '2026-12-07T10:00:00.000Z', firstTouchedAt: null });
    deps.clock.advance(3_600_000);
    await linkToCase(deps, 'user-1', { ...alert('aa_2', 'CRITICAL'), ruleId: 'structuring.24h' }, 'r2');
    expect(await caseOf(caseId)).toMatchObject({
      severity: 'CRITICAL',
      dueAt: '2026-12-04T15:00:00.000Z',
      atRiskAt: '2026-12-04T14:00:00.000Z',
      rules: ['structuring.24h'],
    });
    deps.clock.advance(60_000);
    await actOnCase(deps, caseId, { kind: 'claim' }, ann, 2, 'r3');
    deps.clock.advance(60_000);
    await actOnCase(
      deps,
      caseId,
      { kind: 'decide', outcome: 'cleared_false_positive', reasonCode: 'NAME_ONLY_MATCH' },
      ann,
      3,
      'r4',
    );
    expect(await caseOf(caseId)).toMatchObject({
      state: 'closed',
      open: false,
      firstTouchedAt: '2026-12-04T11:01:00.000Z',
      decidedAt: '2026-12-04T11:02:00.000Z',
    });
  });

  it('lets an officer claim only an unassigned case and only a senior officer take one from a colleague', async () => {
    const { deps } = setup();
    const bob: Actor = { id: 'bob@bank.test', roles: ['officer'] };
    const { caseId } = await linkToCase(deps, 'user-1', alert('aa_1'), 'r1');
    expect(await actOnCase(deps, caseId, { kind: 'claim' }, ann, 1, 'r2')).toMatchObject({ kind: 'ok' });
    expect(await actOnCase(deps, caseId, { kind: 'claim' }, bob, 2, 'r3')).toMatchObject({
      kind: 'refused',
      code: 'INVALID_TRANSITION',
    });
    expect(await actOnCase(deps, caseId, { kind: 'assign', to: bob.id }, bob, 2, 'r4')).toMatchObject({
      kind: 'refused',
      code: 'FORBIDDEN',
    });
    expect(await actOnCase(deps, caseId, { kind: 'assign', to: bob.id }, sue, 2, 'r5')).toMatchObject({
      kind: 'ok',
      case: { status: { assignee: bob.id } },
    });
  });

  it('keeps notes encrypted on the trail, and records a view of personal data without changing the version', async () => {
    const { deps, caseOf } = setup();
    const cipher = new DevKeyCipher({ ENVIRONMENT: 'local' });
    const { caseId } = await linkToCase(deps, 'user-1', alert('aa_1'), 'r1');
    const sealed = await cipher.encrypt(
      Buffer.from('Spoke to Jane Doe, DOB 1980-01-01'),
      `case-note:${caseId}`,
    );
    expect(await addNote(deps, caseId, sealed, ann, 1, 'r2')).toMatchObject({
      kind: 'ok',
      case: { version: 2, notes: 1 },
    });
    const auditor: Actor = { id: 'aud@bank.test', roles: ['auditor'] };
    expect(await addNote(deps, caseId, sealed, auditor, 2, 'r3')).toMatchObject({
      kind: 'refused',
      code: 'FORBIDDEN',
    });
    await recordPersonalDataView(deps, caseId, ann, ['notes'], 'r4');
    expect(await caseOf(caseId)).toMatchObject({ version: 2, lastSeq: 3 });
    const trail = await readTrail(deps.store, caseId);
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ['case_opened', 'system'],
      ['note', ann.id],
      ['personal_data_viewed', ann.id],
    ]);
    expect(JSON.stringify(trail)).not.toContain('Jane');
    expect(verifyTrail(trail)).toEqual([]);
  });

  it('will not reopen a closed case while the customer has another open one', async () => {
    const { deps } = setup();
    const { caseId } = await linkToCase(deps, 'user-1', alert('aa_1'), 'r1');
    await actOnCase(
      deps,
      caseId,
      { kind: 'decide', outcome: 'cleared_false_positive', reasonCode: 'NO_MATCH' },
      ann,
      1,
      'r2',
    );
    const second = await linkToCase(deps, 'user-1', alert('aa_2'), 'r3');
    expect(second.outcome).toBe('opened');
    expect(
      await actOnCase(deps, caseId, { kind: 'reopen', reasonCode: 'NEW_EVIDENCE' }, sue, 2, 'r4'),
    ).toMatchObject({
      kind: 'refused',
      code: 'INVALID_TRANSITION',
    });
  });
});
