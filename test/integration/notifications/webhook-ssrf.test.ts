/**
 * deliverNotification with a recipient document naming an internal webhook URL: the dispatch fails
 * permanently, is recorded like any other permanent failure (a final notifications.deliveries row blamed on
 * the recipient), and nothing reaches the receiver. The harness's local receiver is on http://127.0.0.1,
 * which only the local-only allowance admits; here it is off, as in a deployment.
 */
import { buildSenders } from '../../../shared/adapters/notifications/senders';
import { UNSAFE_WEBHOOK_URL } from '../../../shared/adapters/notifications/webhook-sender';
import { contentId } from '../../../shared/domain/ids';
import {
  NOTIFICATION_COLLECTIONS as C,
  type Dispatch,
  type MarginAlert,
} from '../../../shared/domain/notifications/types';
import { deliverNotification } from '../../../shared/use-cases/deliver-notification';
import { dispatchIdOf } from '../../../shared/use-cases/fan-out-notifications';
import { loadFixtures } from '../../unit/contracts/schema-fixtures';
import { NotificationsHarness } from '../../support/notifications-harness';

const template = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;

function dispatch(recipientId: string, n: number): Dispatch {
  const eventId = contentId('me', 'ssrf-test', recipientId, n);
  return {
    ...template,
    alertId: eventId,
    alert: { ...(template.alert as MarginAlert), eventId },
    recipientId,
    channel: 'webhook',
    dispatchId: dispatchIdOf(eventId, recipientId, 'webhook'),
  };
}

describe('deliverNotification refuses internal webhook URLs (SSRF)', () => {
  let h: NotificationsHarness;
  const received = () => h.webhooks.received.length + h.webhooks.rejected + h.webhooks.duplicates;

  beforeAll(async () => {
    h = await NotificationsHarness.open('notif-ssrf');
  });
  afterAll(() => h.close());

  async function recipient(recipientId: string, url: string): Promise<void> {
    h.secrets.set(`NOTIFY_WEBHOOK_${recipientId.toUpperCase()}`, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    await h.store.set(C.recipients, recipientId, {
      recipientId,
      displayName: recipientId,
      principal: `${recipientId}@people.example`,
      contacts: { webhook: { url, secretName: `NOTIFY_WEBHOOK_${recipientId.toUpperCase()}` } },
      preferences: { channels: ['webhook'], minSeverity: 'INFO', quietHours: null },
    });
  }

  it('records a permanent, final failure and never connects; a redelivery sends nothing either', async () => {
    const deployed = h.deliverDeps({
      senders: buildSenders(h.config({ NOTIFY_WEBHOOK_ALLOW_LOOPBACK: 'false' }), h.secretStore, h.clock),
    });
    h.webhooks.addEndpoint('loopback', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const cases: [string, string, string][] = [
      ['loopback', h.webhooks.endpointUrl('loopback'), 'webhook URL must use https (got http:)'],
      [
        'decimal',
        'https://2130706433/hooks/loopback',
        'webhook host resolves to a non-public address (loopback)',
      ],
      [
        'metadata',
        'https://169.254.169.254/computeMetadata/v1/',
        'webhook host resolves to a non-public address (link-local)',
      ],
      ['creds', 'https://u:p@hooks.example.com/x', 'webhook URL must not carry credentials'],
    ];
    for (const [id, url, detail] of cases) {
      await recipient(id, url);
      const d = dispatch(id, 1);
      expect(await deliverNotification(deployed, d)).toEqual({
        status: 'failed',
        reason: UNSAFE_WEBHOOK_URL,
        attempts: 1,
      });
      const rows = await h.warehouse.query<Record<string, unknown>>(
        'SELECT * FROM notifications.deliveries WHERE dispatch_id = @id',
        { id: d.dispatchId },
      );
      expect(rows).toEqual([
        expect.objectContaining({
          outcome: 'permanent_failure',
          final: true,
          recipient_error: true,
          status_code: null,
          provider_code: UNSAFE_WEBHOOK_URL,
          detail,
        }),
      ]);
      expect(await deliverNotification(deployed, d)).toEqual({ status: 'already-settled', state: 'failed' });
    }
    expect(received()).toBe(0);
  });

  it('the local-only allowance still delivers to the loopback receiver, and only there', async () => {
    await recipient('local', h.webhooks.addEndpoint('local', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'));
    await recipient('metadata-local', 'http://169.254.169.254/computeMetadata/v1/');
    expect(await deliverNotification(h.deliverDeps(), dispatch('local', 1))).toMatchObject({
      status: 'delivered',
    });
    expect(await deliverNotification(h.deliverDeps(), dispatch('metadata-local', 1))).toMatchObject({
      status: 'failed',
      reason: UNSAFE_WEBHOOK_URL,
    });
    expect(h.webhooks.received.map((w) => w.endpoint)).toEqual(['local']);
  });
});
