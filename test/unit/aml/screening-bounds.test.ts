/**
 * The screening prefilter is only as fast as its bounds are tight, and only as safe as they are upper bounds.
 * These tests hold each bound to its definition, written plainly here (the module comment of screening.ts):
 * a token's character-multiset signature, the Jaro–Winkler formula at the most matches two signatures allow,
 * and a name's bound as the best mean over every set of matched listed words (tried one set at a time). A
 * looser bound makes screening slower, a tighter one loses matches: either fails here.
 */
import { syntheticSdnCsv } from '../../../shared/domain/aml/data/synthetic-sdn';
import { JW_PARAMS, token, wordCombinations, type Token } from '../../../shared/domain/aml/jaro-winkler';
import { nameTokens, prepareNameForms } from '../../../shared/domain/aml/names';
import { MEMO_LIMIT, pairBound, ScreeningIndex, tokenSignature } from '../../../shared/domain/aml/screening';
import { parseSdnCsv, type SdnEntry } from '../../../shared/domain/aml/sdn-csv';
import { seededRandom } from '../../../local-stack/seeded-random';

const encode = (text: string) => new TextEncoder().encode(text);

/** How often each signature slot (byte & 31) occurs in a token. */
function slotCounts(text: string): number[] {
  const counts = new Array<number>(32).fill(0);
  for (const b of encode(text)) counts[b & 31]++;
  return counts;
}

/** Occurrences beyond the second of every slot. */
const overflow = (counts: number[]) => counts.reduce((sum, c) => sum + Math.max(0, c - 2), 0);

function plainSignature(text: string) {
  const counts = slotCounts(text);
  let once = 0;
  let twice = 0;
  counts.forEach((c, slot) => {
    if (c >= 1) once |= 1 << slot;
    if (c >= 2) twice |= 1 << slot;
  });
  const bytes = encode(text);
  return { len: bytes.length, first: bytes[0], once, twice, rest: overflow(counts) };
}

/**
 * The most Jaro matches two tokens can have by their signatures: per slot the smaller count, each side's count
 * taken up to two, plus the smaller of the two overflows; then Jaro–Winkler at that many matches, no
 * transpositions and the full prefix bonus, with the length and first-letter penalties.
 */
function plainPairBound(a: string, b: string): number {
  const ca = slotCounts(a);
  const cb = slotCounts(b);
  let m = Math.min(overflow(ca), overflow(cb));
  for (let s = 0; s < 32; s++) m += Math.min(Math.min(ca[s], 2), Math.min(cb[s], 2));
  if (m === 0) return 0;
  const la = encode(a).length;
  const lb = encode(b).length;
  const jaro = (m / la + m / lb + 1) / 3;
  let score = jaro > JW_PARAMS.boostThreshold ? jaro + 0.1 * JW_PARAMS.prefixSize * (1 - jaro) : jaro;
  const ratio = Math.min(la, lb) / Math.max(la, lb);
  if (ratio < JW_PARAMS.lengthDifferenceCutoffFactor)
    score *= 1 - (1 - ratio) * JW_PARAMS.lengthDifferencePenaltyWeight;
  if (encode(a)[0] !== encode(b)[0]) score *= JW_PARAMS.differentLetterPenaltyWeight;
  return score;
}

/** Two tokens are only compared when their first letters share a phonetic class. */
const tokenBound = (q: Token, i: Token) =>
  q.cls === i.cls ? pairBound(tokenSignature(q.text), tokenSignature(i.text)) : 0;

/** The bound of one pair of word-combination variants, every set of matched listed words tried. */
function plainVariantBound(query: Token[], listed: Token[]): number {
  const qBest = query.map((q) => Math.max(0, ...listed.map((i) => tokenBound(q, i))));
  const iBest = listed.map((i) => Math.max(0, ...query.map((q) => tokenBound(q, i))));
  const qLen = query.reduce((n, q) => n + q.bytes.length, 0);
  const qSum = query.reduce((n, q, k) => n + qBest[k] * q.bytes.length, 0);
  let mean = 0;
  for (let set = 0; set < 1 << listed.length; set++) {
    let num = qSum;
    let den = qLen;
    listed.forEach((i, k) => {
      if (set & (1 << k)) {
        num += iBest[k] * i.bytes.length;
        den += i.bytes.length;
      }
    });
    mean = Math.max(mean, num / den);
  }
  // Listed words left unmatched scale the score down; at best the longest ones are the matched ones.
  const lens = listed.map((i) => i.bytes.length).sort((x, y) => y - x);
  const covered = lens.slice(0, Math.min(query.length, listed.length)).reduce((n, l) => n + l, 0);
  const total = lens.reduce((n, l) => n + l, 0);
  return mean * (1 - (1 - covered / total) * JW_PARAMS.unmatchedIndexTokenWeight);
}

const variantsOf = (prepared: string) => wordCombinations(nameTokens(prepared)).map((v) => v.map(token));

function plainNameBound(queryPrepared: string, listedPrepared: string): number {
  let best = 0;
  for (const q of variantsOf(queryPrepared))
    for (const l of variantsOf(listedPrepared)) best = Math.max(best, plainVariantBound(q, l));
  return best;
}

/** Step 1: a listed name is looked at when one of its words (any variant) bounds a query word to minScore. */
function looksAt(queryPrepared: string, listedPrepared: string, minScore: number): boolean {
  const words = (p: string) => variantsOf(p).flat();
  return words(queryPrepared).some((q) => words(listedPrepared).some((i) => tokenBound(q, i) >= minScore));
}

const preparedOf = (e: SdnEntry) => prepareNameForms(e.name, { individual: e.type === 'individual' })[0];

describe('token bounds', () => {
  const random = seededRandom(11);
  // Few letters, digits whose slot collides with a letter's ('1' and 'q'), and two-byte letters.
  const alphabet = ['a', 'a', 'b', 'n', 'q', '1', 'r', 'e', 'é', 's', 'ü', 'z'];
  const word = () =>
    Array.from(
      { length: 1 + Math.floor(random() * 14) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join('');

  it('a signature holds the length, first byte, slots seen once and twice, and the overflow', () => {
    for (let i = 0; i < 2_000; i++) {
      const w = word();
      expect(tokenSignature(w)).toEqual(plainSignature(w));
    }
    expect(tokenSignature('aaaab')).toEqual({ len: 5, first: 97, once: 0b110, twice: 0b10, rest: 2 });
  });

  it('a pair bound is Jaro–Winkler at the most matches the signatures allow, no looser', () => {
    let repeated = 0;
    for (let i = 0; i < 6_000; i++) {
      const a = word();
      const b = random() < 0.4 ? a.slice(0, -1) + word().slice(0, 3) : word();
      if (overflow(slotCounts(a)) > 0 && overflow(slotCounts(b)) > 0) repeated++;
      expect(pairBound(tokenSignature(a), tokenSignature(b))).toBeCloseTo(plainPairBound(a, b), 12);
    }
    // Enough pairs where both tokens repeat a slot more than twice for the overflow term to matter.
    expect(repeated).toBeGreaterThan(500);
    // No shared character: 0, not the formula at m = 0.
    expect(pairBound(tokenSignature('abc'), tokenSignature('xyz'))).toBe(0);
  });
});

describe('name bounds', () => {
  const entries = parseSdnCsv(syntheticSdnCsv(300, seededRandom(5)));
  const index = ScreeningIndex.build(entries);
  const random = seededRandom(17);
  const mutate = (s: string) => {
    const i = Math.floor(random() * s.length);
    return random() < 0.5 ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + 'o' + s.slice(i);
  };

  it('looks at exactly the names holding a word that can reach the threshold, each with its best-set bound', () => {
    let looked = 0;
    let kept = 0;
    let combined = 0;
    for (let q = 0; q < 40; q++) {
      const e = entries[Math.floor(random() * entries.length)];
      const query =
        q % 4 === 3 ? `${mutate(e.name.split(/[ ,]+/)[0])} al ${mutate('Hassan')}` : mutate(e.name);
      const [queryPrepared] = prepareNameForms(query);
      const minScore = [0.7, 0.8, 0.9][q % 3];
      const bounds = index.nameBounds(query, minScore);
      const byEntry = new Map(bounds.map((b) => [b.entNum, b]));
      expect(byEntry.size).toBe(bounds.length);
      for (const listed of entries) {
        const listedPrepared = preparedOf(listed);
        if (!looksAt(queryPrepared, listedPrepared, minScore)) {
          expect(byEntry.has(listed.entNum)).toBe(false);
          continue;
        }
        const expected = plainNameBound(queryPrepared, listedPrepared);
        expect(byEntry.get(listed.entNum)?.bound).toBeCloseTo(expected, 12);
        // Scored exactly when, and only when, the bound reaches the threshold.
        expect(byEntry.get(listed.entNum)?.scored).toBe(expected >= minScore);
        looked++;
        if (expected >= minScore) kept++;
        if (variantsOf(listedPrepared).length > 1 || variantsOf(queryPrepared).length > 1) combined++;
      }
    }
    // The cases cover names looked at and dropped, kept, and names with joined short words.
    expect(looked).toBeGreaterThan(kept);
    expect(kept).toBeGreaterThan(40);
    expect(combined).toBeGreaterThan(20);
  });

  it('reports nothing to bound for a name listed exactly as asked', () => {
    expect(index.nameBounds(entries[0].name, 0.8)).toEqual([]);
  });
});

describe('names of many words', () => {
  // More words than the index's scratch starts with (16): it must grow, not drop words.
  const words = Array.from({ length: 17 }, (_, i) => `word${String.fromCharCode(97 + i)}x${i}`);
  const listed = words.join(' ').toUpperCase();
  const index = ScreeningIndex.build(
    parseSdnCsv(`900,"${listed}",-0- ,"SDGT"\n901,"PLAIN NAME",-0- ,"SDGT"`),
  );

  it('are bounded and scored with every word, on either side', () => {
    // The last listed word matches exactly and the others only nearly: the best matched set starts with it.
    const query = [...words.slice(0, 16).map((w) => `${w}z`), words[16]].join(' ');
    const exhaustive = index.searchExhaustive(query, 0.8);
    expect(exhaustive?.entNum).toBe('900');
    expect(index.search(query, 0.8)).toEqual(exhaustive);
    const [bound] = index.nameBounds(query, 0.8);
    expect(bound.entNum).toBe('900');
    const [queryPrepared] = prepareNameForms(query);
    expect(bound.bound).toBeCloseTo(plainNameBound(queryPrepared, prepareNameForms(listed)[0]), 12);
  });
});

describe('remembered searches', () => {
  const index = ScreeningIndex.build(parseSdnCsv('1,"IVAN PETROV",-0- ,"SDGT"'));

  it('are bounded: the oldest is forgotten once MEMO_LIMIT are held', () => {
    expect(index.search('Ivan Petrof', 0.8)?.entNum).toBe('1');
    expect(index.search('Ivan Petrof', 0.8)?.entNum).toBe('1');
    expect(index.remembered).toBe(1);
    for (let i = 0; i < MEMO_LIMIT + 5; i++) index.search(`n${i}`, 0.8);
    expect(index.remembered).toBe(MEMO_LIMIT);
  });
});
