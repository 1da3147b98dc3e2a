import type { Actor } from '../../../shared/domain/cases/case-state';
import { verifyTrail } from '../../../shared/domain/cases/trail';
import { ManualClock } from '../../../shared/platform/clocks';
import {
  actOnCase,
  CASE_COLLECTIONS,
  linkToCase,
  readTrail,
  type CaseDoc,
  type CaseLink,
} from '../../../shared/use-cases/cases/case-store';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';

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
});
