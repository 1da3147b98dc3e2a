import { randomBytes } from 'node:crypto';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type { Cipher, EncryptedEnvelope } from '../../ports/cipher';
import { decodeBody, encodeBody, open, seal } from '../../platform/aes-gcm';
import { crc32c } from '../../platform/crc32c';

/**
 * Cloud KMS envelope encryption: a random 256-bit data key encrypts the record locally (AES-256-GCM), KMS
 * wraps the data key with the record's AAD. CRC32C checksums protect both directions of the KMS call.
 */
export class KmsEnvelopeCipher implements Cipher {
  private client?: Promise<KeyManagementServiceClient>;

  /** clientOptions: e.g. a regional apiEndpoint for the KMS client. */
  constructor(
    private readonly keyName: string,
    private readonly clientOptions?: ConstructorParameters<typeof KeyManagementServiceClient>[0],
  ) {}

  private kms(): Promise<KeyManagementServiceClient> {
    this.client ??= import('@google-cloud/kms').then(
      ({ KeyManagementServiceClient }) => new KeyManagementServiceClient(this.clientOptions),
    );
    return this.client;
  }

  async encrypt(plaintext: Buffer, aad: string): Promise<EncryptedEnvelope> {
    const dek = randomBytes(32);
    const body = seal(dek, plaintext, aad);
    const aadBuf = Buffer.from(aad);
    const [res] = await (
      await this.kms()
    ).encrypt({
      name: this.keyName,
      plaintext: dek,
      additionalAuthenticatedData: aadBuf,
      plaintextCrc32c: { value: crc32c(dek) },
      additionalAuthenticatedDataCrc32c: { value: crc32c(aadBuf) },
    });
    const wrapped = Buffer.from(res.ciphertext as Uint8Array);
    if (!res.verifiedPlaintextCrc32c || !res.verifiedAdditionalAuthenticatedDataCrc32c) {
      throw new Error('KMS encrypt: request corrupted in transit (CRC32C not verified)');
    }
    if (Number(res.ciphertextCrc32c?.value) !== crc32c(wrapped)) {
      throw new Error('KMS encrypt: response corrupted in transit (CRC32C mismatch)');
    }
    return {
      keyName: res.name ?? this.keyName,
      wrappedKey: wrapped.toString('base64'),
      ...encodeBody(body),
    };
  }

  async decrypt(envelope: EncryptedEnvelope, aad: string): Promise<Buffer> {
    const wrapped = Buffer.from(envelope.wrappedKey, 'base64');
    const aadBuf = Buffer.from(aad);
    // Decrypt addresses the crypto key, not the version that wrapped it. The key is the configured one: a stored
    // envelope naming another key (tampered, or written elsewhere) must not make us call KMS with it.
    const named = envelope.keyName.replace(/\/cryptoKeyVersions\/[^/]+$/, '');
    if (named !== this.keyName)
      throw new Error(`envelope names key ${named}, not the configured key ${this.keyName}; refused`);
    const [res] = await (
      await this.kms()
    ).decrypt({
      name: this.keyName,
      ciphertext: wrapped,
      additionalAuthenticatedData: aadBuf,
      ciphertextCrc32c: { value: crc32c(wrapped) },
      additionalAuthenticatedDataCrc32c: { value: crc32c(aadBuf) },
    });
    const dek = Buffer.from(res.plaintext as Uint8Array);
    if (Number(res.plaintextCrc32c?.value) !== crc32c(dek)) {
      throw new Error('KMS decrypt: response corrupted in transit (CRC32C mismatch)');
    }
    return open(dek, decodeBody(envelope), aad);
  }
}
