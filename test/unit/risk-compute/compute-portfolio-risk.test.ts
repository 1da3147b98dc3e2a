/**
 * computePortfolioRisk's use cases on in-memory ports and the real DuckDB warehouse: position updates
 * (older ones ignored), the per-tick fan-out into shards, and one shard valued as a batch.
 */
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { validate } from '../../../shared/contracts/validation';
import { bucketOf, shardOfBucket } from '../../../shared/domain/ids';

const shardOf = (id: string, n: number) => shardOfBucket(bucketOf(id), n);
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import { DEFAULT_RISK_COMPUTE_CONFIG } from '../../../shared/domain/risk/config';
import {
  applyPositions,
  COLLECTIONS,
  fanOutTick,
  portfolioNotValuedAlert,
  processShard,
  type PortfolioDoc,
  type RiskDeps,
} from '../../../shared/use-cases/compute-portfolio-risk';
import { seedDailyCloses } from '../../support/env';

type Batch = SchemaTypes['messages/risk.portfolio-risk.v1'];
type ShardWork = SchemaTypes['messages/risk.shard-work.v1'];
type PriceAlert = SchemaTypes['messages/alerts.prices.v1'];

const TICK = { tickId: 'tick-20221109T2359Z', asOf: '2022-11-09T23:59:00Z' };
const PRICES = { BTC: 15_880, ETH: 1_100, USDC: 1 };
const quote = (asset: string, priceUsd: number, publishedAt = TICK.asOf) => ({
  asset,
  priceUsd,
  source: 'chainlink' as const,
  quality: 'CROSS_CHECKED' as const,
  publishedAt,
});

describe('computePortfolioRisk use cases', () => {
  let deps: RiskDeps;
  let bus: MemoryEventBus;
  let store: MemoryDocumentStore;
  let warehouse: DuckDbWarehouse;
  const sink = new CapturingSink();

  beforeEach(async () => {
    bus = new MemoryEventBus();
    store = new MemoryDocumentStore();
    warehouse = await DuckDbWarehouse.open();
    deps = {
      store,
      bus,
      warehouse,
      logger: new StructuredLogger({ sink: sink.sink }),
      config: { ...DEFAULT_RISK_COMPUTE_CONFIG, shardCount: 4 },
    };
    await seedDailyCloses(store, '2022-11-09', 400, ['BTC', 'ETH', 'USDC']);
  });

  afterEach(async () => {
    await warehouse.close();
  });

  const positions = (btc: number, usdc: number) => [
    { asset: 'BTC', amount: btc, side: 'collateral' as const },
    { asset: 'USDC', amount: usdc, side: 'borrow' as const },
  ];

  it('applies a position update once and ignores an equal or older one', async () => {
    const newer = { portfolioId: 'p-1', updatedAt: '2022-11-09T10:00:00Z', positions: positions(2, 10_000) };
    const older = { portfolioId: 'p-1', updatedAt: '2022-11-09T09:00:00Z', positions: positions(9, 1) };
    expect(await applyPositions(deps, newer)).toBe('applied');
    expect(await applyPositions(deps, older)).toBe('stale');
    expect(await applyPositions(deps, newer)).toBe('stale');
    const doc = await store.get<PortfolioDoc>(COLLECTIONS.portfolios, 'p-1');
    expect(doc).toMatchObject({
      updatedAt: newer.updatedAt,
      positions: newer.positions,
      bucket: bucketOf('p-1'),
    });
  });

  it('fans a tick out into one unit of work per shard, carrying the prices', async () => {
    const n = await fanOutTick(deps, {
      ...TICK,
      prices: Object.entries(PRICES).map(([asset, priceUsd]) => ({
        asset,
        priceUsd,
        source: 'chainlink' as const,
        quality: 'CROSS_CHECKED' as const,
        publishedAt: TICK.asOf,
      })),
    });
    expect(n).toBe(4);
    const work = bus.on<ShardWork>('risk.shard-work.v1');
    expect(work.map((w) => w.shard).sort()).toEqual([0, 1, 2, 3]);
    for (const w of work) {
      expect(w).toMatchObject({ ...TICK, shardCount: 4 });
      expect(Object.fromEntries(w.prices.map((p) => [p.asset, p.priceUsd]))).toEqual(PRICES);
    }
  });

  it('values a whole shard in one batch: one risk message, one warehouse insert, VaR on real history', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `desk-${i}`);
    for (const [i, id] of ids.entries()) {
      await applyPositions(deps, {
        portfolioId: id,
        updatedAt: '2022-11-01T00:00:00Z',
        positions: positions(1 + i / 10, 9_000),
      });
    }
    const shard = shardOf('desk-0', 4);
    const inShard = ids.filter((id) => shardOf(id, 4) === shard);
    const n = await processShard(deps, {
      ...TICK,
      shard,
      shardCount: 4,
      prices: Object.entries(PRICES).map(([asset, priceUsd]) => ({ asset, priceUsd })),
    });
    expect(n).toBe(inShard.length);
    const batches = bus.on<Batch>('risk.portfolio-risk.v1');
    expect(batches).toHaveLength(1);
    validate('messages/risk.portfolio-risk.v1', batches[0]);
    expect(batches[0].portfolios.map((p) => p.portfolioId).sort()).toEqual([...inShard].sort());
    const desk0 = batches[0].portfolios.find((p) => p.portfolioId === 'desk-0');
    expect(desk0?.healthScore).toBeCloseTo(((15_880 - 9_000) / 9_000) * 100, 9);
    expect(desk0?.liquidationPrices.find((l) => l.asset === 'BTC')?.priceUsd).toBeCloseTo(1.15 * 9_000, 6);
    expect(desk0?.risk?.figures).toHaveLength(12);
    expect(desk0?.risk?.historyEnd).toBe('2022-11-08'); // the last completed day before the tick
    const rows = await warehouse.query<{ n: number }>('SELECT count(*) AS n FROM risk.portfolio_exposures');
    expect(rows[0].n).toBe(inShard.length * 2);
  });

  it('covers every portfolio exactly once at any shard count, without rewriting stored portfolios', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `acct-${i}`);
    for (const id of ids) {
      await applyPositions(deps, {
        portfolioId: id,
        updatedAt: '2022-11-01T00:00:00Z',
        positions: positions(1, 1_000),
      });
    }
    const prices = Object.entries(PRICES).map(([asset, priceUsd]) => ({ asset, priceUsd }));
    for (const shardCount of [1, 4, 7, 16]) {
      bus.messages.length = 0;
      let total = 0;
      for (let shard = 0; shard < shardCount; shard++)
        total += await processShard(deps, { ...TICK, shard, shardCount, prices });
      const valued = bus
        .on<Batch>('risk.portfolio-risk.v1')
        .flatMap((b) => b.portfolios.map((p) => p.portfolioId));
      expect(total).toBe(ids.length);
      expect(valued.sort()).toEqual([...ids].sort());
    }
  });

  it('skips a portfolio holding an asset without a current price, and alerts the desk once per content', async () => {
    await applyPositions(deps, {
      portfolioId: 'sol-desk',
      updatedAt: '2022-11-01T00:00:00Z',
      positions: [
        { asset: 'SOL', amount: 100, side: 'collateral' },
        { asset: 'BTC', amount: 1, side: 'collateral' },
        { asset: 'AVAX', amount: 10, side: 'borrow' },
      ],
    });
    const shard = shardOf('sol-desk', 4);
    const work = { ...TICK, shard, shardCount: 4, prices: [{ asset: 'BTC', priceUsd: 15_880 }] };
    await processShard(deps, work);
    expect(bus.on('risk.portfolio-risk.v1')).toHaveLength(0);
    const alerts = bus.on<PriceAlert>('alerts.prices.v1');
    expect(alerts).toEqual([
      {
        alertId: expect.stringMatching(/^pa_[0-9a-f]{32}$/),
        tickId: TICK.tickId,
        asOf: TICK.asOf,
        asset: 'AVAX,SOL',
        kind: 'PORTFOLIO_NOT_VALUED',
        portfolioId: 'sol-desk',
        reasons: [
          'AVAX: no price at this tick (none, or older than 15 min)',
          'SOL: no price at this tick (none, or older than 15 min)',
        ],
      },
    ]);
    expect(bus.messages.find((m) => m.topic === 'alerts.prices.v1')?.attributes).toEqual({
      alertId: alerts[0].alertId,
      tickId: TICK.tickId,
      kind: 'PORTFOLIO_NOT_VALUED',
      portfolioId: 'sol-desk',
    });
    expect(
      sink
        .entries()
        .some(
          (e) =>
            e.message === 'portfolio skipped: no current price' &&
            e.portfolioId === 'sol-desk' &&
            e.alertId === alerts[0].alertId,
        ),
    ).toBe(true);

    // A redelivery of the same work raises the same alert (same id); the fan-out's de-duplication absorbs it.
    await processShard(deps, work);
    const again = bus.on<PriceAlert>('alerts.prices.v1');
    expect(again).toHaveLength(2);
    expect(again[1]).toEqual(again[0]);
    // A different tick, portfolio or set of unpriced assets is a different alert.
    const id = (t: string, p: string, a: string[]) =>
      portfolioNotValuedAlert(p, { tickId: t, asOf: TICK.asOf }, a, 15).alertId;
    expect(id(TICK.tickId, 'sol-desk', ['SOL', 'AVAX'])).toBe(alerts[0].alertId);
    expect(
      new Set([
        id(TICK.tickId, 'sol-desk', ['SOL', 'AVAX']),
        id('tick-20221110T0000Z', 'sol-desk', ['SOL', 'AVAX']),
        id(TICK.tickId, 'eth-desk', ['SOL', 'AVAX']),
        id(TICK.tickId, 'sol-desk', ['SOL']),
      ]).size,
    ).toBe(4);
  });

  it('alerts on a position update valued against stale prices, with the id a tick of the same prices raises', async () => {
    await fanOutTick(deps, {
      ...TICK,
      prices: [quote('BTC', 15_880), quote('USDC', 1)],
    });
    // ETH was priced an hour before the tick: too old to value anything with.
    await fanOutTick(deps, {
      tickId: 'tick-20221109T2259Z',
      asOf: '2022-11-09T22:59:00Z',
      prices: [quote('ETH', 1_150, '2022-11-09T22:58:50Z')],
    });
    bus.messages.length = 0;
    await applyPositions(deps, {
      portfolioId: 'eth-desk',
      updatedAt: '2022-11-09T23:59:30Z',
      positions: [
        { asset: 'ETH', amount: 10, side: 'collateral' },
        { asset: 'USDC', amount: 5_000, side: 'borrow' },
      ],
    });
    expect(bus.on('risk.portfolio-risk.v1')).toHaveLength(0);
    const [alert] = bus.on<PriceAlert>('alerts.prices.v1');
    expect(alert).toMatchObject({ kind: 'PORTFOLIO_NOT_VALUED', portfolioId: 'eth-desk', asset: 'ETH' });
    expect(alert.alertId).toBe(portfolioNotValuedAlert('eth-desk', TICK, ['ETH'], 15).alertId);
  });

  it('raises no alert when every portfolio of the shard is valued', async () => {
    await applyPositions(deps, {
      portfolioId: 'desk-0',
      updatedAt: '2022-11-01T00:00:00Z',
      positions: positions(1, 9_000),
    });
    await processShard(deps, {
      ...TICK,
      shard: shardOf('desk-0', 4),
      shardCount: 4,
      prices: Object.entries(PRICES).map(([asset, priceUsd]) => ({ asset, priceUsd })),
    });
    expect(bus.on('risk.portfolio-risk.v1')).toHaveLength(1);
    expect(bus.on('alerts.prices.v1')).toEqual([]);
  });
});
