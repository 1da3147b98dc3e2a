/**
 * Local wiring of the notifications area: fanOutNotifications, deliverNotification and
 * notificationPreferences on the shared emulators, with the real @sendgrid/mail and twilio clients pointed
 * at local servers speaking SendGrid's and Twilio's HTTP APIs, and a local webhook receiver that verifies
 * Standard Webhooks signatures. Webhook secrets live in a local secret store under Secret Manager-style names.
 */
import type { CloudEventFunction } from '@google-cloud/functions-framework';
import { BatchingWarehouse } from '../../shared/adapters/notifications/batching-warehouse';
import { buildSenders } from '../../shared/adapters/notifications/senders';
import { verifierFor } from '../../shared/adapters/identity/id-token-verifiers';
import { once } from '../../shared/platform/once';
import { LocalSecretStore } from '../../shared/adapters/local/local-secret-store';
import { generateWebhookSecret } from '../../shared/domain/notifications/standard-webhooks';
import type { SecretStore } from '../../shared/ports/secret-store';
import {
  readNotificationsConfig,
  readPreferencesAuthConfig,
  type NotificationsConfig,
} from '../../shared/platform/config-notifications';
import { deliverNotificationHandler } from '../../functions/deliver-notification';
import { fanOutNotificationsHandler } from '../../functions/fan-out-notifications';
import { notificationPreferencesHttp } from '../../functions/notification-preferences';
import { FaultPlan, startSendGridServer, type SendGridServer } from '../providers/sendgrid-server';
import { startTwilioServer, type TwilioServer } from '../providers/twilio-server';
import { startWebhookReceiver, type WebhookReceiver } from '../providers/webhook-receiver';
import type { AreaWiring, WiringContext } from './types';

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

/** Local secrets: the provider keys, plus webhook secrets registered at run time. */
class MutableSecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  constructor(private readonly fallback: SecretStore) {}
  async get(name: string): Promise<string> {
    return this.values.get(name) ?? this.fallback.get(name);
  }
}

export async function wireNotifications(
  ctx: WiringContext,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<AreaWiring<NotificationsServices>> {
  const sendgrid = await startSendGridServer({ apiKey: LOCAL_SENDGRID_KEY, faults: new FaultPlan() });
  const twilio = await startTwilioServer({
    ...LOCAL_TWILIO,
    from: [LOCAL_TWILIO.from],
    faults: new FaultPlan(),
  });
  const webhooks = await startWebhookReceiver({ secrets: {}, clock: ctx.clock, faults: new FaultPlan() });
  const preferencesAuth = readPreferencesAuthConfig({
    ENVIRONMENT: 'local',
    NOTIFY_PREFERENCES_ADMINS: LOCAL_PREFERENCES_ADMIN,
    ...options.env,
  });
  const config = readNotificationsConfig({
    ENVIRONMENT: 'local',
    SENDGRID_BASE_URL: `${sendgrid.url}/`,
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID: LOCAL_TWILIO.accountSid,
    TWILIO_FROM_NUMBER: LOCAL_TWILIO.from,
    NOTIFY_PROVIDER_TIMEOUT_MS: '5000',
    NOTIFY_RETRY_BASE_MS: '50',
    NOTIFY_RETRY_MAX_MS: '400',
    ...options.env,
  });
  const secrets = new MutableSecretStore(
    new LocalSecretStore(
      { SENDGRID_API_KEY: LOCAL_SENDGRID_KEY, TWILIO_AUTH_TOKEN: LOCAL_TWILIO.authToken },
      {},
    ),
  );
  const logger = (fn: string) => ctx.logger.child({ functionName: fn });
  const deliveryLog = new BatchingWarehouse(ctx.warehouse);
  const base = { store: ctx.store, bus: ctx.bus, clock: ctx.clock };
  return {
    cloudEvent: {
      fanOutNotifications: fanOutNotificationsHandler(
        async () => ({
          ...base,
          logger: logger('fanOutNotifications'),
          dedupWindowMs: config.dedupWindowMs,
          rateLimits: config.rateLimits,
        }),
        ctx.observe,
      ) as CloudEventFunction,
      deliverNotification: deliverNotificationHandler(
        async () => ({
          ...base,
          warehouse: deliveryLog,
          secrets,
          logger: logger('deliverNotification'),
          senders: buildSenders(config, secrets, ctx.clock),
          retry: config.retry,
          leaseMs: config.sendLeaseMs,
        }),
        ctx.observe,
      ) as CloudEventFunction,
    },
    http: {
      notificationPreferences: notificationPreferencesHttp(
        once(async () => ({
          ...base,
          logger: logger('notificationPreferences'),
          admins: preferencesAuth.admins,
          verifier: verifierFor(preferencesAuth),
        })),
      ),
    },
    services: {
      sendgrid,
      twilio,
      webhooks,
      config,
      registerWebhookEndpoint: (endpointId) => {
        const secret = generateWebhookSecret();
        const secretName = `NOTIFY_WEBHOOK_${endpointId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
        secrets.values.set(secretName, secret);
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
