/** The provider adapters behind each channel, built from configuration and the secret store. */
import type { NotificationSender } from '../../ports/notification-sender';
import type { Channel } from '../../domain/notifications/types';
import type { Clock } from '../../ports/clock';
import type { SecretStore } from '../../ports/secret-store';
import type { NotificationsConfig } from '../../platform/config/notifications';
import { SendGridEmailSender } from './sendgrid-email-sender';
import { TwilioSmsSender } from './twilio-sms-sender';
import { WebhookSender } from './webhook-sender';

export function buildSenders(
  config: NotificationsConfig,
  secrets: SecretStore,
  clock: Clock,
): Record<Channel, NotificationSender> {
  return {
    email: new SendGridEmailSender({
      apiKey: () => secrets.get('SENDGRID_API_KEY'),
      from: config.emailFrom,
      sandbox: config.sendgridSandbox,
      baseUrl: config.sendgridBaseUrl,
      timeoutMs: config.providerTimeoutMs,
      batchSize: config.sendgridBatchSize,
    }),
    sms: new TwilioSmsSender({
      accountSid: config.twilioAccountSid,
      authToken: () => secrets.get('TWILIO_AUTH_TOKEN'),
      from: config.twilioFrom,
      baseUrl: config.twilioBaseUrl,
      timeoutMs: config.providerTimeoutMs,
    }),
    webhook: new WebhookSender({
      clock,
      timeoutMs: config.providerTimeoutMs,
      allowLoopback: config.webhookAllowLoopback,
    }),
  };
}
