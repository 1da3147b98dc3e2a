/**
 * Jaro–Winkler and moov-io/watchman's BestPairsJaroWinkler, reimplemented from the published algorithm
 * (docs/reference: xrash/smetrics Jaro–Winkler, watchman internal/stringscore). Strings are compared as UTF-8
 * bytes, as Go indexes them, so scores agree with watchman's golden vectors on accented input too.
 *
 * Tokens are prepared once (bytes, first-letter phonetic class) so screening a name against a large list
 * does not re-encode the list on every query.
 */

/** Watchman defaults (each env-overridable there; fixed here, the policy's minScore is the knob). */
export const JW_PARAMS = {
  boostThreshold: 0.7,
  prefixSize: 4,
  lengthDifferenceCutoffFactor: 0.9,
  lengthDifferencePenaltyWeight: 0.3,
  differentLetterPenaltyWeight: 0.9,
  unmatchedIndexTokenWeight: 0.15,
} as const;

export interface Token {
  text: string;
  bytes: Uint8Array;
  /** Phonetic class of the first letter: only tokens of the same class are compared. */
  cls: number;
}

const encoder = new TextEncoder();

/** Soundex-style class of a first byte: AEIOUY, BFPV, CGJKQSXZ, DT, L, MN, R, HW; anything else is itself. */
function phoneticClass(byte: number): number {
  const c = byte >= 97 && byte <= 122 ? byte - 32 : byte; // ASCII upper case
  switch (c) {
    case 65:
    case 69:
    case 73:
    case 79:
    case 85:
    case 89:
      return 65; // A
    case 66:
    case 70:
    case 80:
    case 86:
      return 66; // B
    case 67:
    case 71:
    case 74:
    case 75:
    case 81:
    case 83:
    case 88:
    case 90:
      return 67; // C
    case 68:
    case 84:
      return 68; // D
    case 77:
    case 78:
      return 77; // M
    case 72:
    case 87:
      return 72; // H
    default:
      return c; // L, R, digits, other bytes
  }
}

export function token(text: string): Token {
  const bytes = encoder.encode(text);
  return { text, bytes, cls: bytes.length ? phoneticClass(bytes[0]) : -1 };
}

export function tokens(texts: readonly string[]): Token[] {
  return texts.map(token);
}

/** `buf` when it holds `n` items, else a new one of twice that (scratch reused across calls). */
function room<T extends Uint8Array | Int32Array | Float64Array>(
  buf: T,
  n: number,
  make: (size: number) => T,
): T {
  return buf.length >= n ? buf : make(n * 2);
}

const u8 = (n: number) => new Uint8Array(n);
const i32 = (n: number) => new Int32Array(n);
const f64 = (n: number) => new Float64Array(n);

// Scratch match flags, grown on demand: jaro() runs millions of times during screening.
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

/** Jaro similarity of two byte strings (smetrics: greedy matching window, integer half transpositions). */
export function jaro(a: Uint8Array, b: Uint8Array): number {
  const la = a.length;
  const lb = b.length;
  // One empty string and not the other: nothing matches, so m is 0 below.
  if (la === 0 && lb === 0) return 1;
  flagsA = room(flagsA, la, u8);
  flagsB = room(flagsB, lb, u8);
  const fa = flagsA;
  const fb = flagsB;
  fa.fill(0, 0, la);
  fb.fill(0, 0, lb);
  const range = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  let m = 0;
  for (let i = 0; i < la; i++) {
    const lo = i - range > 0 ? i - range : 0;
    const hi = i + range < lb - 1 ? i + range : lb - 1;
    const ai = a[i];
    for (let j = lo; j <= hi; j++) {
      if (fb[j] === 0 && b[j] === ai) {
        fa[i] = 1;
        fb[j] = 1;
        m++;
        break;
      }
    }
  }
  if (m === 0) return 0;
  let unaligned = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (fa[i] === 0) continue;
    while (fb[k] === 0) k++;
    if (a[i] !== b[k]) unaligned++;
    k++;
  }
  const t = Math.floor(unaligned / 2);
  return (m / la + m / lb + (m - t) / m) / 3;
}

/** Jaro–Winkler: the common-prefix boost applies only above the boost threshold (strictly). */
export function jaroWinkler(
  a: Uint8Array,
  b: Uint8Array,
  boostThreshold: number = JW_PARAMS.boostThreshold,
  prefixSize: number = JW_PARAMS.prefixSize,
): number {
  const j = jaro(a, b);
  if (j <= boostThreshold) return j;
  const p = Math.min(prefixSize, a.length, b.length);
  let prefix = 0;
  while (prefix < p && a[prefix] === b[prefix]) prefix++;
  return j + 0.1 * prefix * (1 - j);
}

const scaling = (metric: number, weight: number) => 1 - (1 - metric) * weight;

/** Watchman's customJaroWinkler: penalises tokens of very different length or different first letter. */
export function customJaroWinkler(indexed: Uint8Array, search: Uint8Array): number {
  let score = jaroWinkler(indexed, search);
  const li = indexed.length;
  const ls = search.length;
  const lengthMetric = Math.min(li, ls) / Math.max(li, ls);
  if (lengthMetric < JW_PARAMS.lengthDifferenceCutoffFactor)
    score *= scaling(lengthMetric, JW_PARAMS.lengthDifferencePenaltyWeight);
  if (indexed[0] !== search[0]) score *= JW_PARAMS.differentLetterPenaltyWeight;
  return score;
}

// Scratch pair buffers for bestPairs (score, search index, index index), grown on demand.
let pairScore = new Float64Array(64);
let pairSearch = new Int32Array(64);
let pairIndex = new Int32Array(64);
let order = new Int32Array(64);
let usedSearch = new Uint8Array(16);
let usedIndex = new Uint8Array(16);

/**
 * BestPairsJaroWinkler: every search token against every indexed token of the same phonetic class, pairs
 * taken greedily best first (each token once), averaged weighted by the pair's byte length, then scaled down
 * by the share of the indexed name left unmatched.
 */
export function bestPairs(search: readonly Token[], indexed: readonly Token[]): number {
  const ns = search.length;
  const ni = indexed.length;
  // No tokens on either side: the lengths below are 0, and so is the score.
  const max = ns * ni;
  pairScore = room(pairScore, max, f64);
  pairSearch = room(pairSearch, max, i32);
  pairIndex = room(pairIndex, max, i32);
  order = room(order, max, i32);
  usedSearch = room(usedSearch, ns, u8);
  usedIndex = room(usedIndex, ni, u8);
  let searchLength = 0;
  for (let s = 0; s < ns; s++) searchLength += search[s].bytes.length;
  let indexLength = 0;
  for (let i = 0; i < ni; i++) indexLength += indexed[i].bytes.length;
  let n = 0;
  for (let s = 0; s < ns; s++) {
    const st = search[s];
    for (let i = 0; i < ni; i++) {
      const it = indexed[i];
      if (it.cls !== st.cls) continue;
      pairScore[n] = customJaroWinkler(it.bytes, st.bytes);
      pairSearch[n] = s;
      pairIndex[n] = i;
      // Stable insertion by descending score (Go's sort.Slice is unstable; ties are within tolerance).
      let k = n;
      while (k > 0 && pairScore[order[k - 1]] < pairScore[n]) {
        order[k] = order[k - 1];
        k--;
      }
      order[k] = n;
      n++;
    }
  }
  usedSearch.fill(0, 0, ns);
  usedIndex.fill(0, 0, ni);
  let weighted = 0;
  let matchedIndexLength = 0;
  for (let k = 0; k < n; k++) {
    const p = order[k];
    const s = pairSearch[p];
    const i = pairIndex[p];
    if (usedSearch[s] || usedIndex[i]) continue;
    usedSearch[s] = 1;
    usedIndex[i] = 1;
    const li = indexed[i].bytes.length;
    weighted += pairScore[p] * (search[s].bytes.length + li);
    matchedIndexLength += li;
  }
  const denominator = searchLength + matchedIndexLength;
  if (denominator === 0 || indexLength === 0) return 0;
  const average = weighted / denominator;
  return average * scaling(matchedIndexLength / indexLength, JW_PARAMS.unmatchedIndexTokenWeight);
}

/**
 * Watchman's word combinations: the tokens as given, short tokens (≤ 3 bytes) joined with the next one, and
 * joined with the previous one ("JSC ARGUMENT" vs "JSCARGUMENT", "11 420 2 1 corp" vs "1142021 corp").
 */
export function wordCombinations(texts: readonly string[]): string[][] {
  const len = (t: string) => encoder.encode(t).length;
  const out: string[][] = [[...texts]];
  const forward: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (i < texts.length - 1 && len(texts[i]) <= 3) {
      forward.push(texts[i] + texts[i + 1]);
      i++;
    } else {
      forward.push(texts[i]);
    }
  }
  if (forward.length < texts.length) {
    out.push(forward);
    const backward: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (i > 0 && len(texts[i]) <= 3) backward[backward.length - 1] += texts[i];
      else backward.push(texts[i]);
    }
    const same = backward.length === forward.length && backward.every((t, i) => t === forward[i]);
    if (backward.length < texts.length && !same) out.push(backward);
  }
  return out;
}

/** BestPairCombinationJaroWinkler over prepared variants: the best score of any pair of variants. */
export function bestPairCombination(search: readonly Token[][], indexed: readonly Token[][]): number {
  let best = 0;
  for (const s of search) {
    for (const i of indexed) {
      const score = bestPairs(s, i);
      if (score > best) best = score;
    }
  }
  return best;
}

/** String conveniences (tests, one-off comparisons): search and indexed as whitespace-separated tokens. */
export function bestPairsJaroWinkler(search: readonly string[], indexed: readonly string[]): number {
  return bestPairs(tokens(search), tokens(indexed));
}

export function bestPairCombinationJaroWinkler(
  search: readonly string[],
  indexed: readonly string[],
): number {
  return bestPairCombination(wordCombinations(search).map(tokens), wordCombinations(indexed).map(tokens));
}
