/**
 * Name scoring at its edges: which words are compared at all (first-letter sound classes), long names and
 * names of many words, and the penalties that keep a common word from matching a listed one.
 */
import {
  bestPairs,
  bestPairsJaroWinkler,
  customJaroWinkler,
  jaro,
  jaroWinkler,
  token,
  tokens,
  wordCombinations,
} from '../../../shared/domain/aml/jaro-winkler';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('which words are compared', () => {
  it('compares words whose first letters sound alike, in either case', () => {
    const alike = [
      ['a', 'E', 'i', 'O', 'u', 'Y'],
      ['b', 'F', 'p', 'V'],
      ['c', 'G', 'j', 'K', 'q', 'S', 'x', 'Z'],
      ['d', 'T'],
      ['m', 'N'],
      ['h', 'W'],
    ];
    for (const group of alike) {
      const classes = new Set(group.map((l) => token(`${l}ssem`).cls));
      expect(classes.size).toBe(1);
    }
    const firsts = new Set(alike.map((group) => token(group[0]).cls));
    expect(firsts.size).toBe(alike.length);
    expect(token('lamb').cls).toBe(token('Lamb').cls);
    expect(token('lamb').cls).not.toBe(token('ramb').cls);
    expect(token('7up').cls).not.toBe(token('8up').cls);
  });

  it('keeps bytes just outside the lower-case letters as themselves', () => {
    expect(token('`x').cls).toBe(96);
    expect(token('{x').cls).toBe(123);
    expect(token('@x').cls).toBe(64);
    expect(token('').cls).toBe(-1);
  });

  it('scores "Qassem" against "Kassem" but never "Bassem"', () => {
    expect(bestPairsJaroWinkler(['qassem'], ['kassem'])).toBeGreaterThan(0.7);
    expect(bestPairsJaroWinkler(['bassem'], ['kassem'])).toBe(0);
    expect(bestPairs([], tokens(['kassem']))).toBe(0);
    expect(bestPairs(tokens(['kassem']), [])).toBe(0);
  });
});

describe('Jaro–Winkler details', () => {
  it('finds matches only within half the longer length', () => {
    // "ab" vs "ba": window 0, so no character matches in place
    expect(jaro(bytes('ab'), bytes('ba'))).toBe(0);
    // "abc" vs "bca": window 0 as well
    expect(jaro(bytes('abc'), bytes('bca'))).toBe(0);
    // "abcd" vs "badc": window 1, all four match, two transposed pairs
    expect(jaro(bytes('abcd'), bytes('badc'))).toBeCloseTo((1 + 1 + (4 - 2) / 4) / 3, 12);
    expect(jaro(bytes('abcd'), bytes('dxxa'))).toBe(0);
  });

  it('counts each character of the other word once', () => {
    // "aa" vs "a": one match, not two
    expect(jaro(bytes('aa'), bytes('a'))).toBeCloseTo((1 / 2 + 1 + 1) / 3, 12);
    expect(jaro(bytes('a'), bytes('aa'))).toBeCloseTo((1 + 1 / 2 + 1) / 3, 12);
  });

  it('scores identical long names 1 and long near-misses consistently', () => {
    const long = 'abcdefghijklmnopqrstuvwxyz'.repeat(6);
    expect(jaro(bytes(long), bytes(long))).toBe(1);
    expect(jaro(bytes(long + 'x'), bytes(long))).toBeCloseTo(
      (long.length / (long.length + 1) + 1 + 1) / 3,
      12,
    );
    expect(jaro(bytes('short'), bytes('short'))).toBe(1);
  });

  it('boosts at most four prefix letters, and only above 0.7', () => {
    const j = jaro(bytes('abcdefgh'), bytes('abcdefgx'));
    expect(jaroWinkler(bytes('abcdefgh'), bytes('abcdefgx'))).toBeCloseTo(j + 0.4 * (1 - j), 12);
    const k = jaro(bytes('abxdefgh'), bytes('abcdefgh'));
    expect(jaroWinkler(bytes('abxdefgh'), bytes('abcdefgh'))).toBeCloseTo(k + 0.2 * (1 - k), 12);
    expect(jaroWinkler(bytes('ab'), bytes('abc'), 0.7, 4)).toBeCloseTo(
      jaro(bytes('ab'), bytes('abc')) + 0.2 * (1 - jaro(bytes('ab'), bytes('abc'))),
      12,
    );
  });

  it('penalises words of very different length and words with a different first letter', () => {
    const jw = jaroWinkler(bytes('petrov'), bytes('petrovskiy'));
    expect(customJaroWinkler(bytes('petrov'), bytes('petrovskiy'))).toBeCloseTo(
      jw * (1 - (1 - 6 / 10) * 0.3),
      12,
    );
    // 9 of 10 letters: at the cutoff, no length penalty
    expect(customJaroWinkler(bytes('abcdefghi'), bytes('abcdefghij'))).toBeCloseTo(
      jaroWinkler(bytes('abcdefghi'), bytes('abcdefghij')),
      12,
    );
    expect(customJaroWinkler(bytes('kassem'), bytes('qassem'))).toBeCloseTo(
      jaroWinkler(bytes('kassem'), bytes('qassem')) * 0.9,
      12,
    );
  });
});

describe('names of many words', () => {
  it('pairs each word once, best pairs first, and scales down for listed words left unmatched', () => {
    const listed = Array.from({ length: 12 }, (_, i) => `name${String.fromCharCode(97 + i)}word`);
    const query = listed.slice(0, 10);
    const score = bestPairsJaroWinkler(query, listed);
    const matchedShare = (10 * 9) / (12 * 9);
    expect(score).toBeCloseTo(1 * (1 - (1 - matchedShare) * 0.15), 12);
    expect(bestPairsJaroWinkler(listed, listed)).toBeCloseTo(1, 12);
    const twenty = Array.from({ length: 20 }, (_, i) => `w${String.fromCharCode(97 + i)}`);
    expect(bestPairsJaroWinkler(twenty, twenty)).toBeCloseTo(1, 12);
  });

  it('joins short words with their neighbours, forward and backward', () => {
    expect(wordCombinations([])).toEqual([[]]);
    expect(wordCombinations(['solo'])).toEqual([['solo']]);
    expect(wordCombinations(['al', 'rashid', 'co'])).toEqual([
      ['al', 'rashid', 'co'],
      ['alrashid', 'co'],
      ['al', 'rashidco'],
    ]);
    expect(wordCombinations(['bank', 'of', 'x'])).toEqual([
      ['bank', 'of', 'x'],
      ['bank', 'ofx'],
      ['bankofx'],
    ]);
    // the same joins either way: listed once
    expect(wordCombinations(['ab', 'cdef'])).toEqual([['ab', 'cdef'], ['abcdef']]);
    expect(wordCombinations(['ab', 'cd', 'efgh'])).toEqual([
      ['ab', 'cd', 'efgh'],
      ['abcd', 'efgh'],
    ]);
    // the same number of words both ways, but different ones: both listed
    expect(wordCombinations(['ab', 'cdef', 'gh'])).toEqual([
      ['ab', 'cdef', 'gh'],
      ['abcdef', 'gh'],
      ['ab', 'cdefgh'],
    ]);
    // ... even when they share their first words
    expect(wordCombinations(['abcd', 'efgh', 'ij', 'klmn'])).toEqual([
      ['abcd', 'efgh', 'ij', 'klmn'],
      ['abcd', 'efgh', 'ijklmn'],
      ['abcd', 'efghij', 'klmn'],
    ]);
    // a four-byte word is not short; "é" counts two bytes
    expect(wordCombinations(['abcd', 'efgh'])).toEqual([['abcd', 'efgh']]);
    expect(wordCombinations(['éé', 'efgh'])).toEqual([['éé', 'efgh']]);
  });
});
