import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseSignatureHeader,
  personaSignature,
  personaSignatureHeader,
  verifyPersonaSignature,
} from '../../../shared/domain/kyc/signature';

const vector = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'persona', 'signature-vector.json'), 'utf8'),
) as { secret: string; t: number; body: string; v1: string };

const NOW = 1_710_528_000;
const BODY = Buffer.from('{"data":{"type":"event","id":"evt_A1","attributes":{"name":"inquiry.approved"}}}');

const verify = (header: string | undefined, o: { body?: Buffer; secrets?: string[]; now?: number } = {}) =>
  verifyPersonaSignature({
    header,
    rawBody: o.body ?? BODY,
    secrets: o.secrets ?? ['wbhsec_current'],
    nowSeconds: o.now ?? NOW,
    toleranceSeconds: 300,
  });

describe('Persona-Signature', () => {
  it('reproduces the reference test vector: hex HMAC-SHA256 of "t.body"', () => {
    expect(personaSignature(vector.secret, vector.t, vector.body)).toBe(vector.v1);
    expect(
      verifyPersonaSignature({
        header: `t=${vector.t},v1=${vector.v1}`,
        rawBody: Buffer.from(vector.body),
        secrets: [vector.secret],
        nowSeconds: vector.t + 10,
        toleranceSeconds: 300,
      }),
    ).toEqual({ ok: true, t: vector.t });
  });

  it('accepts a correct signature', () => {
    expect(verify(personaSignatureHeader(['wbhsec_current'], NOW, BODY))).toEqual({ ok: true, t: NOW });
  });

  it('accepts either of the two space-separated sets sent while Persona rotates the secret', () => {
    const rotating = personaSignatureHeader(['wbhsec_old', 'wbhsec_current'], NOW, BODY);
    expect(rotating.split(' ')).toHaveLength(2);
    expect(verify(rotating)).toEqual({ ok: true, t: NOW });
    // We still hold only the old one: the other set matches.
    expect(verify(rotating, { secrets: ['wbhsec_old'] })).toEqual({ ok: true, t: NOW });
    // We rotate ours (two secrets held), Persona signs with the new one only.
    expect(
      verify(personaSignatureHeader(['wbhsec_new'], NOW, BODY), { secrets: ['wbhsec_old', 'wbhsec_new'] }),
    ).toEqual({ ok: true, t: NOW });
  });

  it('refuses a signature made with another secret', () => {
    expect(verify(personaSignatureHeader(['wbhsec_attacker'], NOW, BODY))).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    // The API key is not the webhook secret.
    expect(verify(personaSignatureHeader(['persona_production_key'], NOW, BODY))).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses a stale and a future timestamp beyond the tolerance, and accepts both edges', () => {
    const at = (t: number) => personaSignatureHeader(['wbhsec_current'], t, BODY);
    expect(verify(at(NOW - 301))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(at(NOW + 301))).toEqual({ ok: false, reason: 'future' });
    expect(verify(at(NOW - 300))).toEqual({ ok: true, t: NOW - 300 });
    expect(verify(at(NOW + 300))).toEqual({ ok: true, t: NOW + 300 });
  });

  it('binds t: a valid v1 moved under a fresh t is refused', () => {
    const old = personaSignature('wbhsec_current', NOW - 3600, BODY);
    expect(verify(`t=${NOW},v1=${old}`)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a tampered body, even one that differs only in whitespace or number formatting', () => {
    const header = personaSignatureHeader(['wbhsec_current'], NOW, BODY);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 1));
    expect(verify(header, { body: reserialised })).toEqual({ ok: false, reason: 'mismatch' });
    const tampered = Buffer.from(BODY.toString().replace('approved', 'declined'));
    expect(verify(header, { body: tampered })).toEqual({ ok: false, reason: 'mismatch' });
    const money = Buffer.from('{"amount":1.10}');
    expect(
      verify(personaSignatureHeader(['wbhsec_current'], NOW, money), { body: Buffer.from('{"amount":1.1}') }),
    ).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('names a missing and a malformed header', () => {
    const v1 = personaSignature('wbhsec_current', NOW, BODY);
    expect(verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verify('   ')).toEqual({ ok: false, reason: 'missing' });
    for (const bad of [
      v1,
      `v1=${v1}`,
      `t=${NOW}`,
      `t=abc,v1=${v1}`,
      `t=${NOW},v1=${v1.slice(0, 40)}`,
      `t=${NOW},v1=${v1}zz`.replace(/.{2}$/, 'zz'),
      `t=${NOW},t=${NOW},v1=${v1}`,
      `t=${NOW};v1=${v1}`,
      `t=${NOW},v1=${v1},`,
      `t=${NOW},v1=${v1} `.repeat(9),
      'x'.repeat(5000),
    ]) {
      expect([bad.slice(0, 30), verify(bad)]).toEqual([bad.slice(0, 30), { ok: false, reason: 'malformed' }]);
    }
  });

  it('parses every set and ignores schemes it does not know', () => {
    expect(parseSignatureHeader(`t=1,v1=${'a'.repeat(64)},v0=zz t=2,v1=${'B'.repeat(64)}`)).toEqual([
      { t: 1, v1: ['a'.repeat(64)] },
      { t: 2, v1: ['b'.repeat(64)] },
    ]);
  });
});
