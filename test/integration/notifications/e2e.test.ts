/**
 * The notifications functions end to end on the local stack: alerts published on the Pub/Sub emulator are
 * pushed to fanOutNotifications, whose dispatches are pushed to deliverNotification, which calls the local
 * SendGrid, Twilio and webhook servers through the real client libraries. Every alert is published three
 * times (duplicates), half of all provider calls fail with 429 or 503, and one recipient has a number Twilio
 * rejects: still exactly one accepted provider call per (alert, recipient, channel), nothing lost.
 */
import type { Message } from '@google-cloud/pubsub';
import {
  NOTIFICATION_COLLECTIONS as C,
  COMPLIANCE_TEAM,
  type AmlAlert,
  type MarginAlert,
  type RecipientDoc,
} from '../../../shared/domain/notifications/types';
import { contentId } from '../../../shared/domain/ids';
import { ManualClock } from '../../../shared/platform/clocks';
import { dispatchIdOf } from '../../../shared/use-cases/fan-out-notifications';
import amlAlerts from '../../fixtures/notifications/aml-alerts.json';
import { startTestStack, type TestStack } from '../../support/test-stack';
import { waitFor } from '../../support/env';
import { duplicates } from '../../support/notifications-harness';

const margin = (portfolioId: string, i: number): MarginAlert => ({
  eventId: contentId('me', portfolioId, i),
  portfolioId,
  fromState: 'WARNING',
  toState: 'MARGIN_CALL',
  healthScore: 24,
  tickId: `tick-2020031${i}T2359Z`,
  asOf: `2020-03-1${i}T23:59:00Z`,
  collateralUsd: 6944,
  borrowUsd: 5600,
  severity: 'CRITICAL',
});

describe('notifications end to end through the Pub/Sub emulator', () => {
  let t: TestStack;

  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined); // the framework logs every 500 push
    t = await startTestStack('notif-e2e', { clock: new ManualClock('2020-03-12T23:59:00Z') });
    const n = t.stack.areas.notifications;
    const recipient = (id: string, contacts: RecipientDoc['contacts']): RecipientDoc => ({
      recipientId: id,
      displayName: id,
      principal: `${id}@people.example`,
      contacts,
      preferences: {
        channels: (['email', 'sms', 'webhook'] as const).filter((ch) =>
          ch === 'email' ? contacts.email : ch === 'sms' ? contacts.phone : contacts.webhook,
        ),
        minSeverity: 'WARNING',
        quietHours: null,
      },
    });
    const docs = [
      recipient('alice', {
        email: 'alice@a.example',
        phone: '+447700900101',
        webhook: n.registerWebhookEndpoint('alice'),
      }),
      recipient('dan', { phone: '+15005550001' }), // Twilio: invalid number (21211)
      recipient('oncall', { email: 'oncall@c.example', webhook: n.registerWebhookEndpoint('oncall') }),
    ];
    for (const d of docs) await t.stack.store.set(C.recipients, d.recipientId, d);
    for (const p of ['desk-a', 'desk-b', 'desk-c'])
      await t.stack.store.set(C.portfolioOwners, p, { portfolioId: p, recipientIds: ['alice', 'dan'] });
    await t.stack.store.set(C.teams, COMPLIANCE_TEAM, { teamId: COMPLIANCE_TEAM, recipientIds: ['oncall'] });
  });

  afterAll(async () => {
    await t.stop();
    jest.restoreAllMocks();
  });

  it('sends exactly once per alert, recipient and channel under duplicates and 50% provider failures', async () => {
    const n = t.stack.areas.notifications;
    for (const s of [n.sendgrid, n.twilio, n.webhooks])
      s.faults.setOdds({ 'http-429': 0.25, 'http-503': 0.25 });
    const marginAlerts = ['desk-a', 'desk-b', 'desk-c'].map((p, i) => margin(p, i + 2));
    const aml = [amlAlerts[0], amlAlerts[2]] as AmlAlert[];
    for (let copy = 0; copy < 3; copy++) {
      for (const a of marginAlerts) await t.stack.bus.publish('alerts.margin.v1', a);
      for (const a of aml) await t.stack.bus.publish('alerts.aml.v1', a);
    }
    const emails = [
      ...marginAlerts.map((a) => dispatchIdOf(a.eventId, 'alice', 'email')),
      ...aml.map((a) => dispatchIdOf(a.alertId, 'oncall', 'email')),
    ].sort();
    const hooks = [
      ...marginAlerts.map((a) => dispatchIdOf(a.eventId, 'alice', 'webhook')),
      ...aml.map((a) => dispatchIdOf(a.alertId, 'oncall', 'webhook')),
    ].sort();
    await waitFor(
      async () =>
        n.sendgrid.emails.length >= emails.length &&
        n.webhooks.received.length >= hooks.length &&
        n.twilio.messages.length >= marginAlerts.length
          ? true
          : undefined,
      90_000,
      'every notification accepted by its provider',
    );
    await t.stack.settle(1500);
    for (const s of [n.sendgrid, n.twilio, n.webhooks]) s.faults.setOdds({});
    expect(n.sendgrid.faults.total() + n.twilio.faults.total() + n.webhooks.faults.total()).toBeGreaterThan(
      5,
    );
    expect(n.sendgrid.emails.map((e) => e.customArgs.dispatch_id).sort()).toEqual(emails);
    expect(n.webhooks.received.map((w) => w.webhookId).sort()).toEqual(hooks);
    expect(n.webhooks.rejected).toBe(0);
    const sms = n.twilio.messages.map((m) => `${m.to} ${m.body}`);
    expect(sms.length).toBe(marginAlerts.length);
    expect(duplicates(sms)).toEqual([]);
    expect(n.twilio.messages.every((m) => m.to === '+447700900101')).toBe(true);
    // Dan's number fails permanently (after any injected 429/503): settled once per alert, acknowledged.
    const dan = await t.stack.warehouse.query<{ outcome: string; provider_code: string }>(
      "SELECT outcome, provider_code FROM notifications.deliveries WHERE recipient_id = 'dan' AND final",
    );
    expect(dan).toEqual(marginAlerts.map(() => ({ outcome: 'permanent_failure', provider_code: '21211' })));
    expect(t.deadLetters).toEqual([]);
  });

  it('dead-letters an alert that breaks its schema, naming the function and reason', async () => {
    const before = t.deadLetters.length;
    const { PubSub } = await import('@google-cloud/pubsub');
    const raw = new PubSub({
      projectId: t.stack.projectId,
      apiEndpoint: process.env.PUBSUB_EMULATOR_HOST,
      emulatorMode: true,
    });
    await raw.topic('alerts.aml.v1').publishMessage({ json: { alertId: 'not-an-alert' } });
    const dead = await waitFor(
      async () =>
        t.deadLetters
          .slice(before)
          .find((m: Message) => m.attributes['fusion-rejected-by'] === 'fanOutNotifications'),
      30_000,
      'the rejected alert on dead-letter.v1',
    );
    expect(dead.attributes['fusion-reason']).toBe('schema-violation');
    await raw.close();
  });
});
