/**
 * Who is calling notificationPreferences. Production: a Google ID token (Authorization: Bearer <jwt>)
 * verified with google-auth-library's OAuth2Client.verifyIdToken (signature, expiry, issuer, audience),
 * loaded lazily. Local stack: `Bearer local:<identity>`, refused outside ENVIRONMENT=local by the config.
 */
import type { Principal } from '../../use-cases/notification-preferences';

export interface TokenVerifier {
  /** The caller, or undefined when the credentials are missing or invalid. */
  verify(authorization: string | undefined): Promise<Principal | undefined>;
}

function bearer(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return m?.[1];
}

export class GoogleIdTokenVerifier implements TokenVerifier {
  private client?: Promise<import('google-auth-library').OAuth2Client>;

  constructor(private readonly audience: string) {}

  async verify(authorization: string | undefined): Promise<Principal | undefined> {
    const token = bearer(authorization);
    if (!token) return undefined;
    this.client ??= import('google-auth-library').then(({ OAuth2Client }) => new OAuth2Client());
    try {
      const ticket = await (await this.client).verifyIdToken({ idToken: token, audience: this.audience });
      const payload = ticket.getPayload();
      if (!payload?.email || payload.email_verified === false) return undefined;
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
