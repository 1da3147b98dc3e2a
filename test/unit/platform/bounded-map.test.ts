import { BoundedMap } from '../../../shared/platform/bounded-map';

describe('BoundedMap', () => {
  it('keeps the last `capacity` entries and drops the oldest first, through onEvict', () => {
    const evicted: string[] = [];
    const m = new BoundedMap<string, number>(3, (v, k) => evicted.push(`${k}=${v}`));
    ['a', 'b', 'c', 'd'].forEach((k, i) => m.set(k, i));
    expect(['a', 'b', 'c', 'd'].map((k) => m.has(k))).toEqual([false, true, true, true]);
    expect(m.size).toBe(3);
    expect(evicted).toEqual(['a=0']);
  });

  it('counts an entry set again as the newest; get leaves the order, use makes it the newest', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    m.set('c', 4);
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([3, undefined, 4]);
    expect(m.get('a')).toBe(3); // read without use: 'a' is still the oldest
    m.set('d', 5);
    expect(m.has('a')).toBe(false);
    expect(m.use('c')).toBe(4); // now the newest
    m.set('e', 6);
    expect([m.has('c'), m.has('d'), m.has('e')]).toEqual([true, false, true]);
    expect(m.use('missing')).toBeUndefined();
  });

  it('evicts in the same order as a plain list would over many sets, uses and clears', () => {
    // The map keeps one iterator between evictions; this checks its order against the obvious model.
    const evicted: string[] = [];
    const m = new BoundedMap<string, number>(7, (_, k) => evicted.push(k));
    let model: string[] = [];
    const modelEvicted: string[] = [];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 5_000; step++) {
      const key = `k${Math.floor(random() * 20)}`;
      const r = random();
      if (r < 0.6) {
        m.set(key, step);
        model = [...model.filter((k) => k !== key), key];
        while (model.length > 7) modelEvicted.push(model.shift() as string);
      } else if (r < 0.98) {
        if (m.use(key) !== undefined) model = [...model.filter((k) => k !== key), key];
      } else {
        m.clear();
        modelEvicted.push(...model);
        model = [];
      }
    }
    expect(evicted).toEqual(modelEvicted);
    expect(model.every((k) => m.has(k))).toBe(true);
    expect(m.size).toBe(model.length);
  });

  it('clear hands every entry to onEvict', () => {
    const evicted: string[] = [];
    const m = new BoundedMap<string, number>(5, (_, k) => evicted.push(k));
    m.set('a', 1);
    m.set('b', 2);
    m.clear();
    expect(evicted).toEqual(['a', 'b']);
    expect(m.size).toBe(0);
  });

  it('refuses a capacity that is not a whole number of at least one', () => {
    for (const c of [0, -1, 2.5, Number.NaN]) expect(() => new BoundedMap(c)).toThrow(/whole number ≥ 1/);
  });
});
