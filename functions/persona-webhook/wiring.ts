/** personaWebhook — HTTP (Persona callbacks): verify Persona-Signature, advance the KYC case, publish kyc.events.v1. */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { readCaseOpenerConfig } from '../../shared/platform/config/cases';
import { readEventTimeConfig } from '../../shared/platform/config/event-time';
import { readPersonaWebhookConfig } from '../../shared/platform/config/kyc';
import {
  handlePersonaWebhook,
  splitSecrets,
  type PersonaWebhookDeps,
  type RefusalReason,
} from '../../shared/use-cases/handle-persona-webhook';
import { httpWiring } from '../runtime/http-wiring';
import type { InvocationObserver } from '../runtime/wiring';

/**
 * A refused delivery's status: 401 for anything about the signature (Persona's retries will not fix it, and a
 * forger learns nothing more), 413 for an oversize body, 400 for a signed body that is not a valid event, 503
 * for a valid event dated in the future (Persona keeps it and retries; it is accepted once no longer ahead).
 */
function statusOf(reason: RefusalReason): 400 | 401 | 413 | 503 {
  if (reason === 'too-large') return 413;
  if (reason === 'event-time-in-future') return 503;
  if (
    reason === 'not-json' ||
    reason === 'hostile' ||
    reason === 'schema-violation' ||
    reason === 'event-time-invalid'
  )
    return 400;
  return 401;
}

export function personaWebhookHttp(
  deps: () => Promise<PersonaWebhookDeps>,
  observe?: InvocationObserver,
): HttpFunction {
  return async (req, res) => {
    const started = performance.now();
    const reply = (status: number, reason: string, body: Record<string, unknown>) => {
      observe?.({
        functionName: 'personaWebhook',
        topic: 'persona webhook (HTTP)',
        outcome: status < 300 ? 'handled' : status < 500 ? 'rejected' : 'failed',
        durationMs: performance.now() - started,
        status,
        reason,
      });
      res.status(status).json(body);
    };
    if (req.method !== 'POST') return reply(405, 'method', { error: 'use POST' });
    let d: PersonaWebhookDeps | undefined;
    try {
      d = await deps();
      const declared = Number(req.get('content-length') ?? 0);
      if (declared > d.config.maxBodyBytes) return reply(413, 'too-large', { error: 'body too large' });
      // The Functions Framework keeps the exact bytes received in req.rawBody (absent for an empty body).
      const result = await handlePersonaWebhook(d, {
        rawBody: req.rawBody,
        signatureHeader: req.get('persona-signature'),
      });
      if (!result.accepted) return reply(statusOf(result.reason), result.reason, { error: result.reason });
      return reply(200, result.outcome, { outcome: result.outcome, eventId: result.eventId });
    } catch (err) {
      // Transient (store, KMS, Secret Manager, Pub/Sub): 503 so Persona delivers the event again.
      d?.logger.error('persona webhook failed; Persona will retry', { error: err });
      return reply(503, 'transient', { error: 'temporarily unavailable' });
    }
  };
}

export const personaWebhook = httpWiring(
  'personaWebhook',
  (p, logger): PersonaWebhookDeps => {
    const kyc = readPersonaWebhookConfig(p.env);
    return {
      ...p,
      logger,
      cipher: p.cipher(kyc.kmsKeyName),
      webhookSecrets: async () => splitSecrets(await p.secrets.get('PERSONA_WEBHOOK_SECRET')),
      config: { toleranceSeconds: kyc.webhookToleranceSeconds, maxBodyBytes: kyc.webhookMaxBodyBytes },
      eventTimeMaxSkewSeconds: readEventTimeConfig(p.env).maxSkewSeconds,
      sla: readCaseOpenerConfig(p.env).sla,
    };
  },
  personaWebhookHttp,
);
