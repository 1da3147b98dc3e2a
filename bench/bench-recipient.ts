import type { RecipientDoc } from '../shared/domain/notifications/types';

/** The owner the notification benches seed per portfolio: e-mail, SMS and a signed webhook, every severity. */
export function benchRecipient(
  id: string,
  i: number,
  webhook: { url: string; secretName: string },
): RecipientDoc {
  return {
    recipientId: id,
    displayName: id,
    principal: `${id}@bench.example`,
    contacts: {
      email: `${id}@bench.example`,
      phone: `+4477009${String(i).padStart(5, '0')}`,
      webhook,
    },
    preferences: { channels: ['email', 'sms', 'webhook'], minSeverity: 'INFO', quietHours: null },
  };
}
