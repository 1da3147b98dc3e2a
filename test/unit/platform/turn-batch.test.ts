import { TurnBatch } from '../../../shared/platform/turn-batch';

const turn = () => new Promise((r) => setImmediate(r));

/** A batch function that records what it was asked and doubles each input. */
function doubling() {
  const batches: number[][] = [];
  const batch = new TurnBatch<number, number>(async (xs) => {
    batches.push(xs);
    return xs.map((x) => x * 2);
  }, 3);
  return { batch, batches };
}

describe('TurnBatch', () => {
  it('hands the calls of one turn to run together and answers each caller with its own result', async () => {
    const { batch, batches } = doubling();
    const answers = Promise.all([batch.add(1), batch.add(2)]);
    expect(batch.pending).toBe(2);
    expect(batches).toEqual([]); // nothing goes before the turn ends
    expect(await answers).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('starts a new batch for calls made in a later turn', async () => {
    const { batch, batches } = doubling();
    const first = batch.add(1);
    await turn();
    const second = batch.add(5);
    expect(await Promise.all([first, second])).toEqual([2, 10]);
    expect(batches).toEqual([[1], [5]]);
  });

  it('sends a full batch at once and the rest at the end of the turn', async () => {
    const { batch, batches } = doubling();
    const answers = [1, 2, 3, 4].map((x) => batch.add(x));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(batch.pending).toBe(1);
    expect(await Promise.all(answers)).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every caller of a failed batch, and the next batch runs', async () => {
    let fail = true;
    const batch = new TurnBatch<string, string>(async (xs) => {
      if (fail) throw new Error('store unavailable');
      return xs.map((x) => x.toUpperCase());
    }, 10);
    const a = batch.add('a');
    const b = batch.add('b');
    await expect(a).rejects.toThrow('store unavailable');
    await expect(b).rejects.toThrow('store unavailable');
    fail = false;
    expect(await batch.add('c')).toBe('C');
  });

  it('rejects the callers when the batch is answered with the wrong number of results', async () => {
    const batch = new TurnBatch<number, number>(async (xs) => xs.slice(1), 10);
    const a = batch.add(1);
    const b = batch.add(2);
    await expect(a).rejects.toThrow('a batch of 2 was answered with 1 result(s)');
    await expect(b).rejects.toThrow('a batch of 2 was answered with 1 result(s)');
  });

  it('refuses a batch size that is not a whole number of at least one', () => {
    for (const size of [0, -1, 1.5, Number.NaN])
      expect(() => new TurnBatch(async (xs: number[]) => xs, size)).toThrow(/whole number ≥ 1/);
  });

  describe('as a group commit (maxInFlight)', () => {
    /** A batch function whose batches stay out until released. */
    function held(maxSize: number, maxInFlight: number, weight?: (x: number[]) => number) {
      const batches: number[][][] = [];
      const open: (() => void)[] = [];
      const batch = new TurnBatch<number[], number>(
        async (xs) => {
          batches.push(xs);
          await new Promise<void>((r) => open.push(r));
          return xs.map((x) => x.length);
        },
        maxSize,
        { maxInFlight, weight },
      );
      return { batch, batches, release: () => open.splice(0).forEach((r) => r()) };
    }

    it('queues calls while every slot is out and sends them together when one comes back', async () => {
      const { batch, batches, release } = held(100, 1);
      const first = batch.add([1]);
      await turn();
      const later = [batch.add([2]), batch.add([3])];
      await turn();
      const more = batch.add([4]);
      await turn();
      expect(batches).toEqual([[[1]]]);
      expect(batch.pending).toBe(3);
      release();
      expect(await first).toBe(1);
      await turn();
      expect(batches).toEqual([[[1]], [[2], [3], [4]]]);
      release();
      expect(await Promise.all([...later, more])).toEqual([1, 1, 1]);
    });

    it('weighs inputs against maxSize and never splits one', async () => {
      const { batch, batches, release } = held(4, 10, (x) => x.length);
      const all = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10, 11]].map((x) => batch.add(x));
      // Full at [4, 5] (weight 5): [1, 2, 3] goes, and [4, 5] with it as the next would pass 4; the same at the end.
      expect(batches).toEqual([[[1, 2, 3]], [[4, 5]], [[6]], [[7, 8, 9, 10, 11]]]);
      const late = [batch.add([12]), batch.add([13, 14])];
      await turn();
      expect(batches.at(-1)).toEqual([[12], [13, 14]]);
      all.push(...late);
      release();
      expect(await Promise.all(all)).toEqual([3, 2, 1, 5, 1, 2]);
    });

    it('idle() waits for what is queued and out', async () => {
      const { batch, release } = held(100, 1);
      const a = batch.add([1]);
      await turn();
      const b = batch.add([2]);
      let idle = false;
      const waiting = batch.idle().then(() => (idle = true));
      release();
      await a;
      await turn();
      expect(idle).toBe(false); // [2] is out now
      release();
      await Promise.all([b, waiting]);
      expect(idle).toBe(true);
    });

    it('refuses fewer than one batch in flight', () => {
      expect(() => new TurnBatch(async (xs: number[]) => xs, 1, { maxInFlight: 0 })).toThrow(/at least 1/);
    });
  });
});
