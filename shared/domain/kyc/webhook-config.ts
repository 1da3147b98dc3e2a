/** What personaWebhook accepts, and its defaults (the one home of these numbers; the config reader uses them). */
export interface PersonaWebhookConfig {
  /** Accepted distance between the signature's t and now, both ways (default 300 s). */
  toleranceSeconds: number;
  maxBodyBytes: number;
}

export const DEFAULT_PERSONA_WEBHOOK_CONFIG: PersonaWebhookConfig = {
  toleranceSeconds: 300,
  maxBodyBytes: 1024 * 1024,
};
