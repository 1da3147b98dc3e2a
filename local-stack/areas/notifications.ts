/**
 * The notifications area on the local stack: the real @sendgrid/mail and twilio clients of deliverNotification
 * pointed at local servers speaking SendGrid's and Twilio's HTTP APIs, and a local webhook receiver that
 * verifies Standard Webhooks signatures. Webhook secrets live in the stack's secret store under Secret
 * Manager-style names, registered at run time.
 */
import { generateWebhookSecret } from '../../shared/domain/notifications/standard-webhooks';
import {
  readNotificationsConfig,
  type NotificationsConfig,
} from '../../shared/platform/config/notifications';
import { FaultPlan, startSendGridServer, type SendGridServer } from '../providers/sendgrid-server';
import { startTwilioServer, type TwilioServer } from '../providers/twilio-server';
import { startWebhookReceiver, type WebhookReceiver } from '../providers/webhook-receiver';
import type { AreaContext, LocalArea } from './types';

export const LOCAL_SENDGRID_KEY = 'SG.local-development-key-not-secret';
export const LOCAL_TWILIO = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  authToken: 'local-twilio-token',
  from: '+15005550006',
};
/** An identity allowed to manage every recipient's preferences on the local stack. */
export const LOCAL_PREFERENCES_ADMIN = 'ops@fusion-risk.local';

export interface NotificationsServices {
  sendgrid: SendGridServer;
  twilio: TwilioServer;
  webhooks: WebhookReceiver;
  config: NotificationsConfig;
  /** A new endpoint on the local receiver with a fresh whsec_ secret stored under secretName. */
  registerWebhookEndpoint(endpointId: string): { url: string; secretName: string };
}

export async function startNotificationsArea(ctx: AreaContext): Promise<LocalArea<NotificationsServices>> {
  const sendgrid = await startSendGridServer({ apiKey: LOCAL_SENDGRID_KEY, faults: new FaultPlan() });
  const twilio = await startTwilioServer({
    ...LOCAL_TWILIO,
    from: [LOCAL_TWILIO.from],
    faults: new FaultPlan(),
  });
  const webhooks = await startWebhookReceiver({ secrets: {}, clock: ctx.clock, faults: new FaultPlan() });
  ctx.secrets.values.set('SENDGRID_API_KEY', LOCAL_SENDGRID_KEY);
  ctx.secrets.values.set('TWILIO_AUTH_TOKEN', LOCAL_TWILIO.authToken);
  const env: Record<string, string> = {
    NOTIFY_PREFERENCES_ADMINS: LOCAL_PREFERENCES_ADMIN,
    SENDGRID_BASE_URL: `${sendgrid.url}/`,
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID: LOCAL_TWILIO.accountSid,
    TWILIO_FROM_NUMBER: LOCAL_TWILIO.from,
    NOTIFY_PROVIDER_TIMEOUT_MS: '5000',
    NOTIFY_RETRY_BASE_MS: '50',
    NOTIFY_RETRY_MAX_MS: '400',
    // The local receiver listens on http://127.0.0.1; a deployment refuses this setting.
    NOTIFY_WEBHOOK_ALLOW_LOOPBACK: 'true',
  };
  return {
    // recordAlerts consumes the same alert topics as the fan-out: the feed readers resume from.
    functions: ['fanOutNotifications', 'deliverNotification', 'notificationPreferences', 'recordAlerts'],
    env,
    services: {
      sendgrid,
      twilio,
      webhooks,
      // What the functions read: the stack's settings over these defaults.
      config: readNotificationsConfig({ ...env, ...ctx.env }),
      registerWebhookEndpoint: (endpointId) => {
        const secret = generateWebhookSecret();
        const secretName = `NOTIFY_WEBHOOK_${endpointId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
        ctx.secrets.values.set(secretName, secret);
        return { url: webhooks.addEndpoint(endpointId, secret), secretName };
      },
    },
    close: async () => {
      await sendgrid.close();
      await twilio.close();
      await webhooks.close();
    },
  };
}
