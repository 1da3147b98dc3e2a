/** Cases on the Firestore emulator: two alerts about one subject arriving at once open one case, not two. */
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { verifyTrail } from '../../../shared/domain/cases/trail';
import { systemClock } from '../../../shared/platform/clocks';
import {
  CASE_COLLECTIONS,
  linkToCase,
  readTrail,
  type CaseDoc,
} from '../../../shared/use-cases/cases/case-store';
import { emulatorHosts, isolatedProjectId } from '../../support/env';

describe('compliance cases on Firestore (emulator)', () => {
  let store: FirestoreDocumentStore;
  beforeAll(() => {
    store = new FirestoreDocumentStore({
      projectId: isolatedProjectId('cases'),
      emulatorHost: emulatorHosts().firestoreHost,
    });
  });
  afterAll(() => store.close());

  it('opens one case for two alerts about one subject arriving at once, with a trail that verifies', async () => {
    const deps = { store, clock: systemClock };
    const at = new Date().toISOString();
    const results = await Promise.all(
      ['aa_x1', 'aa_x2'].map((id) =>
        linkToCase(deps, 'user-concurrent', { kind: 'aml_alert', id, severity: 'WARNING', at }, `req-${id}`),
      ),
    );
    expect(results.map((r) => r.outcome).sort()).toEqual(['joined', 'opened']);
    expect(new Set(results.map((r) => r.caseId)).size).toBe(1);
    const cases = await store.query<CaseDoc>(CASE_COLLECTIONS.cases, [
      { field: 'subjectId', op: '==', value: 'user-concurrent' },
    ]);
    expect(cases).toHaveLength(1);
    expect(cases[0].data.links.map((l) => l.id).sort()).toEqual(['aa_x1', 'aa_x2']);
    const trail = await readTrail(store, results[0].caseId);
    expect(trail.map((e) => e.seq)).toEqual([1, 2]);
    expect(verifyTrail(trail)).toEqual([]);
  });
});
