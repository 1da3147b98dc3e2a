/**
 * PubSubEventBus against the real Pub/Sub emulator: a message leaves only for a topic the topology declares
 * and only if it honours that topic's schema; dead letters keep their original bytes.
 */
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { PubSubEventBus } from '../../../shared/adapters/gcp/pubsub-event-bus';
import type { MarketPricesV1 } from '../../../shared/contracts/schema-types';
import { SchemaViolation } from '../../../shared/contracts/validation';
import type { TopicName } from '../../../shared/topology/topology';
import { emulatorHosts, isolatedProjectId, waitFor } from '../../support/env';

const PRICES: MarketPricesV1 = {
  tickId: 'tick-20240805T1200Z',
  asOf: '2024-08-05T12:00:00.000Z',
  prices: [
    {
      asset: 'BTC',
      priceUsd: 54321.5,
      source: 'median',
      quality: 'CROSS_CHECKED',
      publishedAt: '2024-08-05T11:59:58.000Z',
    },
  ],
};

describe('PubSubEventBus (emulator)', () => {
  const projectId = isolatedProjectId('bus');
  const { pubsubHost } = emulatorHosts();
  const admin = new PubSub({ projectId, apiEndpoint: pubsubHost, emulatorMode: true });
  const bus = new PubSubEventBus({ projectId, apiEndpoint: pubsubHost });
  const received = new Map<string, Message[]>();
  const subs: Subscription[] = [];

  /** Creates the topic in the emulator (declared or not) with a subscription that records what arrives. */
  async function listen(topic: string): Promise<void> {
    const [t] = await admin.createTopic(topic);
    const [sub] = await t.createSubscription(`${topic}.test`);
    const got: Message[] = [];
    received.set(topic, got);
    sub.on('message', (m: Message) => {
      got.push(m);
      m.ack();
    });
    subs.push(sub);
  }

  const arrived = (topic: string, n: number) =>
    waitFor(
      async () => ((received.get(topic)?.length ?? 0) >= n ? received.get(topic) : undefined),
      20_000,
      `${n} message(s) on ${topic}`,
    );

  beforeAll(async () => {
    for (const topic of ['market.prices.v1', 'alerts.margin.v1', 'dead-letter.v1', 'market.prices.v2'])
      await listen(topic);
  });

  afterAll(async () => {
    for (const s of subs) await s.close();
    await bus.close();
    await admin.close();
  });

  it('publishes a valid message with its attributes and returns the broker’s message id', async () => {
    const id = await bus.publish('market.prices.v1', PRICES, { attributes: { tickId: PRICES.tickId } });
    const [m] = await arrived('market.prices.v1', 1);
    expect(m.id).toBe(id);
    expect(JSON.parse(m.data.toString())).toEqual(PRICES);
    expect(m.attributes).toEqual({ tickId: PRICES.tickId });
  });

  it('refuses a message that breaks its topic’s schema before it leaves, naming the path', async () => {
    const before = received.get('alerts.margin.v1')?.length ?? 0;
    const bad = { eventId: 'me_123', portfolioId: 'desk-001', toState: 'DEFAULTED' };
    const err = await bus.publish('alerts.margin.v1', bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaViolation);
    expect((err as SchemaViolation).problems).toEqual(
      expect.arrayContaining([
        '/eventId must match pattern "^me_[0-9a-f]{32}$"',
        "(root) must have required property 'severity'",
      ]),
    );
    // A valid alert published after it is the only one that arrives.
    const good = {
      eventId: 'me_0f3a9c2b7d6e4f1a8b9c0d1e2f3a4b5c',
      portfolioId: 'desk-001',
      fromState: 'WARNING',
      toState: 'MARGIN_CALL',
      healthScore: 22.4,
      tickId: 'tick-20221109T1500Z',
      asOf: '2022-11-09T15:00:00Z',
      collateralUsd: 15912.3,
      borrowUsd: 13000,
      severity: 'WARNING',
    };
    await bus.publish('alerts.margin.v1', good);
    const got = await arrived('alerts.margin.v1', before + 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(got.slice(before).map((m) => JSON.parse(m.data.toString()))).toEqual([good]);
  });

  it('refuses a topic the topology does not declare, even if it exists in Pub/Sub', async () => {
    await expect(bus.publish('market.prices.v2' as TopicName, PRICES)).rejects.toThrow(
      'topic market.prices.v2 is not declared in shared/contracts/topology.json',
    );
    await expect(bus.publishRaw('market.prices.v2' as TopicName, Buffer.from('{}'))).rejects.toThrow(
      'topic market.prices.v2 is not declared in shared/contracts/topology.json',
    );
    // A sentinel sent straight to the topic arrives alone: nothing from the bus got there first.
    await admin.topic('market.prices.v2').publishMessage({ data: Buffer.from('sentinel') });
    const got = await arrived('market.prices.v2', 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(got.map((m) => m.data.toString())).toEqual(['sentinel']);
  });

  it('forwards raw bytes only to the schema-less dead-letter topic, unchanged, with their attributes', async () => {
    await expect(bus.publishRaw('market.prices.v1', Buffer.from('{"tickId":1}'))).rejects.toThrow(
      'topic market.prices.v1 has a schema: publish validated messages instead',
    );
    const poison = Buffer.from([0x7b, 0x22, 0xff, 0x00, 0x0a]); // not UTF-8, not JSON
    await bus.publishRaw('dead-letter.v1', poison, {
      attributes: { 'fusion-reason': 'malformed-json', 'fusion-source-topic': 'market.prices.v1' },
    });
    const [m] = await arrived('dead-letter.v1', 1);
    expect(Buffer.compare(m.data, poison)).toBe(0);
    expect(m.attributes).toEqual({
      'fusion-reason': 'malformed-json',
      'fusion-source-topic': 'market.prices.v1',
    });
    expect(received.get('market.prices.v1')).toHaveLength(1);
  });
});
