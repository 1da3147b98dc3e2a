/**
 * A redelivered alert re-publishes exactly the dispatches first decided, whatever changed in between: the
 * recipient's quiet hours or preferences, the de-duplication history (bounded), the audience. Memory adapters;
 * the same cases run against the Firestore emulator in test/integration/notifications/fan-out.test.ts.
 */
import { normalizeMarginAlert } from '../../../shared/domain/notifications/alerts';
import { docId } from '../../../shared/domain/notifications/recipients';
import {
  NOTIFICATION_COLLECTIONS as C,
  type Dispatch,
  type MarginAlert,
  type Preferences,
  type RecipientDoc,
} from '../../../shared/domain/notifications/types';
import {
  dispatchIdOf,
  fanOutNotifications,
  type FanOutDeps,
} from '../../../shared/use-cases/fan-out-notifications';
import { KeyedQueue } from '../../../shared/platform/keyed-queue';
import { testPlatform, type TestPlatform } from '../../support/test-platform';

const MIN = 60_000;
let n = 1;
const marginAlert = (portfolioId: string): MarginAlert => ({
  eventId: `me_${String(n++).padStart(32, '0')}`,
  portfolioId,
  fromState: 'HEALTHY',
  toState: 'WARNING',
  healthScore: 41.5,
  tickId: 'tick-20200317T2100Z',
  asOf: '2020-03-17T21:00:00Z',
  collateralUsd: 6854,
  borrowUsd: 4000,
  severity: 'WARNING', // not critical: quiet hours apply; and no escalation: duplicates are suppressed
});

describe('fanOutNotifications: redeliveries replay the recorded decision', () => {
  let p: TestPlatform;
  let deps: FanOutDeps;

  async function recipient(recipientId: string, portfolio: string, preferences: Partial<Preferences> = {}) {
    const doc: RecipientDoc = {
      recipientId,
      displayName: recipientId,
      principal: `${recipientId}@people.example`,
      contacts: { email: `${recipientId}@people.example`, phone: '+447700900101' },
      preferences: { channels: ['email', 'sms'], minSeverity: 'INFO', quietHours: null, ...preferences },
    };
    await p.store.set(C.recipients, recipientId, doc);
    const owners = await p.store.get<{ recipientIds: string[] }>(C.portfolioOwners, portfolio);
    await p.store.set(C.portfolioOwners, portfolio, {
      portfolioId: portfolio,
      recipientIds: [...(owners?.recipientIds ?? []), recipientId],
    });
    return doc;
  }
  const dispatches = (): Dispatch[] =>
    p.bus.messages.filter((m) => m.topic === 'notifications.dispatch.v1').map((m) => m.data as Dispatch);
  const published = (alertId: string) =>
    dispatches()
      .filter((d) => d.alertId === alertId)
      .map((d) => d.dispatchId)
      .sort();

  beforeEach(() => {
    p = testPlatform();
    p.clock.set('2020-03-17T21:00:00Z'); // 21:00 in London (GMT)
    deps = { store: p.store, bus: p.bus, clock: p.clock, logger: p.logger('fanOutNotifications') };
  });

  it('re-publishes the first decision when quiet hours have begun since (the first publish failed)', async () => {
    await recipient('carol', 'desk-quiet', {
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/London' }, // mutes e-mail and SMS
    });
    const a = normalizeMarginAlert(marginAlert('desk-quiet'));
    const decided = [
      dispatchIdOf(a.alertId, 'carol', 'email'),
      dispatchIdOf(a.alertId, 'carol', 'sms'),
    ].sort();
    p.bus.failNext = 2; // committed, then the publish fails: Pub/Sub redelivers
    await expect(fanOutNotifications(deps, a)).rejects.toThrow('publish failed');
    p.clock.set('2020-03-17T22:30:00Z'); // quiet hours now
    const again = await fanOutNotifications(deps, a);
    expect(again.dispatchIds.sort()).toEqual(decided);
    expect(published(a.alertId)).toEqual(decided);
    expect(again.recipients).toEqual([expect.objectContaining({ recipientId: 'carol', decision: 'resend' })]);
    // Redeliveries can come for 7 days (Pub/Sub's retention): the record outlives them, then TTL deletes it.
    const record = await p.store.get<{ expireAt: Date }>(C.decisions, docId(a.alertId));
    expect(record?.expireAt.getTime()).toBeGreaterThan(Date.parse('2020-03-17T21:00:00Z') + 7 * 86_400_000);
  });

  it('re-publishes the first decision when the recipient has disabled the channel since', async () => {
    const doc = await recipient('dave', 'desk-prefs', { channels: ['email'] });
    const a = normalizeMarginAlert(marginAlert('desk-prefs'));
    const first = await fanOutNotifications(deps, a);
    expect(first.dispatchIds).toEqual([dispatchIdOf(a.alertId, 'dave', 'email')]);
    await p.store.set(C.recipients, 'dave', { ...doc, preferences: { ...doc.preferences, channels: [] } });
    p.clock.advance(MIN);
    const again = await fanOutNotifications(deps, a);
    expect(again.dispatchIds).toEqual(first.dispatchIds);
    const [d1, d2] = dispatches();
    expect(d2).toEqual(d1); // the same message: same id, channel, content and createdAt
  });

  it('re-publishes the first decision after 20+ same-kind duplicates have filled the history', async () => {
    await recipient('erin', 'desk-flap');
    const a = normalizeMarginAlert(marginAlert('desk-flap'));
    const first = await fanOutNotifications(deps, a);
    expect(first.dispatchIds.length).toBe(2);
    for (let i = 0; i < 25; i++) {
      p.clock.advance(5_000);
      const dup = await fanOutNotifications(deps, normalizeMarginAlert(marginAlert('desk-flap')));
      expect(dup.recipients[0].decision).toBe('suppress');
    }
    const again = await fanOutNotifications(deps, a);
    expect(again.dispatchIds.sort()).toEqual(first.dispatchIds.sort());
    expect(published(a.alertId)).toEqual([...first.dispatchIds, ...first.dispatchIds].sort());
  });

  it('keeps a suppressed duplicate suppressed when redelivered after its history entry was pruned', async () => {
    await recipient('frank', 'desk-late');
    await fanOutNotifications(deps, normalizeMarginAlert(marginAlert('desk-late')));
    p.clock.advance(MIN);
    const dup = normalizeMarginAlert(marginAlert('desk-late'));
    expect((await fanOutNotifications(deps, dup)).dispatchIds).toEqual([]);
    p.clock.advance(24 * MIN); // > 4 windows after the duplicate: the next write prunes its entry
    const later = await fanOutNotifications(deps, normalizeMarginAlert(marginAlert('desk-late')));
    expect(later.dispatchIds.length).toBe(2); // window elapsed: sent
    p.clock.advance(6 * MIN); // and that one's window has elapsed too
    const again = await fanOutNotifications(deps, dup);
    expect(again.dispatchIds).toEqual([]);
    expect(again.recipients).toEqual([expect.objectContaining({ decision: 'resend', channels: [] })]);
    expect(published(dup.alertId)).toEqual([]);
  });

  it('tells nobody new on a redelivery: a recipient added since is not part of the decision', async () => {
    await recipient('gina', 'desk-grow');
    const a = normalizeMarginAlert(marginAlert('desk-grow'));
    const first = await fanOutNotifications(deps, a);
    await recipient('hugo', 'desk-grow');
    const again = await fanOutNotifications(deps, a);
    expect(again.dispatchIds.sort()).toEqual(first.dispatchIds.sort());
    expect(dispatches().filter((d) => d.recipientId === 'hugo')).toEqual([]);
  });

  it('decides once for simultaneous deliveries of the same alert', async () => {
    await recipient('ivy', 'desk-twice');
    const a = normalizeMarginAlert(marginAlert('desk-twice'));
    const [x, y] = await Promise.all([fanOutNotifications(deps, a), fanOutNotifications(deps, a)]);
    expect(x.dispatchIds.sort()).toEqual(y.dispatchIds.sort());
    expect(new Set(dispatches().map((d) => JSON.stringify(d))).size).toBe(2);
  });

  it('holds a simultaneous delivery of the same alert in this instance until the first has decided', async () => {
    await recipient('jay', 'desk-queued');
    const a = normalizeMarginAlert(marginAlert('desk-queued'));
    const queued = { ...deps, alerts: new KeyedQueue() };
    const transactions = jest.spyOn(p.store, 'runTransaction');
    const [x, y] = await Promise.all([fanOutNotifications(queued, a), fanOutNotifications(queued, a)]);
    // One decision transaction: the second reads the first's decision and re-publishes it.
    expect(transactions).toHaveBeenCalledTimes(1);
    expect(x.recipients.map((r) => r.decision)).toEqual(['send']);
    expect(y.recipients.map((r) => r.decision)).toEqual(['resend']);
    expect(y.dispatchIds.sort()).toEqual(x.dispatchIds.sort());
    // Different alerts are not held up by each other.
    const b = normalizeMarginAlert(marginAlert('desk-queued'));
    await Promise.all([fanOutNotifications(queued, b), fanOutNotifications(queued, a)]);
    expect(transactions).toHaveBeenCalledTimes(2);
  });

  it('asks for the decision and the audience together, so the store can send them in one round trip', async () => {
    await recipient('kim', 'desk-together');
    const a = normalizeMarginAlert(marginAlert('desk-together'));
    const get = p.store.get.bind(p.store);
    const asked: string[] = [];
    let pending = 0;
    let pendingWhenAudienceAsked = 0;
    jest.spyOn(p.store, 'get').mockImplementation(async (collection, id) => {
      asked.push(collection);
      if (collection === C.portfolioOwners) pendingWhenAudienceAsked = pending;
      pending++;
      await new Promise((r) => setImmediate(r)); // a round trip: an ask made meanwhile overlaps it
      pending--;
      return get(collection, id);
    });
    await fanOutNotifications(deps, a);
    expect(asked.slice(0, 2).sort()).toEqual([C.decisions, C.portfolioOwners].sort());
    expect(pendingWhenAudienceAsked).toBe(1); // the decision's ask was still out
    // A redelivery is still answered from the recorded decision, whatever the audience read says.
    await p.store.set(C.portfolioOwners, 'desk-together', { portfolioId: 'desk-together', recipientIds: [] });
    const again = await fanOutNotifications(deps, a);
    expect(again.recipients.map((r) => r.decision)).toEqual(['resend']);
    expect(again.dispatchIds).toHaveLength(2);
  });

  it('records an alert nobody is to be sent with one create, no transaction, and replays it when redelivered', async () => {
    await recipient('lea', 'desk-muted', {
      quietHours: { start: '21:00', end: '07:00', timeZone: 'Europe/London' }, // muted at 21:00
    });
    const a = normalizeMarginAlert(marginAlert('desk-muted'));
    const transactions = jest.spyOn(p.store, 'runTransaction');
    const first = await fanOutNotifications(deps, a);
    expect(first.recipients).toEqual([
      expect.objectContaining({ recipientId: 'lea', decision: 'no-channels', channels: [] }),
    ]);
    expect(transactions).not.toHaveBeenCalled();
    p.clock.set('2020-03-18T08:00:00Z'); // quiet hours over: a fresh decision would send now
    const again = await fanOutNotifications(deps, a);
    expect(again.recipients).toEqual([
      expect.objectContaining({ decision: 'resend', recorded: 'no-channels', channels: [] }),
    ]);
    expect(published(a.alertId)).toEqual([]);
    // An alert without any audience likewise.
    const orphan = normalizeMarginAlert(marginAlert('desk-nobody'));
    expect((await fanOutNotifications(deps, orphan)).recipients).toEqual([]);
    expect(await p.store.get(C.decisions, docId(orphan.alertId))).toMatchObject({ recipients: [] });
    expect(transactions).not.toHaveBeenCalled();
  });

  it('answers from a decision committed first when its own create of a decision loses', async () => {
    await recipient('max', 'desk-raced', {
      quietHours: { start: '21:00', end: '07:00', timeZone: 'Europe/London' },
    });
    const a = normalizeMarginAlert(marginAlert('desk-raced'));
    const committed = {
      alertId: a.alertId,
      decidedAt: Date.parse('2020-03-17T20:59:00Z'), // another instance, before quiet hours began
      recipients: [
        {
          recipientId: 'max',
          verdict: 'send',
          sent: [{ channel: 'email', dispatchId: dispatchIdOf(a.alertId, 'max', 'email') }],
          rateLimited: [],
          skipped: [],
        },
      ],
    };
    // The other instance commits between this delivery's first read and its create.
    const get = p.store.get.bind(p.store);
    let firstRead = true;
    jest.spyOn(p.store, 'get').mockImplementation(async (collection, id) => {
      const found = await get(collection, id);
      if (collection === C.decisions && firstRead) {
        firstRead = false;
        await p.store.set(C.decisions, docId(a.alertId), committed);
      }
      return found;
    });
    const out = await fanOutNotifications(deps, a);
    expect(out.recipients).toEqual([expect.objectContaining({ decision: 'resend', recorded: 'send' })]);
    expect(published(a.alertId)).toEqual([dispatchIdOf(a.alertId, 'max', 'email')]);
  });
});
