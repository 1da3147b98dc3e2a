/**
 * computePortfolioRisk's position updates through its deployed wiring on memory adapters: an update dated in the
 * future is refused before it can become the newest (dead-lettered with its reason, operators alerted, the
 * portfolio left as it was), so the next real update is applied and margin is computed on fresh collateral.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { bucketOf } from '../../../shared/domain/ids';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { MessagePublishedData } from '../../../shared/platform/triggers/pubsub-handler';
import { COLLECTIONS, type PortfolioDoc } from '../../../shared/use-cases/compute-portfolio-risk';
import { computePortfolioRisk } from '../../../functions/compute-portfolio-risk/wiring';
import { localPlatform } from '../../../local-stack/platform';
import { CapturingSink } from '../../support/capturing-sink';
import { seedDailyCloses } from '../../support/env';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';

type Positions = SchemaTypes['messages/portfolio.positions.v1'];
type RiskBatch = SchemaTypes['messages/risk.portfolio-risk.v1'];
type OperationsAlert = SchemaTypes['messages/alerts.operations.v1'];

const NOW = '2022-11-09T23:59:30.000Z';
const TICK = { tickId: 'tick-20221109T2359Z', asOf: '2022-11-09T23:59:00.000Z' };
const PRICES: Record<string, number> = { BTC: 15_880, USDC: 1 };
const FAR_FUTURE = '2099-01-01T00:00:00.000Z';

let seq = 0;
const warehouses: DuckDbWarehouse[] = [];
afterAll(async () => {
  for (const w of warehouses) await w.close();
});

async function setup() {
  const store = new MemoryDocumentStore();
  const bus = new MemoryEventBus();
  const warehouse = await DuckDbWarehouse.open();
  warehouses.push(warehouse);
  await seedDailyCloses(store, '2022-11-09', 400, ['BTC', 'USDC']);
  const platform = localPlatform({
    env: { ENVIRONMENT: 'local', RISK_SHARD_COUNT: '1' },
    bus,
    store,
    warehouse,
    clock: new ManualClock(NOW),
    logger: new StructuredLogger({ sink: new CapturingSink().sink }),
    secrets: { get: async (name) => Promise.reject(new Error(`no secret ${name}`)) },
  });
  const handler = computePortfolioRisk.serve(async () => platform);
  const push = (topic: string, payload: unknown): CloudEvent<MessagePublishedData> => {
    const messageId = String(9_100_000 + ++seq);
    return {
      specversion: '1.0',
      id: messageId,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/risk-unit/topics/${topic}`,
      data: {
        message: {
          data: Buffer.from(JSON.stringify(payload)).toString('base64'),
          messageId,
          attributes: {},
          publishTime: NOW,
        },
      },
    } as CloudEvent<MessagePublishedData>;
  };
  // The latest prices, so an applied update is revalued at once.
  await handler(
    push('market.prices.v1', {
      ...TICK,
      prices: Object.entries(PRICES).map(([asset, priceUsd]) => ({
        asset,
        priceUsd,
        source: 'chainlink',
        quality: 'CROSS_CHECKED',
        publishedAt: TICK.asOf,
      })),
    }),
  );
  const portfolio = (id: string) => store.get<PortfolioDoc>(COLLECTIONS.portfolios, id);
  const valuations = (id: string) =>
    bus
      .on<RiskBatch>('risk.portfolio-risk.v1')
      .flatMap((b) => b.portfolios)
      .filter((p) => p.portfolioId === id);
  return { store, bus, handler, push, portfolio, valuations };
}

const update = (portfolioId: string, updatedAt: string, btc: number): Positions => ({
  portfolioId,
  updatedAt,
  positions: [
    { asset: 'BTC', amount: btc, side: 'collateral' },
    { asset: 'USDC', amount: 20_000, side: 'borrow' },
  ],
});

describe('computePortfolioRisk: position times from outside are bounded', () => {
  it('refuses a far-future update (dead letter + operations alert, portfolio unchanged); the next real one is applied', async () => {
    const s = await setup();
    await s.handler(s.push('portfolio.positions.v1', update('desk-7', '2022-11-09T10:00:00.000Z', 2)));
    const before = await s.portfolio('desk-7');
    expect(before?.updatedAt).toBe('2022-11-09T10:00:00.000Z');

    const future = update('desk-7', FAR_FUTURE, 1);
    const ce = s.push('portfolio.positions.v1', future);
    await s.handler(ce);
    const dead = s.bus.messages.filter((m) => m.topic === 'dead-letter.v1');
    expect(dead).toHaveLength(1);
    expect(dead[0].attributes).toMatchObject({
      'fusion-reason': 'event-time-in-future',
      'fusion-rejected-by': 'computePortfolioRisk',
      'fusion-source-topic': 'portfolio.positions.v1',
      'fusion-source-message-id': ce.data?.message?.messageId,
    });
    expect(Buffer.from(dead[0].data as string, 'base64').toString()).toBe(JSON.stringify(future));
    expect(s.bus.on<OperationsAlert>('alerts.operations.v1')).toEqual([
      expect.objectContaining({
        kind: 'EVENT_TIME_IN_FUTURE',
        sourceTopic: 'portfolio.positions.v1',
        subjectKind: 'portfolio',
        subjectId: 'desk-7',
        eventTimeField: 'updatedAt',
        eventTime: FAR_FUTURE,
        receivedAt: NOW,
        maxSkewSeconds: 300,
        messageId: ce.data?.message?.messageId,
      }),
    ]);
    expect(await s.portfolio('desk-7')).toEqual(before);

    // The desk posts 3 BTC: applied, and margin is computed on the fresh collateral.
    await s.handler(s.push('portfolio.positions.v1', update('desk-7', '2022-11-09T23:00:00.000Z', 3)));
    expect(await s.portfolio('desk-7')).toMatchObject({ updatedAt: '2022-11-09T23:00:00.000Z' });
    expect(s.valuations('desk-7').at(-1)).toMatchObject({
      positionsUpdatedAt: '2022-11-09T23:00:00.000Z',
      collateralUsd: 3 * PRICES.BTC,
      borrowUsd: 20_000,
    });
    expect(s.bus.messages.filter((m) => m.topic === 'dead-letter.v1')).toHaveLength(1);
  });

  it('accepts an update within the allowed skew and refuses one just beyond it', async () => {
    const s = await setup();
    const ahead = (seconds: number) => new Date(Date.parse(NOW) + seconds * 1000).toISOString();
    await s.handler(s.push('portfolio.positions.v1', update('desk-8', ahead(300), 2)));
    await s.handler(s.push('portfolio.positions.v1', update('desk-8', ahead(301), 5)));
    expect(await s.portfolio('desk-8')).toMatchObject({ updatedAt: ahead(300) });
    expect(s.bus.on<OperationsAlert>('alerts.operations.v1').map((a) => a.eventTime)).toEqual([ahead(301)]);
  });

  it('replaces positions stored with a future time before the bound existed, instead of freezing them', async () => {
    const s = await setup();
    const legacy: PortfolioDoc = {
      portfolioId: 'desk-9',
      bucket: bucketOf('desk-9'),
      updatedAt: FAR_FUTURE,
      positions: update('desk-9', FAR_FUTURE, 1).positions,
    };
    await s.store.set(COLLECTIONS.portfolios, 'desk-9', legacy);
    await s.handler(s.push('portfolio.positions.v1', update('desk-9', '2022-11-09T23:00:00.000Z', 3)));
    expect(await s.portfolio('desk-9')).toMatchObject({ updatedAt: '2022-11-09T23:00:00.000Z' });
    expect(s.valuations('desk-9').at(-1)).toMatchObject({ collateralUsd: 3 * PRICES.BTC });
  });
});
