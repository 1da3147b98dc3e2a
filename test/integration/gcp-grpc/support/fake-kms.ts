/**
 * A Cloud KMS KeyManagementService (google.cloud.kms.v1) speaking gRPC, for Encrypt and Decrypt on symmetric
 * keys, with the service's documented semantics:
 * - Encrypt takes a CryptoKey (its primary version is used) or a CryptoKeyVersion, and answers with the name
 *   of the version used; Decrypt takes only a CryptoKey (the version travels inside the ciphertext).
 * - The data really is encrypted: AES-256-GCM under a per-version server-side key, the AAD bound to it, so a
 *   different AAD fails Decrypt with INVALID_ARGUMENT as KMS does.
 * - Request checksums are verified when present (a mismatch is INVALID_ARGUMENT) and the response says which
 *   were verified; responses carry the checksum of the returned ciphertext / plaintext.
 * Every call is recorded; `tamper` rewrites a response after it is computed, as corruption in transit would.
 */
import * as grpc from '@grpc/grpc-js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { crc32cReference } from './crc32c-reference';
import {
  loadService,
  metadataOf,
  RpcError,
  serve,
  unary,
  type ReceivedCall,
  type RunningServer,
} from './grpc-server';

/** google.protobuf.Int64Value */
export interface Int64Value {
  value?: number;
}

export interface EncryptRequest {
  name: string;
  plaintext?: Buffer;
  additionalAuthenticatedData?: Buffer;
  plaintextCrc32c?: Int64Value;
  additionalAuthenticatedDataCrc32c?: Int64Value;
}

export interface EncryptResponse {
  name?: string;
  ciphertext?: Buffer;
  ciphertextCrc32c?: Int64Value;
  verifiedPlaintextCrc32c?: boolean;
  verifiedAdditionalAuthenticatedDataCrc32c?: boolean;
  protectionLevel?: 'SOFTWARE';
}

export interface DecryptRequest {
  name: string;
  ciphertext?: Buffer;
  additionalAuthenticatedData?: Buffer;
  ciphertextCrc32c?: Int64Value;
  additionalAuthenticatedDataCrc32c?: Int64Value;
}

export interface DecryptResponse {
  plaintext?: Buffer;
  plaintextCrc32c?: Int64Value;
  usedPrimary?: boolean;
  protectionLevel?: 'SOFTWARE';
}

const CRYPTO_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;
const CRYPTO_KEY_VERSION =
  /^(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+)\/cryptoKeyVersions\/(\d+)$/;

interface CryptoKey {
  primary: number;
  versions: Map<number, Buffer>;
}

/** Ciphertext layout: version (4 bytes, big-endian) | IV (12) | GCM tag (16) | encrypted data. */
const HEADER = 4 + 12 + 16;

/** False when the client sent no checksum; INVALID_ARGUMENT when it does not match the data, as KMS does. */
function verifyChecksum(field: string, data: Buffer, sum: Int64Value | undefined): boolean {
  if (sum === undefined) return false;
  if (Number(sum.value ?? 0) !== crc32cReference(data)) {
    throw new RpcError(
      grpc.status.INVALID_ARGUMENT,
      `The checksum in field ${field}_crc32c did not match the data in field ${field}.`,
    );
  }
  return true;
}

export class FakeKms {
  readonly encrypts: ReceivedCall<EncryptRequest>[] = [];
  readonly decrypts: ReceivedCall<DecryptRequest>[] = [];
  /** Rewrites responses on their way to the client. */
  tamper: {
    encrypt?: (res: EncryptResponse) => EncryptResponse;
    decrypt?: (res: DecryptResponse) => DecryptResponse;
  } = {};
  private readonly keys = new Map<string, CryptoKey>();
  private server?: RunningServer;

  async start(): Promise<number> {
    const service = loadService(
      '@google-cloud/kms',
      'google/cloud/kms/v1/service.proto',
      'google.cloud.kms.v1.KeyManagementService',
    );
    this.server = await serve(service, {
      Encrypt: unary<EncryptRequest, EncryptResponse>((req, call) => {
        this.encrypts.push({ method: 'Encrypt', request: req, metadata: metadataOf(call) });
        const res = this.encrypt(req);
        return this.tamper.encrypt ? this.tamper.encrypt(res) : res;
      }),
      Decrypt: unary<DecryptRequest, DecryptResponse>((req, call) => {
        this.decrypts.push({ method: 'Decrypt', request: req, metadata: metadataOf(call) });
        const res = this.decrypt(req);
        return this.tamper.decrypt ? this.tamper.decrypt(res) : res;
      }),
    });
    return this.server.port;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  reset(): void {
    this.encrypts.length = 0;
    this.decrypts.length = 0;
    this.tamper = {};
  }

  /** Creates a symmetric CryptoKey whose primary is version 1. */
  createKey(name: string): void {
    if (!CRYPTO_KEY.test(name)) throw new Error(`not a CryptoKey name: ${name}`);
    this.keys.set(name, { primary: 1, versions: new Map([[1, randomBytes(32)]]) });
  }

  /** Adds a version and makes it primary, as a scheduled rotation does; older versions still decrypt. */
  rotate(name: string): number {
    const key = this.key(name);
    key.primary = Math.max(...key.versions.keys()) + 1;
    key.versions.set(key.primary, randomBytes(32));
    return key.primary;
  }

  private key(name: string): CryptoKey {
    const key = this.keys.get(name);
    if (!key) throw new RpcError(grpc.status.NOT_FOUND, `CryptoKey ${name} not found.`);
    return key;
  }

  private encrypt(req: EncryptRequest): EncryptResponse {
    const plaintext = req.plaintext ?? Buffer.alloc(0);
    const aad = req.additionalAuthenticatedData ?? Buffer.alloc(0);
    const versioned = CRYPTO_KEY_VERSION.exec(req.name);
    const keyName = versioned ? versioned[1] : req.name;
    if (!versioned && !CRYPTO_KEY.test(req.name)) {
      throw new RpcError(grpc.status.INVALID_ARGUMENT, `Invalid resource name: ${req.name}`);
    }
    const key = this.key(keyName);
    const version = versioned ? Number(versioned[2]) : key.primary;
    const material = key.versions.get(version);
    if (!material) throw new RpcError(grpc.status.NOT_FOUND, `CryptoKeyVersion ${req.name} not found.`);
    const verifiedPlaintextCrc32c = verifyChecksum('plaintext', plaintext, req.plaintextCrc32c);
    const verifiedAadCrc32c = verifyChecksum(
      'additional_authenticated_data',
      aad,
      req.additionalAuthenticatedDataCrc32c,
    );

    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', material, iv);
    cipher.setAAD(aad);
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(version);
    const ciphertext = Buffer.concat([header, iv, cipher.getAuthTag(), sealed]);
    return {
      name: `${keyName}/cryptoKeyVersions/${version}`,
      ciphertext,
      ciphertextCrc32c: { value: crc32cReference(ciphertext) },
      verifiedPlaintextCrc32c,
      verifiedAdditionalAuthenticatedDataCrc32c: verifiedAadCrc32c,
      protectionLevel: 'SOFTWARE',
    };
  }

  private decrypt(req: DecryptRequest): DecryptResponse {
    if (!CRYPTO_KEY.test(req.name)) {
      throw new RpcError(
        grpc.status.INVALID_ARGUMENT,
        `Decrypt takes a CryptoKey name (projects/*/locations/*/keyRings/*/cryptoKeys/*), got ${req.name}`,
      );
    }
    const key = this.key(req.name);
    const ciphertext = req.ciphertext ?? Buffer.alloc(0);
    const aad = req.additionalAuthenticatedData ?? Buffer.alloc(0);
    verifyChecksum('ciphertext', ciphertext, req.ciphertextCrc32c);
    verifyChecksum('additional_authenticated_data', aad, req.additionalAuthenticatedDataCrc32c);
    const failed = new RpcError(
      grpc.status.INVALID_ARGUMENT,
      "Decryption failed: verify that 'name' refers to the correct CryptoKey.",
    );
    if (ciphertext.length < HEADER) throw failed;
    const version = ciphertext.readUInt32BE(0);
    const material = key.versions.get(version);
    if (!material) throw failed;
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', material, ciphertext.subarray(4, 16));
      decipher.setAAD(aad);
      decipher.setAuthTag(ciphertext.subarray(16, HEADER));
      plaintext = Buffer.concat([decipher.update(ciphertext.subarray(HEADER)), decipher.final()]);
    } catch {
      throw failed;
    }
    return {
      plaintext,
      plaintextCrc32c: { value: crc32cReference(plaintext) },
      usedPrimary: version === key.primary,
      protectionLevel: 'SOFTWARE',
    };
  }
}
