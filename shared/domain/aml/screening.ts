/**
 * Sanctions / PEP name screening over a list in OFAC SDN format, scored the way moov-io/watchman scores
 * names: exact prepared name → 1.0, otherwise the best BestPairCombinationJaroWinkler over the entry's
 * primary and alternate names, ×0.8 when a query of two or more significant terms has fewer than two terms
 * matching above 0.90 (watchman's minMatchingTerms rule).
 *
 * Speed: the list is prepared once (normalised tokens, word combinations, UTF-8 bytes). A query then only
 * scores the names that can reach the threshold: a pair of tokens can only be compared when their first
 * letters share a phonetic class, so tokens are indexed by class; and the number of Jaro matches m of a pair
 * is at most the size of their character multiset intersection, which bounds Jaro, Jaro–Winkler and the
 * pair's penalties from above. A name's score never exceeds its best pair's score (a weighted mean scaled
 * by factors ≤ 1), so names whose every pair bound is below the threshold are skipped without loss.
 */
import {
  bestPairCombination,
  customJaroWinkler,
  jaroWinkler,
  token,
  JW_PARAMS,
  type Token,
} from './jaro-winkler';
import { nameTokens, prepareName } from './names';
import type { SdnEntry } from './sdn-csv';
import { wordCombinations } from './jaro-winkler';

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

interface PreparedName {
  entry: number;
  text: string;
  variants: Token[][];
  significant: Uint8Array[];
}

/** Character multiset signature of a token: slots (byte & 31) present once, twice, and the overflow. */
interface Signature {
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

/** Upper bound of customJaroWinkler(a, b) from signatures alone (see the module comment). */
export function pairBound(a: Signature, b: Signature): number {
  const la = a.len;
  const lb = b.len;
  let m = popcount(a.once & b.once) + popcount(a.twice & b.twice) + Math.min(a.rest, b.rest);
  const shorter = la < lb ? la : lb;
  if (m > shorter) m = shorter;
  if (m === 0) return 0;
  const j = (m / la + m / lb + 1) / 3;
  let bound = j > JW_PARAMS.boostThreshold ? j + 0.1 * JW_PARAMS.prefixSize * (1 - j) : j;
  const lengthMetric = shorter / (la > lb ? la : lb);
  if (lengthMetric < JW_PARAMS.lengthDifferenceCutoffFactor)
    bound *= 1 - (1 - lengthMetric) * JW_PARAMS.lengthDifferencePenaltyWeight;
  if (a.first !== b.first) bound *= JW_PARAMS.differentLetterPenaltyWeight;
  return bound;
}

/** Index tokens of one phonetic class, as columns for a tight scan. */
interface ClassColumn {
  name: Int32Array;
  len: Int32Array;
  first: Int32Array;
  once: Int32Array;
  twice: Int32Array;
  rest: Int32Array;
}

const NOISE = new Set(['the', 'and', 'or', 'of', 'in', 'at', 'by']);
const MIN_TERM_BYTES = 3;
const TERM_MATCH = 0.9;
const MIN_MATCHING_TERMS = 2;

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

function variantsOf(prepared: string): Token[][] {
  return wordCombinations(nameTokens(prepared)).map((v) => v.map(token));
}

export class ScreeningIndex {
  private readonly names: PreparedName[] = [];
  private readonly exact = new Map<string, number>();
  private readonly columns = new Map<number, ClassColumn>();
  private readonly candidate: Uint8Array;

  private constructor(readonly entries: readonly SdnEntry[]) {
    const rows = new Map<number, { name: number; sig: Signature }[]>();
    for (const [e, entry] of entries.entries()) {
      const individual = entry.type === 'individual';
      for (const raw of [entry.name, ...entry.altNames]) {
        const prepared = prepareName(raw, { individual });
        if (!prepared) continue;
        const n = this.names.length;
        const variants = variantsOf(prepared);
        this.names.push({ entry: e, text: raw, variants, significant: significantTerms(variants[0]) });
        if (!this.exact.has(prepared)) this.exact.set(prepared, n);
        const seen = new Set<string>();
        for (const t of variants.flat()) {
          if (seen.has(t.text)) continue;
          seen.add(t.text);
          const list = rows.get(t.cls) ?? [];
          list.push({ name: n, sig: signature(t.bytes) });
          rows.set(t.cls, list);
        }
      }
    }
    for (const [cls, list] of rows) {
      const col: ClassColumn = {
        name: new Int32Array(list.length),
        len: new Int32Array(list.length),
        first: new Int32Array(list.length),
        once: new Int32Array(list.length),
        twice: new Int32Array(list.length),
        rest: new Int32Array(list.length),
      };
      list.forEach((r, k) => {
        col.name[k] = r.name;
        col.len[k] = r.sig.len;
        col.first[k] = r.sig.first;
        col.once[k] = r.sig.once;
        col.twice[k] = r.sig.twice;
        col.rest[k] = r.sig.rest;
      });
      this.columns.set(cls, col);
    }
    this.candidate = new Uint8Array(this.names.length);
  }

  static build(entries: readonly SdnEntry[]): ScreeningIndex {
    return new ScreeningIndex(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The best-scoring entry at or above minScore, or undefined. */
  search(name: string, minScore: number): ScreeningMatch | undefined {
    const prepared = prepareName(name);
    if (!prepared) return undefined;
    const exact = this.exact.get(prepared);
    if (exact !== undefined) return this.match(exact, 1);
    const query = variantsOf(prepared);
    const querySignificant = significantTerms(query[0]);
    const candidates = this.candidates(query, minScore);
    let best = -1;
    let bestScore = -1;
    for (const n of candidates) {
      const pn = this.names[n];
      const score = bestPairCombination(query, pn.variants) * qualityFactor(querySignificant, pn.significant);
      if (score > bestScore || (score === bestScore && n < best)) {
        best = n;
        bestScore = score;
      }
    }
    return best >= 0 && bestScore >= minScore ? this.match(best, bestScore) : undefined;
  }

  /** Score of one listed name against a query, without the prefilter (tests and explanations). */
  scoreAgainst(name: string, listedName: string, individual = true): number {
    const q = prepareName(name);
    const l = prepareName(listedName, { individual });
    if (!q || !l) return 0;
    if (q === l) return 1;
    const qv = variantsOf(q);
    const lv = variantsOf(l);
    return bestPairCombination(qv, lv) * qualityFactor(significantTerms(qv[0]), significantTerms(lv[0]));
  }

  private candidates(query: Token[][], minScore: number): number[] {
    const out: number[] = [];
    const mark = this.candidate;
    const seen = new Set<string>();
    for (const t of query.flat()) {
      if (seen.has(t.text)) continue;
      seen.add(t.text);
      const col = this.columns.get(t.cls);
      if (!col) continue;
      const q = signature(t.bytes);
      const probe: Signature = { len: 0, first: 0, once: 0, twice: 0, rest: 0 };
      for (let k = 0; k < col.name.length; k++) {
        const n = col.name[k];
        if (mark[n]) continue;
        probe.len = col.len[k];
        probe.first = col.first[k];
        probe.once = col.once[k];
        probe.twice = col.twice[k];
        probe.rest = col.rest[k];
        if (pairBound(probe, q) >= minScore) {
          mark[n] = 1;
          out.push(n);
        }
      }
    }
    for (const n of out) mark[n] = 0;
    return out;
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

/** For tests: the exact (unfiltered) pair score the bound must never undercut. */
export function exactPairScore(a: string, b: string): number {
  const enc = new TextEncoder();
  return customJaroWinkler(enc.encode(a), enc.encode(b));
}

export function tokenSignature(text: string): Signature {
  return signature(new TextEncoder().encode(text));
}
