/** personaWebhook — HTTP (Persona callbacks): verify Persona-Signature, advance the KYC case, publish kyc.events.v1. */
import * as ff from '@google-cloud/functions-framework';
import { KmsEnvelopeCipher } from '../../shared/adapters/gcp/kms-envelope-cipher';
import { DevKeyCipher } from '../../shared/adapters/local/dev-key-cipher';
import { readPersonaWebhookConfig } from '../../shared/platform/config-kyc';
import { once } from '../../shared/platform/once';
import { platformDeps } from '../../shared/platform/production-deps';
import {
  handlePersonaWebhook,
  splitSecrets,
  type PersonaWebhookDeps,
} from '../../shared/use-cases/handle-persona-webhook';

/** Observes every delivery (the local stack's summary and the benchmark count them). */
export type PersonaWebhookObserver = (event: { status: number; reason: string; durationMs: number }) => void;

export function personaWebhookHttp(
  deps: () => Promise<PersonaWebhookDeps>,
  observe?: PersonaWebhookObserver,
): ff.HttpFunction {
  return async (req, res) => {
    const started = performance.now();
    const reply = (status: number, reason: string, body: Record<string, unknown>) => {
      observe?.({ status, reason, durationMs: performance.now() - started });
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
      if (!result.accepted) return reply(result.httpStatus, result.reason, { error: result.reason });
      return reply(200, result.outcome, { outcome: result.outcome, eventId: result.eventId });
    } catch (err) {
      // Transient (store, KMS, Secret Manager, Pub/Sub): 503 so Persona delivers the event again.
      d?.logger.error('persona webhook failed; Persona will retry', { error: err });
      return reply(503, 'transient', { error: 'temporarily unavailable' });
    }
  };
}

async function productionDeps(): Promise<PersonaWebhookDeps> {
  const p = await platformDeps('personaWebhook');
  const kyc = readPersonaWebhookConfig();
  return {
    ...p,
    cipher: kyc.kmsKeyName ? new KmsEnvelopeCipher(kyc.kmsKeyName) : new DevKeyCipher(),
    webhookSecrets: async () => splitSecrets(await p.secrets.get('PERSONA_WEBHOOK_SECRET')),
    config: { toleranceSeconds: kyc.webhookToleranceSeconds, maxBodyBytes: kyc.webhookMaxBodyBytes },
  };
}

ff.http('personaWebhook', personaWebhookHttp(once(productionDeps)));
