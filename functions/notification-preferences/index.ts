/**
 * notificationPreferences — HTTP (private): GET / PUT /recipients/{recipientId}/preferences
 * (or ?recipientId=). Authenticated by a Google ID token (a local token on the local stack).
 */
import * as ff from '@google-cloud/functions-framework';
import { verifierFor, type TokenVerifier } from '../../shared/adapters/identity/id-token-verifiers';
import { readPreferencesAuthConfig } from '../../shared/platform/config-notifications';
import { once } from '../../shared/platform/once';
import { platformDeps } from '../../shared/platform/production-deps';
import {
  getPreferences,
  putPreferences,
  type PreferencesDeps,
} from '../../shared/use-cases/notification-preferences';

const PATH = /^\/recipients\/([^/]+)\/preferences\/?$/;

function recipientIdOf(req: ff.Request): string | undefined {
  const m = PATH.exec(req.path);
  if (m) return decodeURIComponent(m[1]);
  const q = req.query.recipientId;
  return typeof q === 'string' && q ? q : undefined;
}

export function notificationPreferencesHttp(
  deps: () => Promise<PreferencesDeps & { verifier: TokenVerifier }>,
): ff.HttpFunction {
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

async function productionDeps(): Promise<PreferencesDeps & { verifier: TokenVerifier }> {
  const p = await platformDeps('notificationPreferences');
  const auth = readPreferencesAuthConfig();
  return { ...p, admins: auth.admins, verifier: verifierFor(auth) };
}

ff.http('notificationPreferences', notificationPreferencesHttp(once(productionDeps)));
