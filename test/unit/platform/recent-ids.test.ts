import { RecentIds } from '../../../shared/platform/recent-ids';

describe('RecentIds', () => {
  it('remembers the last `capacity` ids and forgets the oldest first', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'd']) ids.add(id);
    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
    expect(ids.size).toBe(3);
  });

  it('counts an id added again as the newest', () => {
    const ids = new RecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('a');
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c')]).toEqual([true, false, true]);
  });

  it('refuses a capacity that is not a whole number of at least one', () => {
    for (const c of [0, -1, 2.5, Number.NaN]) expect(() => new RecentIds(c)).toThrow(/whole number ≥ 1/);
  });
});
