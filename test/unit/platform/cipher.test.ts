/**
 * DevKeyCipher: the local stand-in for Cloud KMS envelope encryption of PII. Same envelope format and
 * AES-256-GCM guarantees: confidentiality, integrity, and a ciphertext bound to its record by the AAD.
 */
import { DevKeyCipher } from '../../../shared/adapters/local/dev-key-cipher';
import type { EncryptedEnvelope } from '../../../shared/ports/cipher';

const AAD = 'kyc-cases/inq_8xJ4p2vQk9:attributes';
const PII = Buffer.from(
  JSON.stringify({ 'name-first': 'Jane', 'name-last': 'Okafor', birthdate: '1985-03-14' }),
);

/** Flips one bit of a base64 field. */
function flip(b64: string, byte = 0): string {
  const buf = Buffer.from(b64, 'base64');
  buf[byte] ^= 0x01;
  return buf.toString('base64');
}

describe('DevKeyCipher', () => {
  const cipher = new DevKeyCipher({ NODE_ENV: 'development' });

  it('round-trips a record and never carries the plaintext in the envelope', async () => {
    const env = await cipher.encrypt(PII, AAD);
    expect(await cipher.decrypt(env, AAD)).toEqual(PII);
    const serialised = JSON.stringify(env);
    for (const secret of ['Jane', 'Okafor', '1985-03-14']) expect(serialised).not.toContain(secret);
    expect(Buffer.from(env.ciphertext, 'base64')).toHaveLength(PII.length);
    expect(Buffer.from(env.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(env.tag, 'base64')).toHaveLength(16);
    expect(env.keyName).toBe('local-dev-key');
  });

  it('round-trips an empty record and a large one', async () => {
    const big = Buffer.alloc(1 << 20, 0x5a);
    for (const p of [Buffer.alloc(0), big])
      expect(await cipher.decrypt(await cipher.encrypt(p, AAD), AAD)).toEqual(p);
  });

  it('refuses to decrypt under another record’s AAD (a ciphertext cannot be moved between records)', async () => {
    const env = await cipher.encrypt(PII, AAD);
    await expect(cipher.decrypt(env, 'kyc-cases/inq_OTHER:attributes')).rejects.toThrow(
      /unable to authenticate|auth/i,
    );
  });

  it.each<[string, (e: EncryptedEnvelope) => EncryptedEnvelope]>([
    ['ciphertext', (e) => ({ ...e, ciphertext: flip(e.ciphertext, 3) })],
    ['tag', (e) => ({ ...e, tag: flip(e.tag, 15) })],
    ['iv', (e) => ({ ...e, iv: flip(e.iv) })],
    ['wrapped data key', (e) => ({ ...e, wrappedKey: flip(e.wrappedKey, 40) })],
    ['wrapped key’s own tag', (e) => ({ ...e, wrappedKey: flip(e.wrappedKey, 12) })],
  ])('detects a tampered %s', async (_what, tamper) => {
    const env = await cipher.encrypt(PII, AAD);
    await expect(cipher.decrypt(tamper(env), AAD)).rejects.toThrow(/unable to authenticate|auth/i);
    expect(await cipher.decrypt(env, AAD)).toEqual(PII);
  });

  it('refuses a truncated authentication tag, which AES-GCM would otherwise accept down to 4 bytes', async () => {
    const env = await cipher.encrypt(PII, AAD);
    for (const bytes of [4, 8, 12, 15]) {
      const truncated = { ...env, tag: Buffer.from(env.tag, 'base64').subarray(0, bytes).toString('base64') };
      await expect(cipher.decrypt(truncated, AAD)).rejects.toThrow(
        `AES-GCM tag must be 16 bytes (got ${bytes})`,
      );
    }
  });

  it('produces a different envelope every time for the same plaintext (fresh data key and IV)', async () => {
    const a = await cipher.encrypt(PII, AAD);
    const b = await cipher.encrypt(PII, AAD);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.iv).not.toBe(b.iv);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(await cipher.decrypt(a, AAD)).toEqual(await cipher.decrypt(b, AAD));
  });

  it('cannot open an envelope sealed under another development key', async () => {
    const other = new DevKeyCipher({ NODE_ENV: 'development', FUSION_DEV_CIPHER_KEY: 'a different phrase' });
    const env = await other.encrypt(PII, AAD);
    await expect(cipher.decrypt(env, AAD)).rejects.toThrow(/unable to authenticate|auth/i);
    expect(await other.decrypt(env, AAD)).toEqual(PII);
  });

  it('refuses an envelope wrapped by Cloud KMS, naming the key', async () => {
    const env = await cipher.encrypt(PII, AAD);
    const kmsName = 'projects/p/locations/europe-west2/keyRings/fusion/cryptoKeys/pii/cryptoKeyVersions/1';
    await expect(cipher.decrypt({ ...env, keyName: kmsName }, AAD)).rejects.toThrow(
      `envelope was wrapped by ${kmsName}, not the dev key`,
    );
  });

  it('refuses to run with NODE_ENV=production', () => {
    expect(() => new DevKeyCipher({ NODE_ENV: 'production' })).toThrow(
      'DevKeyCipher is for local development only and refuses to run with NODE_ENV=production',
    );
  });
});
