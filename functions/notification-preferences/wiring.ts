/**
 * notificationPreferences — HTTP (private): GET / PUT /recipients/{recipientId}/preferences
 * (or ?recipientId=). Authenticated by a Google ID token (a local token on the local stack).
 */
import type { HttpFunction, Request } from '@google-cloud/functions-framework';
import { verifierFor, type TokenVerifier } from '../../shared/adapters/identity/id-token-verifiers';
import { readPreferencesAuthConfig } from '../../shared/platform/config/notifications';
import {
  getPreferences,
  putPreferences,
  type PreferencesDeps,
} from '../../shared/use-cases/notification-preferences';
import { httpWiring } from '../runtime/http-wiring';

const PATH = /^\/recipients\/([^/]+)\/preferences\/?$/;

function recipientIdOf(req: Request): string | undefined {
  const m = PATH.exec(req.path);
  if (m) return decodeURIComponent(m[1]);
  const q = req.query.recipientId;
  return typeof q === 'string' && q ? q : undefined;
}

export function notificationPreferencesHttp(
  deps: () => Promise<PreferencesDeps & { verifier: TokenVerifier }>,
): HttpFunction {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'PUT') {
      res.set('Allow', 'GET, PUT').status(405).json({ error: 'use GET or PUT' });
      return;
    }
    let d: (PreferencesDeps & { verifier: TokenVerifier }) | undefined;
    try {
      d = await deps();
      const principal = await d.verifier.verify(req.get('authorization'));
      if (!principal) {
        res.set('WWW-Authenticate', 'Bearer').status(401).json({ error: 'a valid ID token is required' });
        return;
      }
      const recipientId = recipientIdOf(req);
      if (!recipientId) {
        res.status(404).json({ error: 'use /recipients/{recipientId}/preferences' });
        return;
      }
      if (req.method === 'GET') {
        const r = await getPreferences(d, principal, recipientId);
        res.status(r.status).json(r.body);
        return;
      }
      if (!req.is('application/json') || typeof req.body !== 'object' || req.body === null) {
        res.status(415).json({ error: 'the body must be a JSON object (Content-Type: application/json)' });
        return;
      }
      const r = await putPreferences(d, principal, recipientId, req.body);
      res.status(r.status).json(r.body);
    } catch (err) {
      d?.logger.error('notification preferences request failed', { error: err });
      res.status(500).json({ error: 'internal error' });
    }
  };
}

export const notificationPreferences = httpWiring(
  'notificationPreferences',
  (p, logger): PreferencesDeps & { verifier: TokenVerifier } => {
    const auth = readPreferencesAuthConfig(p.env);
    return { ...p, logger, admins: auth.admins, verifier: verifierFor(auth) };
  },
  notificationPreferencesHttp,
);
