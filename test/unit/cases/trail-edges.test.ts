/**
 * Trail edges beyond trail.test.ts: the exact hash formula (a trail written last year must still verify), what
 * canonical JSON does with absent values, events handed over in any order, and how each break is reported.
 */
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  chain,
  GENESIS,
  hashOf,
  verifyTrail,
  type TrailEvent,
  type TrailEventBody,
} from '../../../shared/domain/cases/trail';

const body = (n: number) => ({
  caseId: 'case-9',
  actor: `officer-${n}@bank.test`,
  action: 'note_added',
  reasonCode: null,
  before: { notes: n - 1 },
  after: { notes: n },
  requestId: `req-${n}`,
  at: `2026-12-04T11:0${n}:00.000Z`,
});
function trail(n: number): TrailEvent[] {
  const out: TrailEvent[] = [];
  for (let i = 1; i <= n; i++) out.push(chain(out[out.length - 1], body(i)));
  return out;
}
const summary = (t: readonly TrailEvent[], mirror?: { seq: number; hash: string }[]) =>
  verifyTrail(t, mirror).map((p) => [p.seq, p.problem, p.detail]);

describe('canonical JSON', () => {
  it('sorts keys at every level and writes no spaces', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 'x' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[2,{"y":"x","z":1}]},"b":1}',
    );
  });

  it('drops keys whose value is undefined, and writes null and an absent value as null', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([undefined, null, 0, ''])).toBe('[null,null,0,""]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('escapes keys and text as JSON does', () => {
    expect(canonicalJson({ 'a"b': 'line\nbreak' })).toBe('{"a\\"b":"line\\nbreak"}');
  });
});

describe('the hash chain', () => {
  it('hashes the previous hash, a newline and the canonical body with SHA-256', () => {
    const b: TrailEventBody = { ...body(1), seq: 1 };
    const expected = createHash('sha256')
      .update(`${GENESIS}\n${canonicalJson(b)}`)
      .digest('hex');
    expect(hashOf(b, GENESIS)).toBe(expected);
    expect(GENESIS).toBe('0'.repeat(64));
    expect(hashOf(b, 'f'.repeat(64))).not.toBe(expected);
  });

  it('numbers events from 1 and keeps every field of the body', () => {
    const [first, second] = trail(2);
    expect(first).toEqual({
      ...body(1),
      seq: 1,
      prevHash: GENESIS,
      hash: hashOf({ ...body(1), seq: 1 }, GENESIS),
    });
    expect(second.seq).toBe(2);
    expect(second.hash).toBe(hashOf({ ...body(2), seq: 2 }, first.hash));
  });
});

describe('verifying a trail', () => {
  it('accepts events handed over in any order', () => {
    const t = trail(4);
    expect(verifyTrail([t[2], t[0], t[3], t[1]])).toEqual([]);
  });

  it('accepts an empty trail', () => {
    expect(verifyTrail([])).toEqual([]);
    expect(verifyTrail([], [])).toEqual([]);
  });

  it('says which events are missing, including the first ones', () => {
    const t = trail(6);
    expect(summary([t[0], t[1], t[5]])).toEqual([[3, 'MISSING', 'events 3–5 are missing']]);
    expect(summary(t.slice(2))).toEqual([[1, 'MISSING', 'events 1–2 are missing']]);
  });

  it('detects an event linked to something other than its predecessor', () => {
    const t = trail(3);
    // Re-chained onto a forged predecessor: its own hash is consistent, its link is not.
    const forged = chain({ ...t[0], hash: 'a'.repeat(64) }, body(2));
    expect(summary([t[0], forged, t[2]])).toEqual([
      [2, 'BROKEN_LINK', 'it does not link to the event before it'],
      [3, 'BROKEN_LINK', 'it does not link to the event before it'],
    ]);
  });

  it('detects a first event that does not start from the genesis hash', () => {
    const first = chain({ ...trail(1)[0], seq: 0, hash: 'b'.repeat(64) }, body(1));
    expect(first.seq).toBe(1);
    expect(summary([first])).toEqual([[1, 'BROKEN_LINK', 'the first event does not start the chain']]);
  });

  it('reports an edited event as edited, not also as a broken link', () => {
    const t = trail(2);
    const edited = { ...t[1], prevHash: 'c'.repeat(64) };
    expect(summary([t[0], edited])).toEqual([[2, 'EDITED', 'the content does not match its hash']]);
    const editedFirst = { ...t[0], prevHash: 'c'.repeat(64) };
    expect(summary([editedFirst])).toEqual([[1, 'EDITED', 'the content does not match its hash']]);
  });

  it('does not judge the link of an event after a gap: the gap is reported', () => {
    const t = trail(4);
    expect(summary([t[0], t[3]])).toEqual([[2, 'MISSING', 'events 2–3 are missing']]);
  });
});

describe('checking against the warehouse mirror', () => {
  const t = trail(3);
  const mirror = t.map((e) => ({ seq: e.seq, hash: e.hash }));

  it('accepts an event mirrored twice with the same hash (a repeated insert)', () => {
    expect(verifyTrail(t, [...mirror, mirror[1]])).toEqual([]);
  });

  it('flags an event the mirror holds in two versions, even if one matches', () => {
    expect(summary(t, [...mirror, { seq: 2, hash: 'd'.repeat(64) }])).toEqual([
      [2, 'MIRROR_DIFFERS', 'the store and the warehouse mirror disagree'],
    ]);
  });

  it('reports mirror problems in sequence order, then what is not mirrored yet', () => {
    const shuffled = [
      { seq: 5, hash: 'e'.repeat(64) },
      { seq: 2, hash: 'd'.repeat(64) },
      { seq: 4, hash: 'e'.repeat(64) },
      mirror[0],
    ];
    expect(summary(t, shuffled)).toEqual([
      [2, 'MIRROR_DIFFERS', 'the store and the warehouse mirror disagree'],
      [4, 'MISSING_FROM_STORE', 'the warehouse mirror holds an event the store lost'],
      [5, 'MISSING_FROM_STORE', 'the warehouse mirror holds an event the store lost'],
      [3, 'NOT_IN_MIRROR', 'not mirrored to compliance.case_events (yet)'],
    ]);
  });
});
