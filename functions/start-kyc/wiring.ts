/** startKyc — HTTP (private): start identity verification for a user, or answer from the 24 h result cache. */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { verifierFor } from '../../shared/adapters/identity/id-token-verifiers';
import { PersonaApiClient } from '../../shared/adapters/persona/persona-api-client';
import { SchemaViolation, validate } from '../../shared/contracts/validation';
import { readPersonaApiConfig, readStartKycAuthConfig } from '../../shared/platform/config/kyc';
import { isPermanent } from '../../shared/platform/errors';
import type { TokenVerifier } from '../../shared/ports/caller-identity';
import { startKyc as start, type StartKycDeps } from '../../shared/use-cases/start-kyc';
import { verifiedCaller } from '../runtime/http-request';
import { httpWiring } from '../runtime/http-wiring';

export type StartKycHttpDeps = StartKycDeps & { verifier: TokenVerifier };

export function startKycHttp(deps: () => Promise<StartKycHttpDeps>): HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.status(405).json({ error: 'use POST' });
      return;
    }
    let d: StartKycHttpDeps | undefined;
    try {
      d = await deps();
      // Cloud Run has checked the invoker; the verified token also names who asked, for the audit trail.
      const caller = await verifiedCaller(req, res, d.verifier);
      if (!caller) return;
      const request = validate('inputs/persona-start-kyc', req.body);
      const outcome = await start(d, request, req.get('idempotency-key'), caller);
      res.status(outcome.source === 'new-inquiry' ? 201 : 200).json(outcome);
    } catch (err) {
      if (err instanceof SchemaViolation) {
        res.status(400).json({ error: 'invalid request', problems: err.problems });
      } else if (isPermanent(err)) {
        // Persona refused (a wrong template id or API key): our configuration, not the caller's request.
        d?.logger.error('persona refused the inquiry', { error: err });
        res.status(502).json({ error: 'identity provider refused the request' });
      } else {
        d?.logger.error('startKyc failed', { error: err });
        res.status(503).json({ error: 'temporarily unavailable' });
      }
    }
  };
}

export const startKyc = httpWiring(
  'startKyc',
  (p, logger): StartKycHttpDeps => {
    const kyc = readPersonaApiConfig(p.env);
    return {
      ...p,
      logger,
      verifier: verifierFor(readStartKycAuthConfig(p.env)),
      persona: new PersonaApiClient({
        baseUrl: kyc.personaApiUrl,
        apiKey: () => p.secrets.get('PERSONA_API_KEY'),
        version: kyc.personaVersion,
        timeoutMs: kyc.personaTimeoutMs,
      }),
      config: { inquiryTemplateId: kyc.inquiryTemplateId, cacheHours: kyc.cacheHours },
    };
  },
  startKycHttp,
);
