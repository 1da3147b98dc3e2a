/**
 * Price alerts (alerts.prices.v1) reach people: fanOutNotifications subscribes to them, normalises them
 * (severity, escalation, subject) and sends them to the risk desk's team, with their own templates.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { MessagePublishedData } from '../../../shared/platform/triggers/pubsub-handler';
import { fanOutNotifications as fanOutWiring } from '../../../functions/fan-out-notifications/wiring';
import { validate } from '../../../shared/contracts/validation';
import { normalizePriceAlert } from '../../../shared/domain/notifications/alerts';
import { renderEmail, renderSms, renderWebhook } from '../../../shared/domain/notifications/templates';
import {
  COMPLIANCE_TEAM,
  NOTIFICATION_COLLECTIONS as C,
  RISK_DESK_TEAM,
  type Dispatch,
  type PriceAlert,
  type RecipientDoc,
} from '../../../shared/domain/notifications/types';
import { SUBSCRIPTIONS } from '../../../shared/topology/topology';
import { audienceOf } from '../../../shared/domain/notifications/recipients';
import { dispatchIdOf } from '../../../shared/use-cases/fan-out-notifications';
import { loadFixtures } from '../contracts/schema-fixtures';
import { testPlatform, type TestPlatform } from '../../support/test-platform';

const fixtures = loadFixtures('messages/alerts.prices.v1');
const noPrice = fixtures.base as PriceAlert;
const notValued = fixtures.good.find((g) => g.file === 'good-portfolio-not-valued.json')?.value as PriceAlert;
const alert = (kind: PriceAlert['kind'], patch: Partial<PriceAlert> = {}): PriceAlert => ({
  ...noPrice,
  alertId: `${noPrice.tickId}:${noPrice.asset}:${kind}`,
  kind,
  ...patch,
});

describe('normalizePriceAlert', () => {
  it('makes a missing price and an opened circuit critical, and disagreeing sources a warning', () => {
    expect(normalizePriceAlert(alert('NO_USABLE_PRICE'))).toEqual({
      source: 'alerts.prices.v1',
      alertId: 'tick-20240805T0620Z:ETH:NO_USABLE_PRICE',
      kind: 'prices.NO_USABLE_PRICE',
      subject: 'ETH',
      severity: 'CRITICAL',
      level: 2,
      escalation: false,
      alert: alert('NO_USABLE_PRICE'),
    });
    expect(normalizePriceAlert(alert('SOURCE_CIRCUIT_OPEN', { asset: '*' }))).toMatchObject({
      kind: 'prices.SOURCE_CIRCUIT_OPEN',
      subject: '*',
      severity: 'CRITICAL',
      escalation: true,
    });
    expect(normalizePriceAlert(alert('SOURCES_DISAGREE'))).toMatchObject({
      kind: 'prices.SOURCES_DISAGREE',
      severity: 'WARNING',
      escalation: false,
    });
    expect(normalizePriceAlert(alert('SOURCES_DISAGREE')).level).toBeLessThan(
      normalizePriceAlert(alert('NO_USABLE_PRICE')).level,
    );
  });

  it('makes an unvalued portfolio a critical alert about that portfolio', () => {
    expect(normalizePriceAlert(notValued)).toMatchObject({
      kind: 'prices.PORTFOLIO_NOT_VALUED',
      subject: 'pf-000123',
      severity: 'CRITICAL',
      escalation: false,
    });
  });

  it('routes price alerts to the risk desk team, AML alerts still to compliance', () => {
    expect(audienceOf(normalizePriceAlert(noPrice))).toEqual({ collection: C.teams, id: RISK_DESK_TEAM });
    expect(audienceOf({ source: 'alerts.aml.v1', subject: 'user-1' })).toEqual({
      collection: C.teams,
      id: COMPLIANCE_TEAM,
    });
    expect(audienceOf({ source: 'alerts.margin.v1', subject: 'pf-1' })).toEqual({
      collection: C.portfolioOwners,
      id: 'pf-1',
    });
  });
});

describe('price alert templates', () => {
  const dispatch = loadFixtures('messages/notifications.dispatch.v1').good.find(
    (g) => g.file === 'good-prices.json',
  )?.value as Dispatch;

  it('renders the asset, the reasons and the tick, in every channel', () => {
    const email = renderEmail(dispatch);
    expect(email.subject).toBe('[CRITICAL] Prices: no usable price, nothing published (ETH)');
    expect(email.text).toContain('chainlink: STALE (answer 3h old)');
    expect(email.text).toContain('As of: 2024-08-05T06:20:00Z (tick tick-20240805T0620Z)');
    expect(renderSms(dispatch)).toBe(
      'Fusion Risk PRICES CRITICAL: NO_USABLE_PRICE ETH, tick-20240805T0620Z.',
    );
    const hook = JSON.parse(renderWebhook(dispatch)) as { type: string; data: { text: string } };
    expect(hook.type).toBe('alert.prices.NO_USABLE_PRICE');
    expect(hook.data.text).toContain('Asset: ETH');
  });

  it('names the portfolio and its unpriced assets for PORTFOLIO_NOT_VALUED', () => {
    const d: Dispatch = {
      ...dispatch,
      kind: 'prices.PORTFOLIO_NOT_VALUED',
      subject: 'pf-000123',
      alert: notValued,
    };
    expect(validate('messages/notifications.dispatch.v1', d)).toEqual(d);
    expect(renderEmail(d).subject).toBe(
      '[CRITICAL] Risk: portfolio not valued, margin unmonitored (pf-000123)',
    );
    expect(renderEmail(d).text).toContain('Portfolio: pf-000123; unpriced: ETH,WBTC');
    expect(renderSms(d)).toContain('PORTFOLIO_NOT_VALUED pf-000123 (unpriced ETH,WBTC)');
  });
});

describe('fanOutNotifications routes alerts.prices.v1 to the risk desk', () => {
  const PROJECT = 'price-alert-routing';
  let seq = 0;
  function push(topic: string, payload: unknown): CloudEvent<MessagePublishedData> {
    const messageId = String(7_000_000 + ++seq);
    const subscription = SUBSCRIPTIONS.find((s) => s.topic === topic && s.function === 'fanOutNotifications');
    return {
      specversion: '1.0',
      id: messageId,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/${topic}`,
      data: {
        message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId, attributes: {} },
        subscription: `projects/${PROJECT}/subscriptions/${subscription?.name ?? 'none'}`,
      },
    } as CloudEvent<MessagePublishedData>;
  }
  const recipient = (recipientId: string): RecipientDoc => ({
    recipientId,
    displayName: recipientId,
    principal: `${recipientId}@desk.example`,
    contacts: { email: `${recipientId}@desk.example`, phone: '+447700900303' },
    preferences: { channels: ['email', 'sms'], minSeverity: 'WARNING', quietHours: null },
  });
  let p: TestPlatform;
  let handler: (ce: CloudEvent<MessagePublishedData>) => Promise<void>;

  beforeEach(async () => {
    p = testPlatform();
    p.clock.set('2024-08-05T06:20:05Z');
    await p.store.set(C.recipients, 'oncall-risk', recipient('oncall-risk'));
    await p.store.set(C.recipients, 'compliance-officer', recipient('compliance-officer'));
    await p.store.set(C.teams, RISK_DESK_TEAM, { teamId: RISK_DESK_TEAM, recipientIds: ['oncall-risk'] });
    await p.store.set(C.teams, COMPLIANCE_TEAM, {
      teamId: COMPLIANCE_TEAM,
      recipientIds: ['compliance-officer'],
    });
    handler = fanOutWiring.serve(async () => p) as (ce: CloudEvent<MessagePublishedData>) => Promise<void>;
  });

  const dispatches = () =>
    p.bus.messages.filter((m) => m.topic === 'notifications.dispatch.v1').map((m) => m.data as Dispatch);

  it('has a push subscription on alerts.prices.v1', () => {
    expect(
      SUBSCRIPTIONS.filter((s) => s.topic === 'alerts.prices.v1' && s.function === 'fanOutNotifications'),
    ).toMatchObject([{ function: 'fanOutNotifications', name: 'fan-out-notifications.prices' }]);
  });

  it('turns a NO_USABLE_PRICE alert into dispatches to the risk desk only, and a redelivery into the same', async () => {
    await handler(push('alerts.prices.v1', noPrice));
    const sent = dispatches();
    expect(sent.map((d) => [d.recipientId, d.channel, d.kind, d.severity])).toEqual([
      ['oncall-risk', 'email', 'prices.NO_USABLE_PRICE', 'CRITICAL'],
      ['oncall-risk', 'sms', 'prices.NO_USABLE_PRICE', 'CRITICAL'],
    ]);
    expect(sent[0].dispatchId).toBe(dispatchIdOf(noPrice.alertId, 'oncall-risk', 'email'));
    expect(p.bus.messages.filter((m) => m.topic === 'dead-letter.v1')).toEqual([]);

    await handler(push('alerts.prices.v1', noPrice));
    expect(new Set(dispatches().map((d) => d.dispatchId)).size).toBe(2);
  });

  it('sends an unvalued portfolio to the risk desk, not to the portfolio owners', async () => {
    await p.store.set(C.portfolioOwners, 'pf-000123', { portfolioId: 'pf-000123', recipientIds: ['owner'] });
    await handler(push('alerts.prices.v1', notValued));
    expect(dispatches().map((d) => [d.recipientId, d.subject])).toEqual([
      ['oncall-risk', 'pf-000123'],
      ['oncall-risk', 'pf-000123'],
    ]);
  });
});
