import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** GCM tags shorter than 16 bytes make forgeries far cheaper; Node accepts down to 4 unless told otherwise. */
const TAG_BYTES = 16;
const IV_BYTES = 12;

/** AES-256-GCM with a random 96-bit IV; the AAD binds the ciphertext to its record. */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  c.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv, ciphertext, tag: c.getAuthTag() };
}

export function open(key: Buffer, sealed: Sealed, aad: string): Buffer {
  if (sealed.tag.length !== TAG_BYTES)
    throw new Error(`AES-GCM tag must be ${TAG_BYTES} bytes (got ${sealed.tag.length})`);
  if (sealed.iv.length !== IV_BYTES)
    throw new Error(`AES-GCM IV must be ${IV_BYTES} bytes (got ${sealed.iv.length})`);
  const d = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(sealed.tag);
  return Buffer.concat([d.update(sealed.ciphertext), d.final()]);
}

/** The record part of an envelope, base64 for storage (both Cipher adapters share the format). */
export function encodeBody(sealed: Sealed): { iv: string; ciphertext: string; tag: string } {
  return {
    iv: sealed.iv.toString('base64'),
    ciphertext: sealed.ciphertext.toString('base64'),
    tag: sealed.tag.toString('base64'),
  };
}

export function decodeBody(body: { iv: string; ciphertext: string; tag: string }): Sealed {
  return {
    iv: Buffer.from(body.iv, 'base64'),
    ciphertext: Buffer.from(body.ciphertext, 'base64'),
    tag: Buffer.from(body.tag, 'base64'),
  };
}
