/**
 * fanOutNotifications against the Firestore emulator: the de-duplication and rate-limit decisions are
 * Firestore transactions, so concurrent duplicates on "different instances" (concurrent calls with their
 * own transactions) cannot both pass. Dispatches go to a memory bus that validates them like Pub/Sub.
 */
import { NOTIFICATION_COLLECTIONS } from '../../../shared/domain/notifications/types';
import { IDEMPOTENCY_RETENTION_MS } from '../../../shared/domain/retention';
import { normalizeAmlAlert, normalizeMarginAlert } from '../../../shared/domain/notifications/alerts';
import { docId } from '../../../shared/domain/notifications/recipients';
import type { AmlAlert, MarginAlert } from '../../../shared/domain/notifications/types';
import { validate } from '../../../shared/contracts/validation';
import type { DocumentStore, DocumentTransaction } from '../../../shared/ports/document-store';
import { fanOutNotifications, dispatchIdOf } from '../../../shared/use-cases/fan-out-notifications';
import amlAlerts from '../../fixtures/notifications/aml-alerts.json';
import { asPubSub, duplicates, NotificationsHarness } from '../../support/notifications-harness';

const MIN = 60_000;
const base: MarginAlert = {
  eventId: 'me_00000000000000000000000000000001',
  portfolioId: 'desk-btc-levered',
  fromState: 'WARNING',
  toState: 'MARGIN_CALL',
  healthScore: 22.4,
  tickId: 'tick-20200312T2359Z',
  asOf: '2020-03-12T23:59:00Z',
  collateralUsd: 6854,
  borrowUsd: 5600,
  severity: 'CRITICAL',
};
let n = 100;
const alert = (patch: Partial<MarginAlert> = {}): MarginAlert => ({
  ...base,
  eventId: `me_${String(n++).padStart(32, '0')}`,
  ...patch,
});

describe('fanOutNotifications with Firestore (emulator)', () => {
  let h: NotificationsHarness;

  beforeAll(async () => {
    h = await NotificationsHarness.open('notif-fanout');
    await h.addRecipient(
      { recipientId: 'alice', email: 'alice@a.example', phone: '+447700900101', webhook: true },
      ['desk-btc-levered', 'desk-flappy', ...[0, 1, 2, 3, 4].map((i) => `desk-storm-${i}`)],
    );
    await h.addRecipient(
      {
        recipientId: 'bob',
        email: 'bob@b.example',
        phone: '+447700900202',
        preferences: {
          minSeverity: 'WARNING',
          quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/London', channels: ['sms'] },
        },
      },
      ['desk-btc-levered', 'desk-quiet'],
    );
    await h.addRecipient({ recipientId: 'oncall', email: 'oncall@c.example', webhook: true }, [], true);
  });

  afterAll(() => h.close());

  beforeEach(() => {
    h.bus.messages.length = 0;
  });

  it('publishes one schema-valid dispatch per recipient and channel with deterministic ids', async () => {
    const a = alert();
    const out = await fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(a));
    const ds = h.dispatches();
    expect(ds.map((d) => `${d.recipientId}:${d.channel}`).sort()).toEqual([
      'alice:email',
      'alice:sms',
      'alice:webhook',
      'bob:email',
      'bob:sms', // critical: quiet hours bypassed
    ]);
    for (const d of ds) {
      validate('messages/notifications.dispatch.v1', d);
      expect(d.dispatchId).toBe(dispatchIdOf(a.eventId, d.recipientId, d.channel));
      expect(d).toMatchObject({ kind: 'margin.MARGIN_CALL', subject: 'desk-btc-levered', escalation: true });
    }
    expect(out.dispatchIds.sort()).toEqual(ds.map((d) => d.dispatchId).sort());
    // Dedup and rate-limit state carry an expiry 30 days out, so Firestore's TTL deletes idle recipients' state.
    const expiries = [
      ...(await h.store.query(NOTIFICATION_COLLECTIONS.dedup, [])),
      ...(await h.store.query(NOTIFICATION_COLLECTIONS.rateLimits, [])),
    ].map(
      (d) => new Date(String((d.data.expireAt as { toDate?: () => Date })?.toDate?.() ?? d.data.expireAt)),
    );
    expect(expiries.length).toBeGreaterThanOrEqual(3);
    for (const e of expiries) expect(e.getTime() - h.clock.now().getTime()).toBe(IDEMPOTENCY_RETENTION_MS);
  });

  it('decides in one read and one commit, however many recipients the alert has', async () => {
    // Each read in the decision transaction is a round trip on the alert's way to the providers.
    const reads: number[] = [];
    const store: DocumentStore = Object.create(h.store);
    store.runTransaction = (fn) =>
      h.store.runTransaction((tx) => {
        const counted: DocumentTransaction = {
          ...tx,
          get: (...args) => (reads.push(1), tx.get(...args)),
          getAll: (refs) => (reads.push(refs.length), tx.getAll(refs)),
        };
        return fn(counted);
      });
    const out = await fanOutNotifications(h.fanOutDeps({ store }), normalizeMarginAlert(alert()));
    expect(out.dispatchIds).toHaveLength(5); // alice and bob, both decided
    expect(reads).toEqual([5]); // the decision, two de-duplication states, two rate-limit states
  });

  it('lets exactly one of many concurrent duplicates through, across "instances"', async () => {
    h.clock.advance(10 * MIN);
    // Same kind and subject, different alert ids (e.g. two ticks), all at the same instant; not escalations.
    const alerts = Array.from({ length: 8 }, () =>
      alert({ fromState: 'LIQUIDATION', toState: 'MARGIN_CALL' }),
    );
    const results = await Promise.all(
      alerts.map((a) => asPubSub(() => fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(a)))),
    );
    expect(results.filter((r) => r instanceof Error)).toEqual([]);
    const ds = h.dispatches();
    // Each recipient is told once; which duplicate wins may differ per recipient (separate transactions).
    for (const who of ['alice', 'bob'])
      expect(new Set(ds.filter((d) => d.recipientId === who).map((d) => d.alertId)).size).toBe(1);
    expect(ds.map((d) => `${d.recipientId}:${d.channel}`).sort()).toEqual([
      'alice:email',
      'alice:sms',
      'alice:webhook',
      'bob:email',
      'bob:sms',
    ]);
    const suppressed = results.flatMap((r) =>
      r instanceof Error ? [] : r.recipients.filter((x) => x.decision === 'suppress'),
    );
    expect(suppressed.length).toBe(7 * 2);
  });

  it('re-publishes the same dispatches for a redelivered alert, even after the window, and nothing else', async () => {
    h.clock.advance(10 * MIN);
    const a = normalizeMarginAlert(alert({ fromState: 'LIQUIDATION', toState: 'MARGIN_CALL' }));
    const first = await fanOutNotifications(h.fanOutDeps(), a);
    h.clock.advance(7 * MIN);
    const again = await Promise.all([1, 2, 3].map(() => fanOutNotifications(h.fanOutDeps(), a)));
    for (const r of again) expect(r.dispatchIds.sort()).toEqual(first.dispatchIds.sort());
    expect(duplicates(h.dispatches().map((d) => d.dispatchId)).length).toBe(3 * first.dispatchIds.length);
  });

  it('keeps a suppressed duplicate suppressed when it is redelivered after the window', async () => {
    h.clock.advance(10 * MIN);
    const first = alert({ fromState: 'LIQUIDATION', toState: 'MARGIN_CALL' });
    const dup = alert({ fromState: 'LIQUIDATION', toState: 'MARGIN_CALL' });
    await fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(first));
    h.clock.advance(MIN);
    const suppressed = await fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(dup));
    expect(suppressed.dispatchIds).toEqual([]);
    h.clock.advance(6 * MIN);
    const redelivered = await fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(dup));
    expect(redelivered.recipients.map((r) => r.decision)).toEqual(['resend', 'resend']);
    expect(redelivered.dispatchIds).toEqual([]);
  });

  it('never suppresses an escalation, even right after the same kind', async () => {
    h.clock.advance(10 * MIN);
    const liq1 = alert({ fromState: 'MARGIN_CALL', toState: 'LIQUIDATION', severity: 'CRITICAL' });
    const back = alert({ fromState: 'LIQUIDATION', toState: 'MARGIN_CALL' });
    const liq2 = alert({ fromState: 'MARGIN_CALL', toState: 'LIQUIDATION', severity: 'CRITICAL' });
    for (const a of [liq1, back, liq2]) {
      await fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(a));
      h.clock.advance(30_000);
    }
    const sentFor = (id: string) =>
      h.dispatches().filter((d) => d.alertId === id && d.recipientId === 'alice');
    expect(sentFor(liq1.eventId).length).toBe(3);
    expect(sentFor(liq2.eventId).length).toBe(3); // same kind 1 minute later, but an escalation
  });

  it('rate-limits a flapping portfolio per recipient and channel, without dropping escalations', async () => {
    h.clock.advance(60 * MIN);
    const deps = h.fanOutDeps({
      dedupWindowMs: 0, // isolate the rate limit
      rateLimits: {
        email: { capacity: 3, perHour: 1 },
        sms: { capacity: 2, perHour: 1 },
        webhook: { capacity: 100, perHour: 100 },
      },
    });
    for (let i = 0; i < 6; i++) {
      await fanOutNotifications(
        deps,
        normalizeMarginAlert(
          alert({
            portfolioId: 'desk-flappy',
            fromState: 'HEALTHY',
            toState: 'WARNING',
            severity: 'WARNING',
          }),
        ),
      );
      h.clock.advance(1_000);
    }
    const count = (ch: string) =>
      h.dispatches().filter((d) => d.recipientId === 'alice' && d.channel === ch).length;
    expect([count('email'), count('sms'), count('webhook')]).toEqual([3, 2, 6]);
    await fanOutNotifications(
      deps,
      normalizeMarginAlert(
        alert({ portfolioId: 'desk-flappy', fromState: 'WARNING', toState: 'LIQUIDATION' }),
      ),
    );
    expect([count('email'), count('sms')]).toEqual([4, 3]);
  });

  it('leaves a recipient’s bucket unwritten while every channel is out of tokens, and refills it on time', async () => {
    // A storm of distinct alerts to one person (e.g. the risk desk in a price outage) must not rewrite one
    // document per alert: a refused token changes nothing the continuous refill would not recompute.
    h.clock.advance(60 * MIN);
    const deps = h.fanOutDeps({
      dedupWindowMs: 0,
      rateLimits: {
        email: { capacity: 1, perHour: 1 },
        sms: { capacity: 1, perHour: 1 },
        webhook: { capacity: 1, perHour: 1 },
      },
    });
    const storm = (i: number) =>
      normalizeMarginAlert(
        alert({
          portfolioId: `desk-storm-${i}`,
          fromState: 'HEALTHY',
          toState: 'WARNING',
          severity: 'WARNING',
        }),
      );
    const bucket = () =>
      h.store.get(NOTIFICATION_COLLECTIONS.rateLimits, docId('alice')) as Promise<Record<string, unknown>>;
    const first = await fanOutNotifications(deps, storm(0));
    expect(first.recipients.find((r) => r.recipientId === 'alice')?.channels).toHaveLength(3);
    const afterFirst = await bucket();
    for (let i = 1; i <= 3; i++) {
      h.clock.advance(1_000);
      const out = await fanOutNotifications(deps, storm(i));
      expect(out.recipients.find((r) => r.recipientId === 'alice')).toMatchObject({
        channels: [],
        rateLimited: ['email', 'sms', 'webhook'],
      });
    }
    expect(await bucket()).toEqual(afterFirst);
    h.clock.advance(60 * MIN - 3_000); // one hour after the first send: one token per channel again
    const refilled = await fanOutNotifications(deps, storm(4));
    expect(refilled.recipients.find((r) => r.recipientId === 'alice')?.channels).toEqual([
      'email',
      'sms',
      'webhook',
    ]);
  });

  it('applies quiet hours in the recipient’s time zone to non-critical alerts only', async () => {
    h.clock.set('2020-03-14T23:30:00Z');
    const warning = alert({
      portfolioId: 'desk-quiet',
      fromState: 'HEALTHY',
      toState: 'WARNING',
      severity: 'WARNING',
    });
    const out = await fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(warning));
    expect(out.recipients).toEqual([
      expect.objectContaining({
        recipientId: 'bob',
        channels: ['email'],
        skipped: [{ channel: 'sms', reason: 'quiet-hours' }],
      }),
    ]);
    h.clock.set('2020-03-15T08:30:00Z');
    const morning = alert({
      portfolioId: 'desk-quiet',
      fromState: 'WARNING',
      toState: 'HEALTHY',
      severity: 'INFO',
    });
    const info = await fanOutNotifications(h.fanOutDeps(), normalizeMarginAlert(morning));
    expect(info.recipients[0]).toMatchObject({ decision: 'no-channels' }); // below Bob's WARNING floor
  });

  it('sends AML alerts to the compliance team and de-duplicates a second structuring hit', async () => {
    h.clock.set('2020-03-16T10:00:00Z');
    const [first, second, sanctions] = amlAlerts as AmlAlert[];
    await fanOutNotifications(h.fanOutDeps(), normalizeAmlAlert(first));
    await fanOutNotifications(h.fanOutDeps(), normalizeAmlAlert(second));
    await fanOutNotifications(h.fanOutDeps(), normalizeAmlAlert(sanctions));
    const byAlert = (id: string) =>
      h
        .dispatches()
        .filter((d) => d.alertId === id)
        .map((d) => `${d.recipientId}:${d.channel}`);
    expect(byAlert(first.alertId)).toEqual(['oncall:email', 'oncall:webhook']);
    expect(byAlert(second.alertId)).toEqual([]); // same rule, same customer, a minute later
    expect(byAlert(sanctions.alertId)).toEqual(['oncall:email', 'oncall:webhook']);
  });

  describe('a redelivery re-publishes exactly the first decision, whatever changed since', () => {
    const warning = (portfolioId: string) =>
      normalizeMarginAlert(
        alert({ portfolioId, fromState: 'HEALTHY', toState: 'WARNING', severity: 'WARNING' }),
      );
    const published = (alertId: string) =>
      h
        .dispatches()
        .filter((d) => d.alertId === alertId)
        .map((d) => d.dispatchId)
        .sort();

    it('after quiet hours began (the first publish failed after the commit)', async () => {
      h.clock.set('2020-03-17T21:00:00Z'); // 21:00 in London
      await h.addRecipient(
        {
          recipientId: 'carol',
          email: 'carol@c.example',
          phone: '+447700900303',
          preferences: { quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/London' } },
        },
        ['desk-redeliver-quiet'],
      );
      const a = warning('desk-redeliver-quiet');
      const decided = [
        dispatchIdOf(a.alertId, 'carol', 'email'),
        dispatchIdOf(a.alertId, 'carol', 'sms'),
      ].sort();
      h.bus.failNext = 2;
      await expect(fanOutNotifications(h.fanOutDeps(), a)).rejects.toThrow('publish failed');
      h.clock.set('2020-03-17T22:30:00Z'); // both channels muted now
      const again = await fanOutNotifications(h.fanOutDeps(), a);
      expect(again.dispatchIds.sort()).toEqual(decided);
      expect(published(a.alertId)).toEqual(decided);
      const record = await h.store.get<{ expireAt: { toDate: () => Date } }>(
        NOTIFICATION_COLLECTIONS.decisions,
        docId(a.alertId),
      );
      // Kept past Pub/Sub's 7-day retention, then deleted by Firestore's TTL policy.
      expect(record?.expireAt.toDate().getTime()).toBe(
        Date.parse('2020-03-17T21:00:00Z') + IDEMPOTENCY_RETENTION_MS,
      );
    });

    it('after the recipient disabled the channel', async () => {
      await h.addRecipient({ recipientId: 'dave', email: 'dave@d.example' }, ['desk-redeliver-prefs']);
      const a = warning('desk-redeliver-prefs');
      const first = await fanOutNotifications(h.fanOutDeps(), a);
      expect(first.dispatchIds).toEqual([dispatchIdOf(a.alertId, 'dave', 'email')]);
      await h.addRecipient({ recipientId: 'dave', email: 'dave@d.example', preferences: { channels: [] } });
      h.clock.advance(MIN);
      const again = await fanOutNotifications(h.fanOutDeps(), a);
      expect(again.dispatchIds).toEqual(first.dispatchIds);
      expect(duplicates(h.dispatches().map((d) => JSON.stringify(d))).length).toBe(1); // the same message
    });

    it('after 20+ same-kind duplicates filled the bounded de-duplication history', async () => {
      await h.addRecipient({ recipientId: 'erin', email: 'erin@e.example' }, ['desk-redeliver-flap']);
      const a = warning('desk-redeliver-flap');
      const first = await fanOutNotifications(h.fanOutDeps(), a);
      expect(first.dispatchIds.length).toBe(1);
      for (let i = 0; i < 22; i++) {
        h.clock.advance(5_000);
        await fanOutNotifications(h.fanOutDeps(), warning('desk-redeliver-flap'));
      }
      expect(h.dispatches().length).toBe(1); // every duplicate suppressed
      const again = await fanOutNotifications(h.fanOutDeps(), a);
      expect(again.dispatchIds).toEqual(first.dispatchIds);
    });

    it('a suppressed duplicate stays suppressed after 4+ windows pruned its history entry', async () => {
      await h.addRecipient({ recipientId: 'frank', email: 'frank@f.example' }, ['desk-redeliver-late']);
      await fanOutNotifications(h.fanOutDeps(), warning('desk-redeliver-late'));
      h.clock.advance(MIN);
      const dup = warning('desk-redeliver-late');
      expect((await fanOutNotifications(h.fanOutDeps(), dup)).dispatchIds).toEqual([]);
      h.clock.advance(24 * MIN);
      const later = await fanOutNotifications(h.fanOutDeps(), warning('desk-redeliver-late'));
      expect(later.dispatchIds.length).toBe(1); // prunes the duplicate's entry
      h.clock.advance(6 * MIN);
      const again = await fanOutNotifications(h.fanOutDeps(), dup);
      expect(again.dispatchIds).toEqual([]);
      expect(published(dup.alertId)).toEqual([]);
    });
  });

  it('tolerates an alert nobody owns', async () => {
    const out = await fanOutNotifications(
      h.fanOutDeps(),
      normalizeMarginAlert(alert({ portfolioId: 'desk-orphan' })),
    );
    expect(out).toMatchObject({ recipients: [], dispatchIds: [] });
    expect(h.dispatches()).toEqual([]);
  });
});
