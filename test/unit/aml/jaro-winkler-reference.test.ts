/**
 * The screening scorer against the algorithm as published, written plainly: fresh arrays per call, no scratch
 * buffers, no insertion sort. The scorer reuses buffers across calls for speed, so random names of every length
 * (longer than the first buffers, shorter after longer ones) must score exactly as the plain form does.
 */
import { seededRandom } from '../../../local-stack/seeded-random';
import {
  bestPairs,
  customJaroWinkler,
  jaro,
  token,
  type Token,
} from '../../../shared/domain/aml/jaro-winkler';

/** smetrics' Jaro: greedy matches within the window, half the out-of-order matches as transpositions. */
function plainJaro(a: Uint8Array, b: Uint8Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const range = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const matchedA = a.map(() => 0);
  const matchedB = b.map(() => 0);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - range); j <= Math.min(b.length - 1, i + range); j++) {
      if (!matchedB[j] && a[i] === b[j]) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        m++;
        break;
      }
    }
  }
  if (m === 0) return 0;
  const inB = b.filter((_, j) => matchedB[j]);
  const inA = a.filter((_, i) => matchedA[i]);
  const unaligned = inA.filter((x, k) => x !== inB[k]).length;
  return (m / a.length + m / b.length + (m - Math.floor(unaligned / 2)) / m) / 3;
}

/** watchman's BestPairsJaroWinkler: all same-class pairs, best first (ties in order), each token once. */
function plainBestPairs(search: Token[], indexed: Token[]): number {
  const pairs = search.flatMap((st, s) =>
    indexed.flatMap((it, i) =>
      it.cls === st.cls ? [{ score: customJaroWinkler(it.bytes, st.bytes), s, i }] : [],
    ),
  );
  pairs.sort((x, y) => y.score - x.score);
  const usedS = new Set<number>();
  const usedI = new Set<number>();
  let weighted = 0;
  let matched = 0;
  for (const p of pairs) {
    if (usedS.has(p.s) || usedI.has(p.i)) continue;
    usedS.add(p.s);
    usedI.add(p.i);
    weighted += p.score * (search[p.s].bytes.length + indexed[p.i].bytes.length);
    matched += indexed[p.i].bytes.length;
  }
  const searchLength = search.reduce((n, t) => n + t.bytes.length, 0);
  const indexLength = indexed.reduce((n, t) => n + t.bytes.length, 0);
  if (searchLength + matched === 0 || indexLength === 0) return 0;
  return (weighted / (searchLength + matched)) * (1 - (1 - matched / indexLength) * 0.15);
}

/** Words over a small alphabet, so matches, transpositions and same-class pairs are common. */
function word(random: () => number, maxLength: number): string {
  const n = Math.floor(random() * (maxLength + 1));
  return Array.from({ length: n }, () => 'abcdsk'[Math.floor(random() * 6)]).join('');
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('the scorer matches the plainly written algorithm', () => {
  it('Jaro of 3,000 random pairs up to 200 letters, long and short interleaved', () => {
    const random = seededRandom(7);
    for (let k = 0; k < 3000; k++) {
      const max = [3, 12, 70, 200][k % 4];
      const a = bytes(word(random, max));
      const b = bytes(word(random, [200, 5, 90, 12][k % 4]));
      expect([a.length, b.length, jaro(a, b)]).toEqual([a.length, b.length, plainJaro(a, b)]);
    }
  });

  it('best pairs of 1,500 random names of up to 24 words each way', () => {
    const random = seededRandom(11);
    const name = (words: number) =>
      Array.from({ length: Math.floor(random() * (words + 1)) }, () => token(word(random, 9)));
    for (let k = 0; k < 1500; k++) {
      const search = name([2, 24, 6, 12][k % 4]);
      const indexed = name([24, 3, 12, 6][k % 4]);
      const want = plainBestPairs(search, indexed);
      expect(bestPairs(search, indexed)).toBeCloseTo(want, 12);
    }
  });

  it('scores nothing against no words, either way round, and words that are all empty', () => {
    const some = [token('kassem'), token('ali')];
    expect(bestPairs([], some)).toBe(0);
    expect(bestPairs(some, [])).toBe(0);
    expect(bestPairs([], [])).toBe(0);
    expect(bestPairs([token('')], [token('')])).toBe(0);
    expect(bestPairs(some, [token('')])).toBe(0);
  });
});
