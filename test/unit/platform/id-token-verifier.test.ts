/**
 * GoogleIdTokenVerifier with google-auth-library's real verification on tokens signed by a key of the test's
 * own (Google's certificates cannot be fetched offline): signature, expiry, issuer, audience, and an e-mail that
 * is verified exactly (`email_verified: true`, not a string or a missing claim).
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { GoogleIdTokenVerifier } from '../../../shared/adapters/identity/id-token-verifiers';

const AUDIENCE = 'https://europe-west1-fusion-risk-prod.cloudfunctions.net/start-kyc';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CERTS = async () => ({ k1: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() });

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(claims: Record<string, unknown>, signer = keys.privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64url({
    iss: 'https://accounts.google.com',
    aud: AUDIENCE,
    sub: '1234567890',
    email: 'onboarding@fusion-risk-prod.iam.gserviceaccount.com',
    email_verified: true,
    iat: now - 10,
    exp: now + 3600,
    ...claims,
  })}`;
  const sig = createSign('RSA-SHA256').update(body).sign(signer).toString('base64url');
  return `Bearer ${body}.${sig}`;
}

const verifier = new GoogleIdTokenVerifier(AUDIENCE, CERTS);

it('names the caller of a valid token whose e-mail is verified', async () => {
  expect(await verifier.verify(token({}))).toEqual({
    id: 'onboarding@fusion-risk-prod.iam.gserviceaccount.com',
  });
});

it.each<[string, Record<string, unknown>]>([
  ['email_verified as the string "true"', { email_verified: 'true' }],
  ['email_verified missing', { email_verified: undefined }],
  ['email_verified false', { email_verified: false }],
  ['no e-mail', { email: undefined }],
  ['another audience', { aud: 'https://example.com/other-function' }],
  ['another issuer', { iss: 'https://evil.example.com' }],
  ['an expired token', { iat: 1_600_000_000, exp: 1_600_003_600 }],
])('refuses a token with %s', async (_what, claims) => {
  expect(await verifier.verify(token(claims))).toBeUndefined();
});

it('refuses a token signed by another key, and a missing or malformed header', async () => {
  expect(await verifier.verify(token({}, other.privateKey))).toBeUndefined();
  expect(await verifier.verify(undefined)).toBeUndefined();
  expect(await verifier.verify('Basic abc')).toBeUndefined();
  expect(await verifier.verify('Bearer not.a.jwt')).toBeUndefined();
});
