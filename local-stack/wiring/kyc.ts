/**
 * Local wiring of the kyc area: personaWebhook and startKyc served with the stack's store, bus, warehouse
 * and clock, a development-key Cipher in place of Cloud KMS, and a local Persona (REST API + webhook sender).
 */
import { personaWebhookHttp } from '../../functions/persona-webhook';
import { startKycHttp } from '../../functions/start-kyc';
import { LocalTokenVerifier } from '../../shared/adapters/identity/id-token-verifiers';
import { DevKeyCipher } from '../../shared/adapters/local/dev-key-cipher';
import { PersonaApiClient } from '../../shared/adapters/persona/persona-api-client';
import { once } from '../../shared/platform/once';
import type { Cipher } from '../../shared/ports/cipher';
import { DEFAULT_PERSONA_WEBHOOK_CONFIG } from '../../shared/use-cases/handle-persona-webhook';
import { startPersonaApiServer, type PersonaApiServer } from '../providers/persona-api-server';
import { PersonaWebhookSender } from '../providers/persona-webhook-sender';
import type { AreaWiring, WiringContext } from './types';

export const LOCAL_PERSONA = {
  webhookSecret: 'wbhsec_local_fusion_risk_development_secret',
  apiKey: 'persona_sandbox_local_fusion_risk_key',
  templateId: 'itmpl_LocalFusionRiskKyc',
};

export interface KycServices {
  /** The local Persona REST API (inquiries) and lifecycle driver. */
  persona: PersonaApiServer;
  webhookSecret: string;
  /** Used by personaWebhook locally (envelope format of Cloud KMS, development key). */
  cipher: Cipher;
  /** Deliveries personaWebhook answered, by HTTP status and reason. */
  webhookAnswers: { status: number; reason: string }[];
  /** A sender signing like Persona, aimed at the served personaWebhook; events advance() emits go through it. */
  connectWebhooks(url: string): PersonaWebhookSender;
}

export async function wireKyc(ctx: WiringContext): Promise<AreaWiring<KycServices>> {
  const persona = await startPersonaApiServer({ clock: ctx.clock, apiKey: LOCAL_PERSONA.apiKey });
  const cipher = new DevKeyCipher();
  const webhookAnswers: KycServices['webhookAnswers'] = [];
  const personaWebhook = personaWebhookHttp(
    async () => ({
      store: ctx.store,
      bus: ctx.bus,
      warehouse: ctx.warehouse,
      cipher,
      clock: ctx.clock,
      logger: ctx.logger.child({ functionName: 'personaWebhook' }),
      webhookSecrets: async () => [LOCAL_PERSONA.webhookSecret],
      config: DEFAULT_PERSONA_WEBHOOK_CONFIG,
    }),
    ({ status, reason, durationMs }) => {
      webhookAnswers.push({ status, reason });
      const outcome = status < 300 ? 'handled' : status < 500 ? 'rejected' : 'failed';
      ctx.observe({ functionName: 'personaWebhook', topic: 'persona webhook (HTTP)', outcome, durationMs });
    },
  );
  const startKyc = startKycHttp(
    once(async () => ({
      store: ctx.store,
      clock: ctx.clock,
      logger: ctx.logger.child({ functionName: 'startKyc' }),
      persona: new PersonaApiClient({ baseUrl: persona.url, apiKey: async () => LOCAL_PERSONA.apiKey }),
      config: { inquiryTemplateId: LOCAL_PERSONA.templateId, cacheHours: 24 },
      verifier: new LocalTokenVerifier(),
    })),
  );
  return {
    http: { personaWebhook, startKyc },
    services: {
      persona,
      webhookSecret: LOCAL_PERSONA.webhookSecret,
      cipher,
      webhookAnswers,
      connectWebhooks: (url) => {
        const sender = new PersonaWebhookSender({
          url,
          secrets: [LOCAL_PERSONA.webhookSecret],
          clock: ctx.clock,
        });
        persona.onEvent = async (event) => {
          await sender.send(event);
        };
        return sender;
      },
    },
    close: () => persona.close(),
  };
}
