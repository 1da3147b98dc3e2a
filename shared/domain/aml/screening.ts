/**
 * Sanctions / PEP name screening over a list in OFAC SDN format, scored the way moov-io/watchman scores
 * names: exact prepared name → 1.0, otherwise the best BestPairCombinationJaroWinkler over the entry's
 * primary and alternate names, ×0.8 when a query of two or more significant terms has fewer than two terms
 * matching above 0.90 (watchman's minMatchingTerms rule).
 *
 * Speed without losing matches. The list is prepared once: names normalised and split into word
 * combinations, every distinct token kept once with its UTF-8 bytes and a character-multiset signature.
 * A query then works in three steps, each an upper bound of the next, so nothing that can reach the
 * threshold is skipped:
 *  1. token bounds: two tokens are only compared when their first letters share a phonetic class, and the
 *     Jaro matches m of a pair are at most the size of their character-multiset intersection, which bounds
 *     Jaro, Jaro–Winkler and the pair's penalties from above (pairBound). One pass over the list's distinct
 *     tokens of the query tokens' classes.
 *  2. name bounds: BestPairs is a length-weighted mean of pair scores scaled by a factor ≤ 1; replacing each
 *     pair score by its token's best bound and choosing the most favourable set of matched list tokens
 *     bounds the name's score. Only names holding a token whose bound reaches the threshold are examined.
 *  3. exact watchman score for the names whose bound reaches the threshold.
 */
import {
  bestPairCombination,
  customJaroWinkler,
  JW_PARAMS,
  jaroWinkler,
  token,
  wordCombinations,
  type Token,
} from './jaro-winkler';
import { nameTokens, prepareNameForms } from './names';
import type { SdnEntry } from './sdn-csv';

export interface ScreeningMatch {
  entNum: string;
  /** The entry's primary name as listed. */
  listedName: string;
  /** The primary or alternate name that scored best. */
  matchedName: string;
  type: SdnEntry['type'];
  programs: string[];
  score: number;
}

/** A listed name the prefilter looked at for a query: its name bound, and whether it was then scored exactly. */
export interface NameBound {
  entNum: string;
  listedName: string;
  bound: number;
  scored: boolean;
}

/** Character multiset signature of a token: slots (byte & 31) present once, twice, and the overflow. */
export interface Signature {
  len: number;
  first: number;
  once: number;
  twice: number;
  rest: number;
}

function signature(bytes: Uint8Array): Signature {
  const counts = new Uint8Array(32);
  let rest = 0;
  for (const b of bytes) {
    const s = b & 31;
    if (counts[s] >= 2) rest++;
    else counts[s]++;
  }
  let once = 0;
  let twice = 0;
  for (let s = 0; s < 32; s++) {
    if (counts[s] >= 1) once |= 1 << s;
    if (counts[s] >= 2) twice |= 1 << s;
  }
  return { len: bytes.length, first: bytes[0], once, twice, rest };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const BOOST = JW_PARAMS.boostThreshold;
const PREFIX_BONUS = 0.1 * JW_PARAMS.prefixSize;
const CUTOFF = JW_PARAMS.lengthDifferenceCutoffFactor;
const LENGTH_WEIGHT = JW_PARAMS.lengthDifferencePenaltyWeight;
const LETTER_PENALTY = JW_PARAMS.differentLetterPenaltyWeight;

/** Upper bound of customJaroWinkler from two signatures' fields (see the module comment). */
function bound(
  la: number,
  fa: number,
  oa: number,
  ta: number,
  ra: number,
  lb: number,
  fb: number,
  ob: number,
  tb: number,
  rb: number,
): number {
  // Never more than either length: a token's slots (up to two each) and its overflow add up to its length.
  const m = popcount(oa & ob) + popcount(ta & tb) + (ra < rb ? ra : rb);
  if (m === 0) return 0;
  const j = (m / la + m / lb + 1) / 3;
  let b = j > BOOST ? j + PREFIX_BONUS * (1 - j) : j;
  const lm = (la < lb ? la : lb) / (la > lb ? la : lb);
  if (lm < CUTOFF) b *= 1 - (1 - lm) * LENGTH_WEIGHT;
  if (fa !== fb) b *= LETTER_PENALTY;
  return b;
}

export function pairBound(a: Signature, b: Signature): number {
  return bound(a.len, a.first, a.once, a.twice, a.rest, b.len, b.first, b.once, b.twice, b.rest);
}

/** Screened names remembered per index (oldest forgotten first). */
export const MEMO_LIMIT = 20_000;

const MIN_TERM_BYTES = 3;
// Watchman's filler words; its "or", "of", "in", "at" and "by" are shorter than MIN_TERM_BYTES and never count.
const NOISE = new Set(['the', 'and']);
const TERM_MATCH = 0.9;
const MIN_MATCHING_TERMS = 2;
const UNMATCHED_WEIGHT = JW_PARAMS.unmatchedIndexTokenWeight;

function significantTerms(tokens: readonly Token[]): Uint8Array[] {
  return tokens.filter((t) => t.bytes.length >= MIN_TERM_BYTES && !NOISE.has(t.text)).map((t) => t.bytes);
}

/** Watchman's quality rule: a multi-term query needs two terms matching above 0.90, else ×0.8. */
function qualityFactor(query: readonly Uint8Array[], name: readonly Uint8Array[]): number {
  if (query.length < MIN_MATCHING_TERMS) return 1;
  let matching = 0;
  for (const q of query) {
    for (const t of name) {
      if (jaroWinkler(q, t) > TERM_MATCH) {
        matching++;
        break;
      }
    }
    if (matching >= MIN_MATCHING_TERMS) return 1;
  }
  return 0.8;
}

// Scratch for name bounds (names have few tokens; grown on demand).
let qBest = new Float64Array(16);
let iBest = new Float64Array(16);
let iOrder = new Int32Array(16);

/**
 * Bound of BestPairs(search, indexed) from the per-token bounds in qBest (per search token) and iBest (per
 * indexed token): the mean is ≤ (Σ_q B_q·|q| + Σ_{i∈M} B'_i·|i|) / (|Q| + |M|) for the matched set M; without
 * M's size limit the best M is a prefix of the indexed tokens sorted by B' (a token raises the ratio while
 * its B' exceeds it). The unmatched-token scaling is at most its value when the k = min(|Q|, |I|) longest
 * indexed tokens are matched. Both factors are bounded independently.
 */
function nameBound(qLens: readonly number[], variant: NameVariant): number {
  let num = 0;
  let den = 0;
  for (let q = 0; q < qLens.length; q++) {
    num += qBest[q] * qLens[q];
    den += qLens[q];
  }
  const ni = variant.lens.length;
  let n = 0;
  // Tokens bounded at 0 sort last, where they only lower the ratio.
  for (let i = 0; i < ni; i++) {
    let k = n++;
    while (k > 0 && iBest[iOrder[k - 1]] < iBest[i]) {
      iOrder[k] = iOrder[k - 1];
      k--;
    }
    iOrder[k] = i;
  }
  let best = num / den; // a prepared query has at least one token
  for (let k = 0; k < n; k++) {
    const i = iOrder[k];
    num += iBest[i] * variant.lens[i];
    den += variant.lens[i];
    if (num / den > best) best = num / den;
  }
  const covered = variant.longest[Math.min(qLens.length, ni)];
  return best * (1 - (1 - covered / variant.length) * UNMATCHED_WEIGHT);
}

interface NameVariant {
  /** Token ids into the dictionary. */
  ids: Int32Array;
  lens: Int32Array;
  tokens: Token[];
  /** Total byte length, and longest[k]: the summed length of the k longest tokens. */
  length: number;
  longest: Int32Array;
}

interface PreparedName {
  entry: number;
  text: string;
  variants: NameVariant[];
  significant: Uint8Array[];
}

/** The list's distinct tokens of one phonetic class, as columns for a tight scan. */
interface ClassColumn {
  id: Int32Array;
  len: Int32Array;
  first: Int32Array;
  once: Int32Array;
  twice: Int32Array;
  rest: Int32Array;
}

export class ScreeningIndex {
  private readonly names: PreparedName[] = [];
  private readonly exact = new Map<string, number>();
  private readonly dictionary = new Map<string, number>();
  private readonly tokenCls: number[] = [];
  private readonly postings: number[][] = [];
  private readonly columns = new Map<number, ClassColumn>();
  /** Per query token: its bound against every dictionary token of its class (scratch, reset per query). */
  private scratch: Float64Array[] = [];
  private readonly nameMark: Uint8Array;
  private readonly memo = new Map<string, ScreeningMatch | undefined>();

  private constructor(readonly entries: readonly SdnEntry[]) {
    const sigs: Signature[] = [];
    for (const [e, entry] of entries.entries()) {
      const individual = entry.type === 'individual';
      for (const raw of [entry.name, ...entry.altNames]) {
        for (const prepared of prepareNameForms(raw, { individual })) this.add(e, raw, prepared, sigs);
      }
    }
    const byClass = new Map<number, number[]>();
    this.tokenCls.forEach((cls, id) => byClass.set(cls, [...(byClass.get(cls) ?? []), id]));
    for (const [cls, ids] of byClass) {
      this.columns.set(cls, {
        id: Int32Array.from(ids),
        len: Int32Array.from(ids, (id) => sigs[id].len),
        first: Int32Array.from(ids, (id) => sigs[id].first),
        once: Int32Array.from(ids, (id) => sigs[id].once),
        twice: Int32Array.from(ids, (id) => sigs[id].twice),
        rest: Int32Array.from(ids, (id) => sigs[id].rest),
      });
    }
    this.nameMark = new Uint8Array(this.names.length);
  }

  /** One prepared form of a listed name: its word-combination variants, tokens and postings. */
  private add(e: number, raw: string, prepared: string, sigs: Signature[]): void {
    if (!prepared) return;
    const n = this.names.length;
    const variants = wordCombinations(nameTokens(prepared)).map((texts) => {
      const tokens = texts.map(token);
      const ids = new Int32Array(tokens.length);
      tokens.forEach((t, k) => {
        let id = this.dictionary.get(t.text);
        if (id === undefined) {
          id = this.tokenCls.length;
          this.dictionary.set(t.text, id);
          this.tokenCls.push(t.cls);
          this.postings.push([]);
          sigs.push(signature(t.bytes));
        }
        const posting = this.postings[id];
        if (posting[posting.length - 1] !== n) posting.push(n);
        ids[k] = id;
      });
      const lens = Int32Array.from(tokens, (t) => t.bytes.length);
      const sorted = [...lens].sort((x, y) => y - x);
      const longest = new Int32Array(sorted.length + 1);
      sorted.forEach((l, k) => (longest[k + 1] = longest[k] + l));
      return { ids, lens, tokens, length: longest[sorted.length], longest };
    });
    this.names.push({ entry: e, text: raw, variants, significant: significantTerms(variants[0].tokens) });
    if (!this.exact.has(prepared)) this.exact.set(prepared, n);
  }

  static build(entries: readonly SdnEntry[]): ScreeningIndex {
    return new ScreeningIndex(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  /** How many (threshold, name) searches are remembered: at most MEMO_LIMIT, whatever the traffic. */
  get remembered(): number {
    return this.memo.size;
  }

  /**
   * The best-scoring entry at or above minScore, or undefined. Results are memoised per instance (bounded):
   * counterparties repeat (the same exchanges, employers, payees), and the list does not change under it.
   */
  search(name: string, minScore: number): ScreeningMatch | undefined {
    const key = `${minScore}\u0000${name}`;
    if (this.memo.has(key)) return this.memo.get(key);
    const found = this.find(name, minScore, true);
    if (this.memo.size >= MEMO_LIMIT) this.memo.delete(this.memo.keys().next().value as string);
    this.memo.set(key, found);
    return found;
  }

  /** The same search scoring every listed name exactly (the reference the bounds are checked against). */
  searchExhaustive(name: string, minScore: number): ScreeningMatch | undefined {
    return this.find(name, minScore, false);
  }

  /** Score of one listed name against a query, without the index (tests and explanations). */
  scoreAgainst(name: string, listedName: string, individual = true): number {
    let best = 0;
    for (const q of prepareNameForms(name)) {
      for (const l of prepareNameForms(listedName, { individual })) {
        if (!q || !l) continue;
        if (q === l) return 1;
        const qv = wordCombinations(nameTokens(q)).map((v) => v.map(token));
        const lv = wordCombinations(nameTokens(l)).map((v) => v.map(token));
        const score =
          bestPairCombination(qv, lv) * qualityFactor(significantTerms(qv[0]), significantTerms(lv[0]));
        if (score > best) best = score;
      }
    }
    return best;
  }

  /** Best over the name's prepared forms (a transliteration and a look-alike reading may both apply). */
  private find(name: string, minScore: number, pruned: boolean): ScreeningMatch | undefined {
    let best: ScreeningMatch | undefined;
    for (const prepared of prepareNameForms(name)) {
      const found = this.findPrepared(prepared, minScore, pruned);
      if (found && (!best || found.score > best.score)) best = found;
    }
    return best;
  }

  /**
   * For tests and explanations: the listed names that steps 1 and 2 look at for a query (a token whose bound
   * reaches minScore), each with its name bound; those whose bound reaches minScore are scored exactly.
   */
  nameBounds(name: string, minScore: number): NameBound[] {
    const out: NameBound[] = [];
    for (const prepared of prepareNameForms(name)) {
      if (!prepared || this.exact.has(prepared)) continue;
      const bounds = new Map<number, number>();
      const q = queryOf(prepared);
      const scored = new Set(this.candidates(q.queryTokens, q.query, q.querySlots, minScore, bounds));
      for (const [n, bound] of bounds) {
        const pn = this.names[n];
        out.push({
          entNum: this.entries[pn.entry].entNum,
          listedName: pn.text,
          bound,
          scored: scored.has(n),
        });
      }
    }
    return out;
  }

  private findPrepared(prepared: string, minScore: number, pruned: boolean): ScreeningMatch | undefined {
    if (!prepared) return undefined;
    const exact = this.exact.get(prepared);
    if (exact !== undefined) return this.match(exact, 1);
    const { queryTokens, query, querySlots } = queryOf(prepared);
    const querySignificant = significantTerms(query[0]);
    const candidates = pruned ? this.candidates(queryTokens, query, querySlots, minScore) : this.names.keys();
    let best = -1;
    let bestScore = -1;
    for (const n of candidates) {
      const pn = this.names[n];
      const score =
        bestPairCombination(
          query,
          pn.variants.map((v) => v.tokens),
        ) * qualityFactor(querySignificant, pn.significant);
      if (score > bestScore || (score === bestScore && n < best)) {
        best = n;
        bestScore = score;
      }
    }
    return best >= 0 && bestScore >= minScore ? this.match(best, bestScore) : undefined;
  }

  /** Names whose score bound (steps 1 and 2 of the module comment) reaches minScore; `bounds` gets every bound. */
  private candidates(
    queryTokens: readonly Token[],
    query: readonly Token[][],
    querySlots: readonly number[][],
    minScore: number,
    bounds?: Map<number, number>,
  ): number[] {
    const dictSize = this.tokenCls.length;
    while (this.scratch.length < queryTokens.length) this.scratch.push(new Float64Array(dictSize));
    const touched: number[] = [];
    const mark = this.nameMark;
    // Step 1: bound of every query token against every list token of its class.
    for (const [q, t] of queryTokens.entries()) {
      const col = this.columns.get(t.cls);
      if (!col) continue;
      const s = signature(t.bytes);
      const out = this.scratch[q];
      for (let k = 0; k < col.id.length; k++) {
        const b = bound(
          col.len[k],
          col.first[k],
          col.once[k],
          col.twice[k],
          col.rest[k],
          s.len,
          s.first,
          s.once,
          s.twice,
          s.rest,
        );
        out[col.id[k]] = b;
        if (b >= minScore) {
          for (const n of this.postings[col.id[k]]) {
            if (mark[n] === 0) {
              mark[n] = 1;
              touched.push(n);
            }
          }
        }
      }
    }
    // Step 2: name bounds over every pair of word-combination variants.
    const out: number[] = [];
    const qLens = query.map((v) => v.map((t) => t.bytes.length));
    for (const n of touched) {
      mark[n] = 0;
      const b = this.nameBound(n, query, querySlots, qLens);
      bounds?.set(n, b);
      if (b >= minScore) out.push(n);
    }
    // No reset: a row's entries of other classes are stale, and step 2 reads only those of its token's class.
    return out;
  }

  private nameBound(
    n: number,
    query: readonly Token[][],
    querySlots: readonly number[][],
    qLens: number[][],
  ): number {
    let best = 0;
    for (let v = 0; v < query.length; v++) {
      const qv = query[v];
      const slots = querySlots[v];
      for (const iv of this.names[n].variants) {
        const ni = iv.ids.length;
        if (qBest.length < qv.length) qBest = new Float64Array(qv.length * 2);
        if (iBest.length < ni) {
          iBest = new Float64Array(ni * 2);
          iOrder = new Int32Array(ni * 2);
        }
        qBest.fill(0, 0, qv.length);
        iBest.fill(0, 0, ni);
        for (let q = 0; q < qv.length; q++) {
          const row = this.scratch[slots[q]];
          const cls = qv[q].cls;
          for (let i = 0; i < ni; i++) {
            const id = iv.ids[i];
            if (this.tokenCls[id] !== cls) continue;
            const b = row[id];
            if (b > qBest[q]) qBest[q] = b;
            if (b > iBest[i]) iBest[i] = b;
          }
        }
        const b = nameBound(qLens[v], iv);
        if (b > best) best = b;
      }
    }
    return best;
  }

  private match(n: number, score: number): ScreeningMatch {
    const pn = this.names[n];
    const entry = this.entries[pn.entry];
    return {
      entNum: entry.entNum,
      listedName: entry.name,
      matchedName: pn.text,
      type: entry.type,
      programs: entry.programs,
      score: Math.round(score * 1e4) / 1e4,
    };
  }
}

/** A prepared query's word-combination variants over its distinct tokens, each with its slot in the bound scratch. */
function queryOf(prepared: string): { queryTokens: Token[]; query: Token[][]; querySlots: number[][] } {
  const texts = wordCombinations(nameTokens(prepared));
  const slot = new Map<string, number>();
  const queryTokens: Token[] = [];
  for (const v of texts)
    for (const t of v)
      if (!slot.has(t)) {
        slot.set(t, queryTokens.length);
        queryTokens.push(token(t));
      }
  return {
    queryTokens,
    query: texts.map((v) => v.map((t) => queryTokens[slot.get(t) ?? 0])),
    querySlots: texts.map((v) => v.map((t) => slot.get(t) ?? 0)),
  };
}

/** For tests: the exact pair score the bound must never undercut, and a token's signature. */
export function exactPairScore(a: string, b: string): number {
  const enc = new TextEncoder();
  return customJaroWinkler(enc.encode(a), enc.encode(b));
}

export function tokenSignature(text: string): Signature {
  return signature(new TextEncoder().encode(text));
}
