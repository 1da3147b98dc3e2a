/**
 * A case's trail: append-only events chained by hash (each event's hash covers its content and the previous
 * event's hash), so an edited or deleted event breaks the chain. Verifying against the warehouse mirror also
 * catches what a chain alone cannot: a deleted last event, or a whole chain rewritten consistently. Pure.
 */
import { createHash } from 'node:crypto';

export interface TrailEventBody {
  caseId: string;
  seq: number;
  actor: string;
  action: string;
  reasonCode: string | null;
  before: unknown;
  after: unknown;
  requestId: string;
  at: string;
}

export interface TrailEvent extends TrailEventBody {
  prevHash: string;
  hash: string;
}

export const GENESIS = '0'.repeat(64);

/** JSON with keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as Record<string, unknown>)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

export function hashOf(body: TrailEventBody, prevHash: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(body)).digest('hex');
}

/** The next event of a trail whose last event is `last` (undefined: the first). */
export function chain(last: TrailEvent | undefined, body: Omit<TrailEventBody, 'seq'>): TrailEvent {
  const prevHash = last?.hash ?? GENESIS;
  const full: TrailEventBody = { ...body, seq: (last?.seq ?? 0) + 1 };
  return { ...full, prevHash, hash: hashOf(full, prevHash) };
}

export interface TrailProblem {
  seq: number | null;
  problem: 'EDITED' | 'MISSING' | 'BROKEN_LINK' | 'NOT_IN_MIRROR' | 'MIRROR_DIFFERS' | 'MISSING_FROM_STORE';
  detail: string;
}

function bodyOf(e: TrailEvent): TrailEventBody {
  const { prevHash: _p, hash: _h, ...body } = e;
  return body;
}

/**
 * Problems with `events` (one case, any order): an event whose content no longer matches its hash, a gap in the
 * sequence, a link to something other than its predecessor; and, given the warehouse mirror's (seq, hash) pairs,
 * any event the two disagree on or that only one of them holds.
 */
export function verifyTrail(
  events: readonly TrailEvent[],
  mirror?: readonly { seq: number; hash: string }[],
): TrailProblem[] {
  const problems: TrailProblem[] = [];
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  let prev: TrailEvent | undefined;
  for (const e of sorted) {
    const expectedSeq = (prev?.seq ?? 0) + 1;
    if (e.seq !== expectedSeq)
      problems.push({
        seq: expectedSeq,
        problem: 'MISSING',
        detail: `events ${expectedSeq}–${e.seq - 1} are missing`,
      });
    if (hashOf(bodyOf(e), e.prevHash) !== e.hash)
      problems.push({ seq: e.seq, problem: 'EDITED', detail: 'the content does not match its hash' });
    else if (prev && e.seq === prev.seq + 1 && e.prevHash !== prev.hash)
      problems.push({
        seq: e.seq,
        problem: 'BROKEN_LINK',
        detail: 'it does not link to the event before it',
      });
    else if (!prev && e.seq === 1 && e.prevHash !== GENESIS)
      problems.push({ seq: 1, problem: 'BROKEN_LINK', detail: 'the first event does not start the chain' });
    prev = e;
  }
  if (mirror) {
    const stored = new Map(sorted.map((e) => [e.seq, e.hash]));
    // A mirror may hold one event twice (a repeated insert) or, after a rewrite, two versions of it.
    const mirrored = new Map<number, Set<string>>();
    for (const m of mirror) mirrored.set(m.seq, (mirrored.get(m.seq) ?? new Set()).add(m.hash));
    for (const [seq, hashes] of [...mirrored].sort((a, b) => a[0] - b[0])) {
      const mine = stored.get(seq);
      if (mine === undefined)
        problems.push({
          seq,
          problem: 'MISSING_FROM_STORE',
          detail: 'the warehouse mirror holds an event the store lost',
        });
      else if (hashes.size > 1 || !hashes.has(mine))
        problems.push({
          seq,
          problem: 'MIRROR_DIFFERS',
          detail: 'the store and the warehouse mirror disagree',
        });
    }
    for (const seq of stored.keys())
      if (!mirrored.has(seq))
        problems.push({
          seq,
          problem: 'NOT_IN_MIRROR',
          detail: 'not mirrored to compliance.case_events (yet)',
        });
  }
  return problems;
}
