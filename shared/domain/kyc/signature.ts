/**
 * Persona's webhook signature: header `Persona-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + raw
 * body)>`. While a secret rotates, Persona sends several space-separated `t=…,v1=…` sets; any one that matches
 * its own t is enough. Verification works on the raw bytes received: a re-serialised body would differ.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureSet {
  t: number;
  v1: string[];
}

export type SignatureRejection = 'missing' | 'malformed' | 'mismatch' | 'stale' | 'future';

export type SignatureVerdict = { ok: true; t: number } | { ok: false; reason: SignatureRejection };

/** Signing is only needed by tests and the local Persona stand-in, but it is the same formula. */
export function personaSignature(secret: string, t: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret)
    .update(`${t}.`)
    .update(rawBody) // a string is hashed as its UTF-8 bytes, as Buffer.from would give
    .digest('hex');
}

/** The header value Persona sends; several secrets give several sets (rotation). */
export function personaSignatureHeader(secrets: string[], t: number, rawBody: Buffer | string): string {
  return secrets.map((s) => `t=${t},v1=${personaSignature(s, t, rawBody)}`).join(' ');
}

const MAX_HEADER = 4096;
const MAX_SETS = 8;

/** Parses every set of the header; undefined when the header is not in Persona's shape at all. */
export function parseSignatureHeader(header: string): SignatureSet[] | undefined {
  if (header.length > MAX_HEADER) return undefined;
  const sets: SignatureSet[] = [];
  // Trimmed and split on runs of whitespace, no part is empty (an empty header is one empty part: no `=`, refused).
  for (const part of header.trim().split(/\s+/)) {
    let t: number | undefined;
    const v1: string[] = [];
    for (const kv of part.split(',')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) return undefined;
      const key = kv.slice(0, eq);
      const value = kv.slice(eq + 1);
      if (key === 't') {
        if (!/^\d{1,12}$/.test(value) || t !== undefined) return undefined;
        t = Number(value);
      } else if (key === 'v1') {
        if (!/^[0-9a-fA-F]{64}$/.test(value)) return undefined;
        v1.push(value.toLowerCase());
      }
      // Other schemes (a future v2) are ignored, as Stripe-style verifiers do.
    }
    if (t === undefined || v1.length === 0) return undefined;
    sets.push({ t, v1 });
  }
  return sets.length > 0 && sets.length <= MAX_SETS ? sets : undefined;
}

export interface VerifyOptions {
  header: string | undefined;
  rawBody: Buffer;
  /** The webhook secret(s) we hold; more than one while we rotate ours. */
  secrets: string[];
  nowSeconds: number;
  toleranceSeconds: number;
}

/**
 * Accepts when some set's v1 is the HMAC of its own t and the body under one of our secrets, and that t is
 * within the tolerance of now (both ways: a far-future t is as suspect as a stale one). Comparison is
 * constant-time over equal-length digests.
 */
export function verifyPersonaSignature(o: VerifyOptions): SignatureVerdict {
  if (o.header === undefined || o.header.trim() === '') return { ok: false, reason: 'missing' };
  const sets = parseSignatureHeader(o.header);
  if (!sets) return { ok: false, reason: 'malformed' };
  let timeProblem: 'stale' | 'future' | undefined;
  for (const set of sets) {
    const matches = o.secrets.some((secret) => {
      const expected = Buffer.from(personaSignature(secret, set.t, o.rawBody), 'hex');
      return set.v1.some((v) => timingSafeEqual(expected, Buffer.from(v, 'hex')));
    });
    if (!matches) continue;
    const skew = o.nowSeconds - set.t;
    if (skew > o.toleranceSeconds) timeProblem = 'stale';
    else if (-skew > o.toleranceSeconds) timeProblem = 'future';
    else return { ok: true, t: set.t };
  }
  return { ok: false, reason: timeProblem ?? 'mismatch' };
}
