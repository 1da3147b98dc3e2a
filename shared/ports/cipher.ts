import type { EncryptedEnvelope } from '../domain/envelope';

export type { EncryptedEnvelope };

/**
 * Envelope encryption: a fresh data key per record encrypts the plaintext with AES-256-GCM; the key is
 * wrapped by a key-encryption key (Cloud KMS in production). The AAD binds a ciphertext to its record.
 */
export interface Cipher {
  encrypt(plaintext: Buffer, aad: string): Promise<EncryptedEnvelope>;
  decrypt(envelope: EncryptedEnvelope, aad: string): Promise<Buffer>;
}
