/**
 * Names an operator configures by hand: the team documents alerts are addressed to (notificationTeams/<id>, as
 * the README tells operators to create them), and the Secret Manager prefix a webhook signing secret must
 * carry, which Terraform's IAM condition grants deliverNotification and nothing else. A secret named outside
 * it (say, the SendGrid API key) is refused before it is read, so it can never sign a customer's webhook.
 */
import type { Destination } from '../../../shared/domain/notifications/delivery';
import { audienceOf } from '../../../shared/domain/notifications/recipients';
import {
  NOTIFICATION_COLLECTIONS as C,
  type Dispatch,
  type RecipientDoc,
} from '../../../shared/domain/notifications/types';
import type { NotificationSender } from '../../../shared/ports/notification-sender';
import type { Warehouse } from '../../../shared/ports/warehouse';
import { deliverNotification } from '../../../shared/use-cases/deliver-notification';
import { testPlatform } from '../../support/test-platform';
import { loadFixtures } from '../contracts/schema-fixtures';

describe('team documents alerts are addressed to', () => {
  it.each([
    ['alerts.aml.v1', 'compliance'],
    ['alerts.cases.v1', 'compliance'],
    ['alerts.prices.v1', 'risk-desk'],
    ['alerts.risk.v1', 'risk-desk'],
    ['alerts.operations.v1', 'operations'],
  ] as const)('%s goes to notificationTeams/%s', (source, team) => {
    expect(C.teams).toBe('notificationTeams');
    expect(audienceOf({ source, subject: 'any' })).toEqual({ collection: 'notificationTeams', id: team });
  });

  it('a margin alert goes to the owners of its portfolio', () => {
    expect(audienceOf({ source: 'alerts.margin.v1', subject: 'desk-001' })).toEqual({
      collection: C.portfolioOwners,
      id: 'desk-001',
    });
  });
});

describe('webhook signing secrets', () => {
  const template = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;
  const dispatch: Dispatch = { ...template, recipientId: 'acme', channel: 'webhook' };

  async function deliverWith(secretName: string) {
    const p = testPlatform();
    p.secretValues.set('SENDGRID_API_KEY', 'SG.provider-key');
    p.secretValues.set('NOTIFY_WEBHOOK_ACME', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const read: string[] = [];
    const secrets = { get: (name: string) => (read.push(name), p.secrets.get(name)) };
    const sent: Destination[] = [];
    const sender: NotificationSender = {
      provider: 'webhook',
      send: async (_d, destination) => {
        sent.push(destination);
        return { outcome: 'accepted', status: 204, providerMessageId: null };
      },
    };
    const warehouse: Warehouse = {
      insert: async () => undefined,
      query: async () => [],
      close: async () => {},
    };
    const recipient: RecipientDoc = {
      recipientId: 'acme',
      displayName: 'Acme',
      principal: 'ops@acme.example',
      contacts: { webhook: { url: 'https://hooks.acme.example/fusion', secretName } },
      preferences: { channels: ['webhook'], minSeverity: 'INFO', quietHours: null },
    };
    await p.store.set(C.recipients, 'acme', recipient);
    const outcome = await deliverNotification(
      {
        store: p.store,
        warehouse,
        secrets,
        clock: p.clock,
        logger: p.logger('deliverNotification'),
        senders: { email: sender, sms: sender, webhook: sender },
        sleep: async () => undefined,
      },
      dispatch,
    );
    return { outcome, read, sent };
  }

  it('are read only under NOTIFY_WEBHOOK_: a provider key named by a recipient is refused, never read', async () => {
    const { outcome, read, sent } = await deliverWith('SENDGRID_API_KEY');
    expect(outcome).toEqual({
      status: 'failed',
      reason: 'webhook secret name outside NOTIFY_WEBHOOK_*',
      attempts: 0,
    });
    expect(read).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('sign the delivery when named under the prefix', async () => {
    const { outcome, read, sent } = await deliverWith('NOTIFY_WEBHOOK_ACME');
    expect(outcome).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(read).toEqual(['NOTIFY_WEBHOOK_ACME']);
    expect(sent).toEqual([
      {
        channel: 'webhook',
        url: 'https://hooks.acme.example/fusion',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      },
    ]);
  });
});
