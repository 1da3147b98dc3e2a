/**
 * notificationPreferences — HTTP (private): GET / PUT /recipients/{recipientId}/preferences
 * (or ?recipientId=). Authenticated by a Google ID token (a local token on the local stack).
 */
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { verifierFor, type TokenVerifier } from '../../shared/adapters/identity/id-token-verifiers';
import { SchemaViolation, validate } from '../../shared/contracts/validation';
import { readPreferencesAuthConfig } from '../../shared/platform/config/notifications';
import {
  getPreferences,
  putPreferences,
  type PreferencesDeps,
  type PreferencesOutcome,
} from '../../shared/use-cases/notification-preferences';
import { hasJsonObjectBody, verifiedCaller } from '../runtime/http-request';
import { httpWiring } from '../runtime/http-wiring';

const PATH = /^\/recipients\/([^/]+)\/preferences\/?$/;

function recipientIdOf(req: Request): string | undefined {
  const m = PATH.exec(req.path);
  if (m) return decodeURIComponent(m[1]);
  const q = req.query.recipientId;
  return typeof q === 'string' && q ? q : undefined;
}

/** The use case's outcome as an HTTP answer. */
function reply(res: Response, o: PreferencesOutcome): void {
  switch (o.kind) {
    case 'ok':
      res.status(200).json({
        recipientId: o.recipientId,
        preferences: o.preferences,
        availableChannels: o.availableChannels,
      });
      return;
    case 'invalid':
      res.status(400).json({ error: 'invalid notification preferences', problems: o.problems });
      return;
    case 'forbidden':
      res.status(403).json({ error: 'you may only read or change your own notification preferences' });
      return;
    case 'not-found':
      res.status(404).json({ error: `recipient ${o.recipientId} not found` });
      return;
  }
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
      const principal = await verifiedCaller(req, res, d.verifier);
      if (!principal) return;
      const recipientId = recipientIdOf(req);
      if (!recipientId) {
        res.status(404).json({ error: 'use /recipients/{recipientId}/preferences' });
        return;
      }
      if (req.method === 'GET') return reply(res, await getPreferences(d, principal, recipientId));
      if (!hasJsonObjectBody(req, res)) return;
      const prefs = validate('inputs/notification-preferences', req.body);
      reply(res, await putPreferences(d, principal, recipientId, prefs));
    } catch (err) {
      if (err instanceof SchemaViolation) {
        res.status(400).json({ error: 'invalid notification preferences', problems: err.problems });
        return;
      }
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
