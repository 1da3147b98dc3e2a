import { chain, GENESIS, verifyTrail, type TrailEvent } from '../../../shared/domain/cases/trail';

const body = (n: number) => ({
  caseId: 'case-1',
  actor: `officer-${n}@bank.test`,
  action: n === 1 ? 'case_opened' : 'note_added',
  reasonCode: null,
  before: n === 1 ? null : { notes: n - 1 },
  after: { notes: n },
  requestId: `req-${n}`,
  at: `2026-12-04T10:0${n}:00.000Z`,
});

function trail(n: number): TrailEvent[] {
  const out: TrailEvent[] = [];
  for (let i = 1; i <= n; i++) out.push(chain(out[out.length - 1], body(i)));
  return out;
}
const mirrorOf = (events: TrailEvent[]) => events.map((e) => ({ seq: e.seq, hash: e.hash }));

describe('hash-chained case trail', () => {
  it('chains each event to the one before, from the genesis hash', () => {
    const t = trail(3);
    expect(t.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(t[0].prevHash).toBe(GENESIS);
    expect(t[1].prevHash).toBe(t[0].hash);
    expect(verifyTrail(t, mirrorOf(t))).toEqual([]);
  });

  it('hashes content, not key order', () => {
    const a = chain(undefined, body(1));
    const reordered = chain(undefined, { ...body(1), after: { notes: 1 }, before: null });
    expect(reordered.hash).toBe(a.hash);
    expect(chain(undefined, { ...body(1), reasonCode: 'X_Y' }).hash).not.toBe(a.hash);
  });

  it('detects an edited event', () => {
    const t = trail(4);
    t[1] = { ...t[1], actor: 'someone-else@bank.test' };
    expect(verifyTrail(t)).toEqual([{ seq: 2, problem: 'EDITED', detail: expect.any(String) }]);
  });

  it('detects a deleted event in the middle', () => {
    const t = trail(4);
    t.splice(1, 1);
    expect(verifyTrail(t).map((p) => [p.seq, p.problem])).toEqual([[2, 'MISSING']]);
  });

  it('detects a deleted last event and a consistently rewritten chain against the warehouse mirror', () => {
    const t = trail(4);
    const mirror = mirrorOf(t);
    // The last event deleted: the chain alone still verifies.
    expect(verifyTrail(t.slice(0, 3))).toEqual([]);
    expect(verifyTrail(t.slice(0, 3), mirror).map((p) => [p.seq, p.problem])).toEqual([
      [4, 'MISSING_FROM_STORE'],
    ]);
    // Event 2 rewritten and every later hash recomputed: a valid chain, but not the one the warehouse saw.
    const rewritten: TrailEvent[] = [t[0]];
    for (let i = 2; i <= 4; i++)
      rewritten.push(
        chain(
          rewritten[rewritten.length - 1],
          i === 2 ? { ...body(2), actor: 'mallory@bank.test' } : body(i),
        ),
      );
    expect(verifyTrail(rewritten)).toEqual([]);
    expect(verifyTrail(rewritten, mirror).map((p) => [p.seq, p.problem])).toEqual([
      [2, 'MIRROR_DIFFERS'],
      [3, 'MIRROR_DIFFERS'],
      [4, 'MIRROR_DIFFERS'],
    ]);
  });

  it('reports events not mirrored yet', () => {
    const t = trail(3);
    expect(verifyTrail(t, mirrorOf(t.slice(0, 2))).map((p) => [p.seq, p.problem])).toEqual([
      [3, 'NOT_IN_MIRROR'],
    ]);
  });
});
