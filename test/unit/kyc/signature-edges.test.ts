/**
 * Edges of Persona-Signature verification beyond signature.test.ts: header size and set limits, several v1 in a
 * set, and which reason a forged or mistimed delivery is refused with.
 */
import {
  parseSignatureHeader,
  personaSignature,
  personaSignatureHeader,
  verifyPersonaSignature,
} from '../../../shared/domain/kyc/signature';

const NOW = 1_710_528_000;
const BODY = Buffer.from('{"data":{"id":"evt_A1"}}');
const SECRET = 'wbhsec_current';
const HEX = (c: string) => c.repeat(64);

const verify = (header: string, secrets = [SECRET], toleranceSeconds = 300) =>
  verifyPersonaSignature({ header, rawBody: BODY, secrets, nowSeconds: NOW, toleranceSeconds });

describe('Persona-Signature header limits', () => {
  it('reads a header of up to 4096 characters and refuses a longer one', () => {
    const set = `t=1,v1=${HEX('a')}`; // 70 characters
    const padded = (len: number) => `${set},x=${'y'.repeat(len - set.length - 3)}`;
    expect(padded(4096)).toHaveLength(4096);
    expect(parseSignatureHeader(padded(4096))).toEqual([{ t: 1, v1: [HEX('a')] }]);
    expect(parseSignatureHeader(padded(4097))).toBeUndefined();
  });

  it('reads up to 8 sets and refuses 9', () => {
    const sets = (n: number) => Array.from({ length: n }, (_, i) => `t=${i + 1},v1=${HEX('c')}`).join(' ');
    expect(parseSignatureHeader(sets(8))).toHaveLength(8);
    expect(parseSignatureHeader(sets(9))).toBeUndefined();
  });

  it('reads a t of up to 12 digits and refuses 13', () => {
    expect(parseSignatureHeader(`t=999999999999,v1=${HEX('a')}`)).toEqual([
      { t: 999_999_999_999, v1: [HEX('a')] },
    ]);
    expect(parseSignatureHeader(`t=1000000000000,v1=${HEX('a')}`)).toBeUndefined();
    expect(parseSignatureHeader(`t=-1,v1=${HEX('a')}`)).toBeUndefined();
    expect(parseSignatureHeader(`t=1.5,v1=${HEX('a')}`)).toBeUndefined();
    expect(parseSignatureHeader(`t=,v1=${HEX('a')}`)).toBeUndefined();
  });

  it('refuses a v1 that is not exactly 64 hex digits', () => {
    expect(parseSignatureHeader(`t=1,v1=${'a'.repeat(63)}`)).toBeUndefined();
    expect(parseSignatureHeader(`t=1,v1=${'a'.repeat(65)}`)).toBeUndefined();
    expect(parseSignatureHeader(`t=1,v1=${'g'.repeat(64)}`)).toBeUndefined();
    expect(parseSignatureHeader(`t=1,v1=x${'a'.repeat(64)}`)).toBeUndefined();
  });

  it('refuses a pair without a key, and a set without a t or a v1', () => {
    expect(parseSignatureHeader(`=1,t=1,v1=${HEX('a')}`)).toBeUndefined();
    expect(parseSignatureHeader(`t=1,v1=${HEX('a')},novalue`)).toBeUndefined();
    expect(parseSignatureHeader(`t=1,v0=${HEX('a')}`)).toBeUndefined();
    expect(parseSignatureHeader(`v1=${HEX('a')},v2=${HEX('b')}`)).toBeUndefined();
    expect(parseSignatureHeader('')).toBeUndefined();
  });

  it('keeps every v1 of a set, lower-cased, and a value holding "="', () => {
    expect(parseSignatureHeader(`  t=7,v1=${HEX('A')},v1=${HEX('b')},v2=a=b  `)).toEqual([
      { t: 7, v1: [HEX('a'), HEX('b')] },
    ]);
  });

  it('separates sets by any run of whitespace', () => {
    expect(parseSignatureHeader(`t=1,v1=${HEX('a')}\t \nt=2,v1=${HEX('b')}`)).toEqual([
      { t: 1, v1: [HEX('a')] },
      { t: 2, v1: [HEX('b')] },
    ]);
  });
});

describe('Persona-Signature verification', () => {
  it('accepts a set whose second v1 is the right one', () => {
    const good = personaSignature(SECRET, NOW, BODY);
    expect(verify(`t=${NOW},v1=${HEX('0')},v1=${good}`)).toEqual({ ok: true, t: NOW });
  });

  it('accepts an upper-case hex signature', () => {
    const good = personaSignature(SECRET, NOW, BODY).toUpperCase();
    expect(verify(`t=${NOW},v1=${good}`)).toEqual({ ok: true, t: NOW });
  });

  it('accepts a fresh set even when another genuine set is stale', () => {
    const header = `${personaSignatureHeader([SECRET], NOW - 3600, BODY)} ${personaSignatureHeader([SECRET], NOW, BODY)}`;
    expect(verify(header)).toEqual({ ok: true, t: NOW });
  });

  it('says stale or future only for a genuine signature; a forgery with an old t is a mismatch', () => {
    expect(verify(`t=${NOW - 3600},v1=${HEX('f')}`)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(personaSignatureHeader([SECRET], NOW - 3600, BODY))).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verify(personaSignatureHeader([SECRET], NOW + 3600, BODY))).toEqual({
      ok: false,
      reason: 'future',
    });
    // A forged set next to a stale genuine one: still stale, the forgery is not the reason.
    const mixed = `${personaSignatureHeader([SECRET], NOW - 3600, BODY)} t=${NOW},v1=${HEX('f')}`;
    expect(verify(mixed)).toEqual({ ok: false, reason: 'stale' });
  });

  it('uses the tolerance it is given, both ways', () => {
    const at = (t: number) => personaSignatureHeader([SECRET], t, BODY);
    expect(verify(at(NOW - 60), [SECRET], 60)).toEqual({ ok: true, t: NOW - 60 });
    expect(verify(at(NOW - 61), [SECRET], 60)).toEqual({ ok: false, reason: 'stale' });
    expect(verify(at(NOW + 61), [SECRET], 60)).toEqual({ ok: false, reason: 'future' });
    expect(verify(at(NOW), [SECRET], 0)).toEqual({ ok: true, t: NOW });
  });

  it('refuses everything when we hold no secret', () => {
    expect(verify(personaSignatureHeader([SECRET], NOW, BODY), [])).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('signs a string body and the same bytes as a Buffer alike', () => {
    expect(personaSignature(SECRET, NOW, BODY.toString())).toBe(personaSignature(SECRET, NOW, BODY));
    expect(personaSignatureHeader(['s1', 's2'], 5, 'x')).toBe(
      `t=5,v1=${personaSignature('s1', 5, 'x')} t=5,v1=${personaSignature('s2', 5, 'x')}`,
    );
  });
});
