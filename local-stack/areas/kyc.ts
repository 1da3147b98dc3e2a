/**
 * The kyc area on the local stack: a local Persona (REST API + webhook sender) for personaWebhook and startKyc,
 * and a development-key Cipher in place of Cloud KMS (the same one the platform gives personaWebhook).
 */
import { DevKeyCipher } from '../../shared/adapters/local/dev-key-cipher';
import type { Cipher } from '../../shared/ports/cipher';
import { startPersonaApiServer, type PersonaApiServer } from '../providers/persona-api-server';
import { PersonaWebhookSender } from '../providers/persona-webhook-sender';
import type { AreaContext, LocalArea } from './types';

export const LOCAL_PERSONA = {
  webhookSecret: 'wbhsec_local_fusion_risk_development_secret',
  apiKey: 'persona_sandbox_local_fusion_risk_key',
  templateId: 'itmpl_LocalFusionRiskKyc',
};

export interface KycServices {
  /** The local Persona REST API (inquiries) and lifecycle driver. */
  persona: PersonaApiServer;
  webhookSecret: string;
  /** Decrypts what personaWebhook stored (envelope format of Cloud KMS, development key). */
  cipher: Cipher;
  /** Deliveries personaWebhook answered, by HTTP status and reason. */
  webhookAnswers: { status: number; reason: string }[];
  /** A sender signing like Persona, aimed at the served personaWebhook; events advance() emits go through it. */
  connectWebhooks(url: string): PersonaWebhookSender;
}

export async function startKycArea(ctx: AreaContext): Promise<LocalArea<KycServices>> {
  const persona = await startPersonaApiServer({ clock: ctx.clock, apiKey: LOCAL_PERSONA.apiKey });
  ctx.secrets.values.set('PERSONA_API_KEY', LOCAL_PERSONA.apiKey);
  ctx.secrets.values.set('PERSONA_WEBHOOK_SECRET', LOCAL_PERSONA.webhookSecret);
  return {
    functions: ['personaWebhook', 'startKyc'],
    env: {
      PERSONA_API_URL: persona.url,
      PERSONA_INQUIRY_TEMPLATE_ID: LOCAL_PERSONA.templateId,
      KYC_CACHE_HOURS: '24',
    },
    services: {
      persona,
      webhookSecret: LOCAL_PERSONA.webhookSecret,
      cipher: new DevKeyCipher(ctx.env),
      webhookAnswers: [],
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
