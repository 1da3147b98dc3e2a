/** The limits personaWebhook applies unless configured otherwise. */
import { DEFAULT_PERSONA_WEBHOOK_CONFIG } from '../../../shared/domain/kyc/webhook-config';

describe('Persona webhook defaults', () => {
  it('accepts a signature timestamp within 5 minutes either way and a body of up to 1 MiB', () => {
    expect(DEFAULT_PERSONA_WEBHOOK_CONFIG).toEqual({ toleranceSeconds: 300, maxBodyBytes: 1_048_576 });
  });
});
