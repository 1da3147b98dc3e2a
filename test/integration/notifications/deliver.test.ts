/**
 * deliverNotification with real adapters: send records in Firestore (emulator), the delivery log in DuckDB,
 * and the real @sendgrid/mail and twilio clients against local servers speaking their HTTP APIs, plus the
 * local Standard Webhooks receiver. "Exactly one provider call" means exactly one call the provider
 * accepted per (alert, recipient, channel); refused calls (429/503) are retried.
 */
import { KeyedQueue } from '../../../shared/platform/keyed-queue';
import { IDEMPOTENCY_RETENTION_MS } from '../../../shared/domain/retention';
import { validate } from '../../../shared/contracts/validation';
import { contentId } from '../../../shared/domain/ids';
import {
  NOTIFICATION_COLLECTIONS as C,
  type Channel,
  type Dispatch,
  type MarginAlert,
} from '../../../shared/domain/notifications/types';
import { PermanentError, RetryableError } from '../../../shared/platform/errors';
import { ATTEMPT_LOG_MESSAGE, deliverNotification } from '../../../shared/use-cases/deliver-notification';
import { dispatchIdOf } from '../../../shared/use-cases/fan-out-notifications';
import { loadFixtures } from '../../unit/contracts/schema-fixtures';
import { asPubSub, duplicates, NotificationsHarness } from '../../support/notifications-harness';

const template = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;
let seq = 0;
function dispatch(recipientId: string, channel: Channel): Dispatch {
  const eventId = contentId('me', 'deliver-test', ++seq);
  return {
    ...template,
    alertId: eventId,
    alert: { ...(template.alert as MarginAlert), eventId },
    recipientId,
    channel,
    dispatchId: dispatchIdOf(eventId, recipientId, channel),
  };
}

interface Row {
  [key: string]: unknown;
  dispatch_id: string;
  channel: string;
  outcome: string;
  attempt: number;
  status_code: number | null;
  provider_code: string | null;
  recipient_error: boolean;
  final: boolean;
}

describe('deliverNotification with Firestore (emulator), DuckDB and local SendGrid/Twilio/webhook servers', () => {
  let h: NotificationsHarness;
  const rows = async (id: string) =>
    h.warehouse.query<Row>(
      'SELECT * FROM notifications.deliveries WHERE dispatch_id = @id ORDER BY attempt',
      { id },
    );

  beforeAll(async () => {
    h = await NotificationsHarness.open('notif-deliver');
    await h.addRecipient({
      recipientId: 'alice',
      email: 'alice@a.example',
      phone: '+447700900101',
      webhook: true,
    });
    await h.addRecipient({ recipientId: 'wrong-number', phone: '+15005550001' });
    await h.addRecipient({ recipientId: 'bad-email', email: 'not-an-address' });
  });

  afterAll(() => h.close());

  it('delivers each channel through its provider and logs the attempt', async () => {
    const ds = (['email', 'sms', 'webhook'] as const).map((ch) => dispatch('alice', ch));
    const out = await Promise.all(ds.map((d) => deliverNotification(h.deliverDeps(), d)));
    expect(out.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const mail = h.sendgrid.emails.find((e) => e.customArgs.dispatch_id === ds[0].dispatchId);
    expect(mail).toMatchObject({ to: ['alice@a.example'], sandbox: false });
    expect(mail?.subject).toBe('[WARNING] Margin call: add collateral or repay (desk-btc-levered)');
    expect(h.twilio.messages.at(-1)).toMatchObject({ to: '+447700900101', from: '+15005550006' });
    expect(h.webhooks.received.at(-1)).toMatchObject({ endpoint: 'alice', webhookId: ds[2].dispatchId });
    expect(h.webhooks.rejected).toBe(0);
    for (const d of ds) {
      const r = await rows(d.dispatchId);
      expect(r).toEqual([expect.objectContaining({ outcome: 'delivered', attempt: 1, final: true })]);
    }
    // One log line per attempt, as the log-based success-rate metric (Terraform) counts them.
    const attempts = h.sink
      .entries()
      .filter((e) => e.message === ATTEMPT_LOG_MESSAGE && ds.some((d) => d.dispatchId === e.dispatchId));
    expect(attempts.map((e) => [e.channel, e.outcome, e.severity]).sort()).toEqual([
      ['email', 'delivered', 'INFO'],
      ['sms', 'delivered', 'INFO'],
      ['webhook', 'delivered', 'INFO'],
    ]);
    const all = await h.warehouse.query('SELECT * FROM notifications.deliveries');
    for (const r of all)
      validate('warehouse/notifications.deliveries', {
        ...r,
        attempted_at: new Date(r.attempted_at as string).toISOString(),
      });
  });

  it('refuses to sign with a secret outside NOTIFY_WEBHOOK_* (e.g. a provider API key) and never reads it', async () => {
    await h.store.set(C.recipients, 'key-thief', {
      recipientId: 'key-thief',
      displayName: 'key-thief',
      principal: 'key-thief@people.example',
      contacts: {
        webhook: { url: h.webhooks.addEndpoint('key-thief', 'whsec_unused'), secretName: 'SENDGRID_API_KEY' },
      },
      preferences: { channels: ['webhook'], minSeverity: 'INFO', quietHours: null },
    });
    const read: string[] = [];
    const secrets = { get: async (name: string) => (read.push(name), h.secretStore.get(name)) };
    const before = h.webhooks.received.length;
    const d = dispatch('key-thief', 'webhook');
    expect(await deliverNotification(h.deliverDeps({ secrets }), d)).toMatchObject({
      status: 'failed',
      reason: 'webhook secret name outside NOTIFY_WEBHOOK_*',
    });
    expect(read).not.toContain('SENDGRID_API_KEY');
    expect(h.webhooks.received.length).toBe(before);
    expect((await rows(d.dispatchId)).map((r) => r.outcome)).toEqual(['permanent_failure']);
  });

  it('makes exactly one provider call for concurrent duplicates and redeliveries of a dispatch', async () => {
    const ds = (['email', 'sms', 'webhook'] as const).map((ch) => dispatch('alice', ch));
    const before = h.acceptedCalls().length;
    const requests = () => h.sendgrid.requests + h.twilio.requests;
    const results = await Promise.all(
      ds.flatMap((d) =>
        Array.from({ length: 6 }, () => asPubSub(() => deliverNotification(h.deliverDeps(), d))),
      ),
    );
    expect(results.filter((r) => r instanceof Error).map((e) => (e as Error).message)).toEqual([]);
    const calls = h.acceptedCalls();
    expect(calls.length - before).toBe(3);
    expect(duplicates(calls)).toEqual([]);
    const r0 = requests();
    for (const d of ds)
      expect(await deliverNotification(h.deliverDeps(), d)).toEqual({
        status: 'already-settled',
        state: 'sent',
      });
    expect(requests()).toBe(r0);
    expect(h.webhooks.duplicates).toBe(0);
  });

  it('holds duplicates of a dispatch in one instance until the first has settled: no busy retry', async () => {
    const d = dispatch('alice', 'sms');
    const deps = { ...h.deliverDeps(), dispatches: new KeyedQueue() };
    const before = h.acceptedCalls().length;
    // Without the queue the other five find the claim busy and throw for Pub/Sub to retry later.
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => deliverNotification(deps, d)));
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', ...Array(5).fill('already-settled')]);
    expect(h.acceptedCalls().length - before).toBe(1);
  });

  it('retries 429 and 503 in process, honouring the provider’s reset, and sends once', async () => {
    const waits: number[] = [];
    const deps = h.deliverDeps({ sleep: async (ms) => void waits.push(ms) });
    const email = dispatch('alice', 'email');
    h.sendgrid.faults.failNext('http-429', 'http-503');
    expect(await deliverNotification(deps, email)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect((await rows(email.dispatchId)).map((r) => [r.outcome, r.status_code])).toEqual([
      ['transient_failure', 429],
      ['transient_failure', 503],
      ['delivered', 202],
    ]);
    // The 429 carried X-RateLimit-Reset (epoch seconds): the wait is until then, at most a second here.
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    const sms = dispatch('alice', 'sms');
    h.twilio.faults.failNext('http-429', 'http-503');
    expect(await deliverNotification(deps, sms)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect((await rows(sms.dispatchId)).map((r) => r.provider_code)).toEqual(['20429', '20500', null]);
    expect(waits[2]).toBe(1000); // Twilio's Retry-After: 1
    expect(h.sendgrid.emails.filter((e) => e.customArgs.dispatch_id === email.dispatchId).length).toBe(1);
  });

  it('hands back to Pub/Sub after its in-process attempts, and the redelivery sends once', async () => {
    const d = dispatch('alice', 'webhook');
    h.webhooks.faults.failNext('http-503', 'http-503', 'http-503', 'http-503', 'http-503');
    await expect(deliverNotification(h.deliverDeps(), d)).rejects.toThrow(RetryableError);
    const record = await h.store.get<{ state: string; attempts: number; expireAt: { toDate(): Date } }>(
      C.sends,
      d.dispatchId,
    );
    expect(record).toMatchObject({ state: 'released', attempts: 4 });
    // The send record is an idempotency record: Firestore's TTL removes it 30 days after the claim.
    expect(record?.expireAt.toDate().getTime()).toBe(h.clock.now().getTime() + IDEMPOTENCY_RETENTION_MS);
    expect(await deliverNotification(h.deliverDeps(), d)).toMatchObject({ status: 'delivered', attempts: 6 });
    expect(h.webhooks.received.filter((w) => w.webhookId === d.dispatchId).length).toBe(1);
    expect((await rows(d.dispatchId)).map((r) => r.outcome)).toEqual([
      'transient_failure',
      'transient_failure',
      'transient_failure',
      'transient_failure',
      'transient_failure',
      'delivered',
    ]);
  });

  it('records and acknowledges permanent failures without retrying, and they do not block others', async () => {
    const wrong = dispatch('wrong-number', 'sms');
    const badEmail = dispatch('bad-email', 'email');
    const fine = dispatch('alice', 'sms');
    const twilioBefore = h.twilio.requests;
    const out = await Promise.all(
      [wrong, badEmail, fine].map((d) => deliverNotification(h.deliverDeps(), d)),
    );
    expect(out.map((o) => o.status)).toEqual(['failed', 'failed', 'delivered']);
    expect(h.twilio.requests - twilioBefore).toBe(2);
    expect(await rows(wrong.dispatchId)).toEqual([
      expect.objectContaining({
        outcome: 'permanent_failure',
        provider_code: '21211',
        recipient_error: true,
        final: true,
      }),
    ]);
    expect(await rows(badEmail.dispatchId)).toEqual([
      expect.objectContaining({ outcome: 'permanent_failure', status_code: 400, recipient_error: true }),
    ]);
    // A redelivery of the failed dispatch does not call Twilio again.
    expect(await deliverNotification(h.deliverDeps(), wrong)).toEqual({
      status: 'already-settled',
      state: 'failed',
    });
    expect(h.twilio.requests - twilioBefore).toBe(2);
  });

  it('after a crash mid-send: resends a webhook under the same webhook-id, never an SMS', async () => {
    const hook = dispatch('alice', 'webhook');
    const sms = dispatch('alice', 'sms');
    const lapsed = (d: Dispatch) => ({
      dispatchId: d.dispatchId,
      channel: d.channel,
      state: 'sending',
      owner: 'a-dead-instance',
      leaseUntil: h.clock.now().getTime() - 1,
      attempts: 0,
      rows: [],
      updatedAt: h.clock.now().toISOString(),
    });
    // The dead instance's webhook reached the receiver before it died.
    const deps = h.deliverDeps();
    const secret = await h.secretStore.get('NOTIFY_WEBHOOK_ALICE');
    await deps.senders.webhook.send(hook, {
      channel: 'webhook',
      url: h.webhooks.endpointUrl('alice'),
      secret,
    });
    await h.store.set(C.sends, hook.dispatchId, lapsed(hook));
    await h.store.set(C.sends, sms.dispatchId, lapsed(sms));
    const twilioBefore = h.twilio.requests;
    expect(await deliverNotification(deps, hook)).toMatchObject({ status: 'delivered' });
    expect(h.webhooks.received.filter((w) => w.webhookId === hook.dispatchId).length).toBe(1);
    expect(h.webhooks.duplicates).toBe(1); // the receiver saw the resend and de-duplicated it
    const err = await deliverNotification(deps, sms).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).reason).toBe('delivery-outcome-unknown');
    expect(h.twilio.requests).toBe(twilioBefore);
  });

  it('loses nothing and duplicates nothing when half of all provider calls fail (chaos)', async () => {
    for (const s of [h.sendgrid, h.twilio, h.webhooks])
      s.faults.setOdds({ 'http-429': 0.25, 'http-503': 0.25 });
    const ds = Array.from({ length: 45 }, (_, i) =>
      dispatch('alice', (['email', 'sms', 'webhook'] as const)[i % 3]),
    );
    const before = h.acceptedCalls().length;
    try {
      // Each dispatch arrives twice (a Pub/Sub duplicate), and each delivery is retried as Pub/Sub would.
      const results = await Promise.all(
        [...ds, ...ds].map((d) => asPubSub(() => deliverNotification(h.deliverDeps(), d), 40)),
      );
      expect(results.filter((r) => r instanceof Error).map((e) => (e as Error).message)).toEqual([]);
    } finally {
      for (const s of [h.sendgrid, h.twilio, h.webhooks]) s.faults.setOdds({});
    }
    const injected = [h.sendgrid, h.twilio, h.webhooks].reduce((a, s) => a + s.faults.total(), 0);
    expect(injected).toBeGreaterThan(30);
    const calls = h.acceptedCalls();
    expect(calls.length - before).toBe(45);
    expect(duplicates(calls)).toEqual([]);
    const settled = await h.store.getMany<{ state: string }>(
      C.sends,
      ds.map((d) => d.dispatchId),
    );
    expect([...settled.values()].every((s) => s.state === 'sent')).toBe(true);
  });

  it('answers the success rate per channel from the delivery log', async () => {
    const rates = await h.warehouse.query<{
      channel: string;
      success_rate: number;
      provider_success_rate: number;
    }>(
      `SELECT channel,
              COUNT(DISTINCT CASE WHEN outcome = 'delivered' THEN dispatch_id END) * 1.0 / COUNT(DISTINCT dispatch_id) AS success_rate,
              COUNT(DISTINCT CASE WHEN outcome = 'delivered' THEN dispatch_id END) * 1.0 /
                COUNT(DISTINCT CASE WHEN NOT recipient_error THEN dispatch_id END) AS provider_success_rate
         FROM notifications.deliveries GROUP BY channel ORDER BY channel`,
    );
    expect(rates.map((r) => r.channel)).toEqual(['email', 'sms', 'webhook']);
    const sms = rates.find((r) => r.channel === 'sms');
    expect(Number(sms?.success_rate)).toBeLessThan(1); // the wrong number counts against the dispatch rate
    expect(Number(sms?.provider_success_rate)).toBe(1); // but not against Twilio's
  });
});
