/**
 * Who is calling a private HTTP function (notificationPreferences, startKyc). Production: a Google ID token
 * (Authorization: Bearer <jwt>) verified with google-auth-library's OAuth2Client.verifyIdToken (signature,
 * expiry, issuer, audience), loaded lazily — Cloud Run has checked the invoker already; this names the caller.
 * Local stack: `Bearer local:<identity>`, refused outside ENVIRONMENT=local by each function's configuration.
 */
import type { Principal, TokenVerifier } from '../../ports/caller-identity';

export type { Principal, TokenVerifier };

function bearer(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return m?.[1];
}

/** Google's ID-token issuers. */
const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/** PEM certificates by key id, as Google publishes them (fetched and cached by google-auth-library). */
export type SigningCerts = () => Promise<Record<string, string>>;

export class GoogleIdTokenVerifier implements TokenVerifier {
  private client?: Promise<import('google-auth-library').OAuth2Client>;

  /** `certs` defaults to Google's published certificates; tests pass their own signing keys. */
  constructor(
    private readonly audience: string,
    private readonly certs?: SigningCerts,
  ) {}

  async verify(authorization: string | undefined): Promise<Principal | undefined> {
    const token = bearer(authorization);
    if (!token) return undefined;
    this.client ??= import('google-auth-library').then(({ OAuth2Client }) => new OAuth2Client());
    try {
      const client = await this.client;
      const certs = this.certs ? await this.certs() : (await client.getFederatedSignonCertsAsync()).certs;
      // Signature, expiry, issuer and audience; then the e-mail must be verified, explicitly.
      const ticket = await client.verifySignedJwtWithCertsAsync(token, certs, this.audience, GOOGLE_ISSUERS);
      const payload = ticket.getPayload();
      if (!payload?.email || payload.email_verified !== true) return undefined;
      return { id: payload.email };
    } catch {
      return undefined; // expired, wrong audience, bad signature: all 401
    }
  }
}

export class LocalTokenVerifier implements TokenVerifier {
  async verify(authorization: string | undefined): Promise<Principal | undefined> {
    const token = bearer(authorization);
    if (!token?.startsWith('local:') || token.length <= 'local:'.length) return undefined;
    return { id: token.slice('local:'.length) };
  }
}

/** The verifier a function's caller-auth configuration names. */
export function verifierFor(c: { auth: 'google' | 'local'; audience?: string }): TokenVerifier {
  return c.auth === 'google' ? new GoogleIdTokenVerifier(c.audience ?? '') : new LocalTokenVerifier();
}
