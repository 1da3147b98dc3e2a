/**
 * An envelope-encrypted value as it is stored: a fresh data key per record encrypted the plaintext with
 * AES-256-GCM, and the key is wrapped by a key-encryption key (Cloud KMS in production). The Cipher port makes
 * and opens them; the domain only stores them.
 */
export interface EncryptedEnvelope {
  /** The key-encryption key (version) that wrapped the data key. */
  keyName: string;
  wrappedKey: string;
  iv: string;
  ciphertext: string;
  tag: string;
}
