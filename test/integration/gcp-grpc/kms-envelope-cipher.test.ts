/**
 * KmsEnvelopeCipher with the real @google-cloud/kms client (google-gax over @grpc/grpc-js), against a local
 * server speaking google.cloud.kms.v1.KeyManagementService over gRPC (support/fake-kms.ts), which really
 * wraps the data keys (AES-256-GCM, AAD bound) and checks and returns CRC32C checksums as Cloud KMS does.
 *
 * Seam: the adapter builds `new KeyManagementServiceClient()` with no options, and no environment variable points a
 * gRPC Google client at another host (GOOGLE_CLOUD_UNIVERSE_DOMAIN and grpc_proxy still mean TLS to a Google
 * host name on port 443 with real credentials). jest.mock substitutes a subclass of the real client whose
 * constructor adds connection options only (127.0.0.1:<port>, an insecure channel, the default universe
 * domain so no credentials are ever looked up); the rest is the library's own code and wire format. The
 * gRPC transport has none of the dynamic import()s Jest cannot run, so no child process is needed. An
 * optional client-options parameter on the adapter would make the mock unnecessary.
 */
import type * as Grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type * as Kms from '@google-cloud/kms';
import { KmsEnvelopeCipher } from '../../../shared/adapters/gcp/kms-envelope-cipher';
import type { EncryptedEnvelope } from '../../../shared/ports/cipher';
import { crc32cReference } from './support/crc32c-reference';
import { FakeKms, type DecryptResponse, type EncryptResponse, type Int64Value } from './support/fake-kms';

type KmsClientOptions = ConstructorParameters<typeof Kms.KeyManagementServiceClient>[0];

/** Port of the fake KMS, set once it listens; every client the adapter constructs is recorded to close it. */
let mockKmsPort: number | undefined;
const mockKmsClients: { close(): Promise<void> }[] = [];

jest.mock('@google-cloud/kms', () => {
  const actual = jest.requireActual<typeof Kms>('@google-cloud/kms');
  const { credentials } = jest.requireActual<typeof Grpc>('@grpc/grpc-js');
  class LocalKeyManagementServiceClient extends actual.KeyManagementServiceClient {
    constructor(opts?: KmsClientOptions) {
      if (mockKmsPort === undefined) throw new Error('the fake KMS is not listening yet');
      super({
        ...opts,
        apiEndpoint: '127.0.0.1',
        port: mockKmsPort,
        sslCreds: credentials.createInsecure(),
        universeDomain: 'googleapis.com',
      });
      mockKmsClients.push(this);
    }
  }
  return { ...actual, __esModule: true, KeyManagementServiceClient: LocalKeyManagementServiceClient };
});

const KEY = 'projects/fusion-risk-test/locations/europe-west1/keyRings/fusion-risk/cryptoKeys/customer-pii';
const RECORD = Buffer.from(
  JSON.stringify({ customerId: 'cust-0042', legalName: 'Ada Lovelace', wallet: '0x1b2f3c4d5e6f' }),
);
const AAD = 'customers/cust-0042/kyc';

describe('KmsEnvelopeCipher against a Cloud KMS gRPC server', () => {
  const kms = new FakeKms();

  beforeAll(async () => {
    mockKmsPort = await kms.start();
    kms.createKey(KEY);
  });

  afterAll(async () => {
    await Promise.all(mockKmsClients.map((c) => c.close()));
    await kms.stop();
  });

  beforeEach(() => kms.reset());

  it('round-trips a record: KMS wraps a data key under the AAD with checksums; the record never leaves', async () => {
    const cipher = new KmsEnvelopeCipher(KEY);
    const envelope = await cipher.encrypt(RECORD, AAD);

    expect(kms.encrypts).toHaveLength(1);
    const [{ request: enc, metadata }] = kms.encrypts;
    expect(enc.name).toBe(KEY);
    // What KMS receives is a 256-bit data key, never the record.
    expect(enc.plaintext).toHaveLength(32);
    expect(enc.plaintext?.equals(RECORD)).toBe(false);
    expect(enc.additionalAuthenticatedData?.toString()).toBe(AAD);
    expect(enc.plaintextCrc32c).toEqual({ value: crc32cReference(enc.plaintext ?? Buffer.alloc(0)) });
    expect(enc.additionalAuthenticatedDataCrc32c).toEqual({ value: crc32cReference(AAD) });
    // The real client's own wire details: the routing header names the key; no credentials are sent.
    expect(metadata['x-goog-request-params']).toBe(`name=${encodeURIComponent(KEY)}`);
    expect(metadata.authorization).toBeUndefined();

    expect(envelope.keyName).toBe(`${KEY}/cryptoKeyVersions/1`);
    expect(Buffer.from(envelope.ciphertext, 'base64').includes(Buffer.from('Ada Lovelace'))).toBe(false);

    // A fresh instance (a new function instance) decrypts it.
    expect(await new KmsEnvelopeCipher(KEY).decrypt(envelope, AAD)).toEqual(RECORD);
    expect(kms.decrypts).toHaveLength(1);
    const [{ request: dec }] = kms.decrypts;
    expect(dec.name).toBe(KEY);
    expect(dec.ciphertext?.toString('base64')).toBe(envelope.wrappedKey);
    expect(dec.additionalAuthenticatedData?.toString()).toBe(AAD);
    expect(dec.ciphertextCrc32c).toEqual({ value: crc32cReference(dec.ciphertext ?? Buffer.alloc(0)) });
    expect(dec.additionalAuthenticatedDataCrc32c).toEqual({ value: crc32cReference(AAD) });
  });

  it('decrypts only under the configured key: an envelope naming another key is refused without a KMS call', async () => {
    const envelope = await new KmsEnvelopeCipher(KEY).encrypt(RECORD, AAD);
    const other = KEY.replace(/cryptoKeys\/[^/]+$/, 'cryptoKeys/attacker-controlled');
    const forged = { ...envelope, keyName: `${other}/cryptoKeyVersions/1` };
    await expect(new KmsEnvelopeCipher(KEY).decrypt(forged, AAD)).rejects.toThrow(
      /names key .*attacker-controlled, not the configured key/,
    );
    expect(kms.decrypts).toHaveLength(0);
  });

  it('records the key version KMS used, and decrypts through the crypto key after a rotation', async () => {
    const cipher = new KmsEnvelopeCipher(KEY);
    const before = await cipher.encrypt(RECORD, AAD);
    const version = kms.rotate(KEY);
    const after = await cipher.encrypt(RECORD, AAD);

    expect(before.keyName).toBe(`${KEY}/cryptoKeyVersions/${version - 1}`);
    expect(after.keyName).toBe(`${KEY}/cryptoKeyVersions/${version}`);
    expect(await cipher.decrypt(before, AAD)).toEqual(RECORD);
    expect(await cipher.decrypt(after, AAD)).toEqual(RECORD);
    // Decrypt addresses the CryptoKey (KMS rejects a version name there); the version stays in the envelope.
    expect(kms.decrypts.map((c) => c.request.name)).toEqual([KEY, KEY]);
  });

  it('rejects a wrapped key presented under another AAD: KMS binds the AAD to the data key', async () => {
    const cipher = new KmsEnvelopeCipher(KEY);
    const envelope = await cipher.encrypt(RECORD, AAD);

    await expect(cipher.decrypt(envelope, 'customers/cust-0043/kyc')).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      message: expect.stringContaining('Decryption failed'),
    });
    expect(kms.decrypts.map((c) => c.request.additionalAuthenticatedData?.toString())).toEqual([
      'customers/cust-0043/kyc',
    ]);
    // The right AAD still opens it.
    expect(await cipher.decrypt(envelope, AAD)).toEqual(RECORD);
  });

  it('rejects a record body altered at rest (its GCM tag no longer matches)', async () => {
    const cipher = new KmsEnvelopeCipher(KEY);
    const envelope = await cipher.encrypt(RECORD, AAD);
    const body = Buffer.from(envelope.ciphertext, 'base64');
    body[0] ^= 0x01;

    await expect(cipher.decrypt({ ...envelope, ciphertext: body.toString('base64') }, AAD)).rejects.toThrow(
      /unable to authenticate data/,
    );
  });

  it('uses a fresh data key for every record', async () => {
    const cipher = new KmsEnvelopeCipher(KEY);
    const first = await cipher.encrypt(RECORD, AAD);
    const second = await cipher.encrypt(RECORD, AAD);

    const [dek1, dek2] = kms.encrypts.map((c) => c.request.plaintext ?? Buffer.alloc(0));
    expect(dek1).toHaveLength(32);
    expect(dek2).toHaveLength(32);
    expect(dek1.equals(dek2)).toBe(false);
    const differing = (['wrappedKey', 'iv', 'ciphertext', 'tag'] as const).filter(
      (f) => first[f] !== second[f],
    );
    expect(differing).toEqual(['wrappedKey', 'iv', 'ciphertext', 'tag']);
    expect(await cipher.decrypt(first, AAD)).toEqual(RECORD);
    expect(await cipher.decrypt(second, AAD)).toEqual(RECORD);
  });

  describe('detects an exchange with KMS corrupted in transit', () => {
    /** The same bytes with one bit flipped. */
    const flipped = (b: Buffer | undefined): Buffer => {
      const copy = Buffer.from(b ?? Buffer.alloc(1));
      copy[0] ^= 0x01;
      return copy;
    };
    const otherSum = (sum: Int64Value | undefined): Int64Value => ({
      value: (Number(sum?.value) ^ 0x01) >>> 0,
    });

    const REQUEST_CORRUPTED = 'KMS encrypt: request corrupted in transit (CRC32C not verified)';
    const ENCRYPT_RESPONSE_CORRUPTED = 'KMS encrypt: response corrupted in transit (CRC32C mismatch)';
    const DECRYPT_RESPONSE_CORRUPTED = 'KMS decrypt: response corrupted in transit (CRC32C mismatch)';

    it.each<{ what: string; tamper: (res: EncryptResponse) => EncryptResponse; error: string }>([
      {
        what: 'the wrapped key altered after KMS checksummed it',
        tamper: (res) => ({ ...res, ciphertext: flipped(res.ciphertext) }),
        error: ENCRYPT_RESPONSE_CORRUPTED,
      },
      {
        what: 'a ciphertextCrc32c that does not match the wrapped key',
        tamper: (res) => ({ ...res, ciphertextCrc32c: otherSum(res.ciphertextCrc32c) }),
        error: ENCRYPT_RESPONSE_CORRUPTED,
      },
      {
        what: 'no ciphertextCrc32c at all',
        tamper: (res) => ({ ...res, ciphertextCrc32c: undefined }),
        error: ENCRYPT_RESPONSE_CORRUPTED,
      },
      {
        what: 'verifiedPlaintextCrc32c = false (KMS never checked the data key it wrapped)',
        tamper: (res) => ({ ...res, verifiedPlaintextCrc32c: false }),
        error: REQUEST_CORRUPTED,
      },
      {
        what: 'verifiedAdditionalAuthenticatedDataCrc32c = false (KMS never checked the AAD it bound)',
        tamper: (res) => ({ ...res, verifiedAdditionalAuthenticatedDataCrc32c: false }),
        error: REQUEST_CORRUPTED,
      },
    ])('Encrypt answered with $what', async ({ tamper, error }) => {
      kms.tamper.encrypt = tamper;
      await expect(new KmsEnvelopeCipher(KEY).encrypt(RECORD, AAD)).rejects.toMatchObject({ message: error });
      expect(kms.encrypts).toHaveLength(1);
    });

    it.each<{ what: string; tamper: (res: DecryptResponse) => DecryptResponse }>([
      {
        what: 'the data key altered after KMS checksummed it',
        tamper: (res) => ({ ...res, plaintext: flipped(res.plaintext) }),
      },
      {
        what: 'a plaintextCrc32c that does not match the data key',
        tamper: (res) => ({ ...res, plaintextCrc32c: otherSum(res.plaintextCrc32c) }),
      },
      { what: 'no plaintextCrc32c at all', tamper: (res) => ({ ...res, plaintextCrc32c: undefined }) },
    ])('Decrypt answered with $what', async ({ tamper }) => {
      const cipher = new KmsEnvelopeCipher(KEY);
      const envelope: EncryptedEnvelope = await cipher.encrypt(RECORD, AAD);
      kms.tamper.decrypt = tamper;
      await expect(cipher.decrypt(envelope, AAD)).rejects.toMatchObject({
        message: DECRYPT_RESPONSE_CORRUPTED,
      });
      expect(kms.decrypts).toHaveLength(1);
      // Once the corruption is gone, the same envelope opens: nothing was lost.
      kms.tamper = {};
      expect(await cipher.decrypt(envelope, AAD)).toEqual(RECORD);
    });
  });
});
