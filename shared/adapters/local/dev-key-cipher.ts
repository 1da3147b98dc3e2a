import { createHash, randomBytes } from 'node:crypto';
import type { Cipher, EncryptedEnvelope } from '../../ports/cipher';
import { decodeBody, encodeBody, open, seal } from '../../platform/aes-gcm';
import { refuseInProduction } from '../../platform/production-guard';

const KEY_NAME = 'local-dev-key';

/**
 * Envelope encryption with a development key-encryption key instead of Cloud KMS: same envelope format,
 * same AES-256-GCM, a key derived from FUSION_DEV_CIPHER_KEY (or a fixed development phrase).
 * Refuses to run with NODE_ENV=production.
 */
export class DevKeyCipher implements Cipher {
  private readonly kek: Buffer;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    refuseInProduction('DevKeyCipher', env);
    const phrase = env.FUSION_DEV_CIPHER_KEY ?? 'fusion-risk local development key (not for production)';
    this.kek = createHash('sha256').update(phrase).digest();
  }

  async encrypt(plaintext: Buffer, aad: string): Promise<EncryptedEnvelope> {
    const dek = randomBytes(32);
    const body = seal(dek, plaintext, aad);
    const wrapped = seal(this.kek, dek, aad);
    return {
      keyName: KEY_NAME,
      wrappedKey: Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]).toString('base64'),
      ...encodeBody(body),
    };
  }

  async decrypt(envelope: EncryptedEnvelope, aad: string): Promise<Buffer> {
    if (envelope.keyName !== KEY_NAME)
      throw new Error(`envelope was wrapped by ${envelope.keyName}, not the dev key`);
    const w = Buffer.from(envelope.wrappedKey, 'base64');
    const dek = open(
      this.kek,
      { iv: w.subarray(0, 12), tag: w.subarray(12, 28), ciphertext: w.subarray(28) },
      aad,
    );
    return open(dek, decodeBody(envelope), aad);
  }
}
