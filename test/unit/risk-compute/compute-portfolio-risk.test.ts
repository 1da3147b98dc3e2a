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
import type { DailyClosesDoc } from '../../../shared/domain/prices/ticks';
import { HISTORY_GAP_LOG } from '../../../shared/platform/log-messages';
import { ManualClock } from '../../../shared/platform/clocks';
import type { EventTimeGuardDeps } from '../../../shared/use-cases/event-time-guard';

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
  let deps: RiskDeps & EventTimeGuardDeps;
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
      // After every position update below: position times later than now are refused.
      clock: new ManualClock('2022-11-10T00:00:00Z'),
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

  it('keeps the checkRisk requests an update carries, and drops them with the next update that carries none', async () => {
    const carrying = {
      portfolioId: 'p-2',
      updatedAt: '2022-11-09T10:00:00Z',
      positions: positions(2, 12_000),
      appliedRequestIds: ['loan-1:borrow'],
    };
    await applyPositions(deps, carrying);
    expect((await store.get<PortfolioDoc>(COLLECTIONS.portfolios, 'p-2'))?.appliedRequestIds).toEqual([
      'loan-1:borrow',
    ]);
    await applyPositions(deps, {
      portfolioId: 'p-2',
      updatedAt: '2022-11-09T11:00:00Z',
      positions: positions(2, 1),
    });
    expect((await store.get<PortfolioDoc>(COLLECTIONS.portfolios, 'p-2'))?.appliedRequestIds).toBeUndefined();
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

  it("shows each exposure's price source, quality and tick, from the tick through the shard work", async () => {
    await applyPositions(deps, {
      portfolioId: 'prov-1',
      updatedAt: '2022-11-01T00:00:00Z',
      positions: positions(1, 9_000),
    });
    await fanOutTick(deps, {
      ...TICK,
      prices: [
        quote('BTC', PRICES.BTC),
        { ...quote('USDC', 1), source: 'pyth' as const, quality: 'FALLBACK' as const },
      ],
    });
    const work = bus.on<ShardWork>('risk.shard-work.v1').find((w) => w.shard === shardOf('prov-1', 4));
    validate('messages/risk.shard-work.v1', work);
    await processShard(deps, work as ShardWork);
    const [batch] = bus.on<Batch>('risk.portfolio-risk.v1').slice(-1);
    const p = batch.portfolios.find((x) => x.portfolioId === 'prov-1');
    expect(p?.exposures).toEqual([
      expect.objectContaining({
        asset: 'BTC',
        source: 'chainlink',
        quality: 'CROSS_CHECKED',
        priceAsOf: TICK.asOf,
      }),
      expect.objectContaining({ asset: 'USDC', source: 'pyth', quality: 'FALLBACK', priceAsOf: TICK.asOf }),
    ]);
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

  it("publishes a shard's risk batch before writing its warehouse rows, and writes none if the publish fails", async () => {
    await applyPositions(deps, {
      portfolioId: 'desk-0',
      updatedAt: '2022-11-01T00:00:00Z',
      positions: positions(1, 9_000),
    });
    const events: string[] = [];
    const publish = bus.publish.bind(bus);
    let failPublish = false;
    bus.publish = async (topic, message, options) => {
      events.push(`publish ${topic}`);
      await new Promise((r) => setTimeout(r, 5)); // the acknowledgement takes a round trip
      if (failPublish) throw new Error('publish failed (injected)');
      const id = await publish(topic, message, options);
      events.push(`published ${topic}`);
      return id;
    };
    const insert = warehouse.insert.bind(warehouse);
    deps.warehouse = Object.assign(Object.create(warehouse) as DuckDbWarehouse, {
      insert: ((table, rows) => {
        events.push(`insert ${table}`);
        return insert(table, rows);
      }) as DuckDbWarehouse['insert'],
    });
    const work = {
      ...TICK,
      shard: shardOf('desk-0', 4),
      shardCount: 4,
      prices: Object.entries(PRICES).map(([asset, priceUsd]) => ({ asset, priceUsd })),
    };
    await processShard(deps, work);
    const inserts = events.filter((e) => e.startsWith('insert'));
    expect(inserts.length).toBeGreaterThan(0);
    expect(events.slice(0, 2)).toEqual([
      'publish risk.portfolio-risk.v1',
      'published risk.portfolio-risk.v1',
    ]);

    events.length = 0;
    failPublish = true;
    await expect(processShard(deps, { ...work, tickId: 'tick-2' })).rejects.toThrow('publish failed');
    expect(events).toEqual(['publish risk.portfolio-risk.v1']);
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
        // Who may read it (riskApi authorises alerts by desk); not part of its id.
        deskId: 'default',
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

  describe('desks and risk metrics', () => {
    const allPrices = Object.entries(PRICES).map(([asset, priceUsd]) => ({ asset, priceUsd }));
    const updatedAt = '2022-11-01T00:00:00.000Z';
    // desk-0 of the rates desk: 1 BTC against 9,000 USDC. acct-7, no desk: 2 BTC and 10 ETH against 9,000 USDC.
    async function twoPortfolios(): Promise<void> {
      await applyPositions(deps, {
        portfolioId: 'desk-0',
        deskId: 'rates.eu',
        updatedAt,
        positions: positions(1, 9_000),
      });
      await applyPositions(deps, {
        portfolioId: 'acct-7',
        updatedAt,
        positions: [...positions(2, 9_000), { asset: 'ETH', amount: 10, side: 'collateral' }],
      });
    }

    it('stores each portfolio in its desk, "default" without one', async () => {
      await twoPortfolios();
      expect((await store.get<PortfolioDoc>(COLLECTIONS.portfolios, 'desk-0'))?.deskId).toBe('rates.eu');
      expect((await store.get<PortfolioDoc>(COLLECTIONS.portfolios, 'acct-7'))?.deskId).toBe('default');
    });

    it('publishes desk and metrics with each valuation, and records every VaR/ES confidence × horizon, liquidation price and metric', async () => {
      await twoPortfolios();
      await processShard(deps, { ...TICK, shard: 0, shardCount: 1, prices: allPrices });
      const [batch] = bus.on<Batch>('risk.portfolio-risk.v1');
      validate('messages/risk.portfolio-risk.v1', batch);
      const desk0 = batch.portfolios.find((p) => p.portfolioId === 'desk-0');
      const acct7 = batch.portfolios.find((p) => p.portfolioId === 'acct-7');
      expect([desk0?.deskId, acct7?.deskId]).toEqual(['rates.eu', 'default']);

      // desk-0 on FTX day: collateral 15,880, equity 6,880, leverage 9,000 / 6,880.
      const m = desk0?.metrics;
      expect(m).toMatchObject({
        collateralUsd: 15_880,
        borrowUsd: 9_000,
        equityUsd: 6_880,
        equityState: 'POSITIVE',
      });
      expect(m?.leverage).toBeCloseTo(9_000 / 6_880, 12);
      expect(m?.concentration).toEqual({
        collateral: { asset: 'BTC', share: 1 },
        gross: { asset: 'BTC', share: 15_880 / 24_880 },
      });
      // Every VaR/ES figure over equity, in the same order.
      const figures = desk0?.risk?.figures ?? [];
      expect(figures).toHaveLength(12);
      expect(m?.tailShares.map((t) => [t.confidence, t.horizonDays])).toEqual(
        figures.map((f) => [f.confidence, f.horizonDays]),
      );
      m?.tailShares.forEach((t, i) => expect(t.varShare).toBeCloseTo(figures[i].varUsd / 6_880, 12));
      // Drawdown over the 30 closes to 8 November and the tick: BTC fell from about 21k in early November.
      const dd = m?.drawdown;
      expect(dd).toMatchObject({ windowDays: 30, observations: 31, nowUsd: 6_880 });
      expect(dd?.current).toBeCloseTo(((dd?.peakUsd ?? 0) - 6_880) / (dd?.peakUsd ?? 1), 12);
      expect(dd?.current).toBeGreaterThan(0.3);
      expect(dd?.max).toBeGreaterThanOrEqual(dd?.current ?? Infinity);

      const figureRows = await warehouse.query<{
        portfolio_id: string;
        desk_id: string;
        confidence: number;
        horizon_days: number;
        var_usd: number;
        es_usd: number;
        var_share_of_equity: number | null;
      }>(
        'SELECT portfolio_id, desk_id, confidence, horizon_days, var_usd, es_usd, var_share_of_equity ' +
          'FROM risk.portfolio_risk_figures ORDER BY portfolio_id, confidence, horizon_days',
      );
      for (const msg of [acct7, desk0]) {
        const rows = figureRows.filter((r) => r.portfolio_id === msg?.portfolioId);
        // 3 confidences × 4 horizons, each once, with the published figures.
        expect(rows.map((r) => `${r.confidence}/${r.horizon_days}`)).toEqual(
          [0.95, 0.975, 0.99].flatMap((c) => [1, 7, 10, 30].map((h) => `${c}/${h}`)),
        );
        for (const r of rows) {
          const f = msg?.risk?.figures.find(
            (x) => x.confidence === r.confidence && x.horizonDays === r.horizon_days,
          );
          expect([r.desk_id, r.var_usd, r.es_usd]).toEqual([msg?.deskId, f?.varUsd, f?.esUsd]);
        }
      }
      expect(figureRows.find((r) => r.portfolio_id === 'desk-0')?.var_share_of_equity).toBeCloseTo(
        (figureRows.find((r) => r.portfolio_id === 'desk-0')?.var_usd ?? 0) / 6_880,
        12,
      );

      const liquidation = await warehouse.query<{
        portfolio_id: string;
        asset: string;
        side: string;
        liquidation_price_usd: number | null;
      }>(
        'SELECT portfolio_id, asset, side, liquidation_price_usd FROM risk.liquidation_prices ORDER BY portfolio_id, asset',
      );
      // Collateral and borrowed assets alike: a borrow is liquidated by its price rising.
      expect(liquidation.map((r) => [r.portfolio_id, r.asset, r.side])).toEqual([
        ['acct-7', 'BTC', 'collateral'],
        ['acct-7', 'ETH', 'collateral'],
        ['acct-7', 'USDC', 'borrow'],
        ['desk-0', 'BTC', 'collateral'],
        ['desk-0', 'USDC', 'borrow'],
      ]);
      expect(liquidation[3].liquidation_price_usd).toBeCloseTo(1.15 * 9_000, 6);

      const metricRows = await warehouse.query<{
        portfolio_id: string;
        desk_id: string;
        leverage: number;
        equity_state: string;
        drawdown_window_days: number;
      }>(
        'SELECT portfolio_id, desk_id, leverage, equity_state, drawdown_window_days FROM risk.portfolio_metrics ORDER BY portfolio_id',
      );
      expect(metricRows).toEqual([
        {
          portfolio_id: 'acct-7',
          desk_id: 'default',
          leverage: acct7?.metrics.leverage,
          equity_state: 'POSITIVE',
          drawdown_window_days: 30,
        },
        {
          portfolio_id: 'desk-0',
          desk_id: 'rates.eu',
          leverage: m?.leverage,
          equity_state: 'POSITIVE',
          drawdown_window_days: 30,
        },
      ]);

      // A redelivery of the same work writes no second row anywhere.
      await processShard(deps, { ...TICK, shard: 0, shardCount: 1, prices: allPrices });
      const counts = await warehouse.query<{ n: number }>(
        'SELECT (SELECT count(*) FROM risk.portfolio_risk_figures) + (SELECT count(*) FROM risk.liquidation_prices) * 100 + ' +
          '(SELECT count(*) FROM risk.portfolio_metrics) * 10000 AS n',
      );
      expect(counts[0].n).toBe(24 + 5 * 100 + 2 * 10_000);
    });

    it('keeps the valuation when a metric fails: metrics from the valuation alone, marked degraded, an error logged', async () => {
      await twoPortfolios();
      deps.config = { ...deps.config, drawdownWindowDays: 0 };
      await processShard(deps, { ...TICK, shard: 0, shardCount: 1, prices: allPrices });
      const [batch] = bus.on<Batch>('risk.portfolio-risk.v1');
      const desk0 = batch.portfolios.find((p) => p.portfolioId === 'desk-0');
      expect(desk0?.healthScore).toBeCloseTo(((15_880 - 9_000) / 9_000) * 100, 9);
      expect(desk0?.risk?.figures).toHaveLength(12);
      expect(desk0?.metrics).toMatchObject({
        equityUsd: 6_880,
        drawdown: null,
        tailShares: [],
        degraded: expect.stringContaining('drawdown window must be a whole number of days'),
      });
      expect(bus.on('alerts.prices.v1')).toEqual([]);
      expect(
        sink
          .entries()
          .some(
            (e) =>
              e.message === 'risk metrics failed; publishing those the valuation alone gives' &&
              e.portfolioId === 'desk-0',
          ),
      ).toBe(true);
      const rows = await warehouse.query<{ degraded: string | null }>(
        'SELECT degraded FROM risk.portfolio_metrics',
      );
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.degraded?.startsWith('drawdown window'))).toBe(true);
    });
  });

  describe('a daily close missing from the history', () => {
    const allPrices = Object.entries(PRICES).map(([asset, priceUsd]) => ({ asset, priceUsd }));
    const updatedAt = '2022-11-01T00:00:00.000Z';
    const GAP = '2022-08-20'; // inside the VaR year, before the drawdown's 30 days

    /** desk-0 holds no ETH; acct-7 and acct-8 do. ETH has no close on GAP (neither source had one). */
    async function portfoliosAndGap(): Promise<void> {
      await applyPositions(deps, { portfolioId: 'desk-0', updatedAt, positions: positions(1, 9_000) });
      for (const id of ['acct-7', 'acct-8'])
        await applyPositions(deps, {
          portfolioId: id,
          updatedAt,
          positions: [...positions(2, 9_000), { asset: 'ETH', amount: 10, side: 'collateral' }],
        });
      const eth = await store.get<DailyClosesDoc>('dailyCloses', 'ETH');
      if (!eth) throw new Error('no ETH closes seeded');
      await store.set('dailyCloses', 'ETH', { ...eth, closes: eth.closes.filter((c) => c.date !== GAP) });
    }

    const gapLines = () => sink.entries().filter((e) => e.message === HISTORY_GAP_LOG);

    it('still gives VaR to portfolios holding the asset, flags their outputs only, and logs the gap once per engine, repeated every 30 minutes', async () => {
      await portfoliosAndGap();
      const before = gapLines().length;
      // Ticks of the same day (the VaR history ends the day before), minutes apart.
      const tickAt = (minute: number) => ({
        tickId: `tick-20221109T23${String(minute).padStart(2, '0')}Z`,
        asOf: `2022-11-09T23:${String(minute).padStart(2, '0')}:00Z`,
      });
      await processShard(deps, { ...tickAt(0), shard: 0, shardCount: 1, prices: allPrices });
      const [batch] = bus.on<Batch>('risk.portfolio-risk.v1');
      validate('messages/risk.portfolio-risk.v1', batch);
      const byId = new Map(batch.portfolios.map((p) => [p.portfolioId, p]));
      for (const id of ['acct-7', 'acct-8']) {
        const risk = byId.get(id)?.risk;
        expect(risk?.figures).toHaveLength(12);
        expect(risk?.scenarios).toBe(365);
        expect(risk?.historyGaps).toEqual([{ asset: 'ETH', date: GAP }]);
      }
      // desk-0 holds no ETH: VaR, no flag (its window moved with the others', as every portfolio shares it).
      expect(byId.get('desk-0')?.risk?.figures).toHaveLength(12);
      expect(byId.get('desk-0')?.risk).not.toHaveProperty('historyGaps');

      const rows = await warehouse.query<{ portfolio_id: string; history_gaps: string | null }>(
        'SELECT DISTINCT portfolio_id, history_gaps FROM risk.portfolio_risk_figures ORDER BY portfolio_id',
      );
      expect(rows).toEqual([
        { portfolio_id: 'acct-7', history_gaps: `ETH:${GAP}` },
        { portfolio_id: 'acct-8', history_gaps: `ETH:${GAP}` },
        { portfolio_id: 'desk-0', history_gaps: null },
      ]);

      // One line for the engine of this shard, not one per portfolio; asset and date, no portfolio.
      const lines = gapLines().slice(before);
      expect(lines).toEqual([
        expect.objectContaining({ severity: 'WARNING', asset: 'ETH', date: GAP, historyEnd: '2022-11-08' }),
      ]);
      expect(lines[0]).not.toHaveProperty('portfolioId');
      // The next ticks' engines of this instance stay quiet for 30 minutes (the alert sums one-hour windows),
      // then the warning comes again while the close is still missing.
      await processShard(deps, { ...tickAt(1), shard: 0, shardCount: 1, prices: allPrices });
      await processShard(deps, { ...tickAt(29), shard: 0, shardCount: 1, prices: allPrices });
      expect(gapLines().slice(before)).toHaveLength(1);
      await processShard(deps, { ...tickAt(30), shard: 0, shardCount: 1, prices: allPrices });
      expect(gapLines().slice(before)).toHaveLength(2);
    });

    it('gives no VaR to a portfolio holding an asset missing more closes than RISK_MAX_GAP_DAYS', async () => {
      await portfoliosAndGap();
      deps.config = { ...deps.config, riskParams: { ...deps.config.riskParams, maxGapDays: 0 } };
      const before = gapLines().length;
      await processShard(deps, { ...TICK, shard: 0, shardCount: 1, prices: allPrices });
      const [batch] = bus.on<Batch>('risk.portfolio-risk.v1');
      const byId = new Map(batch.portfolios.map((p) => [p.portfolioId, p]));
      expect(byId.get('acct-7')?.risk).toBeNull();
      expect(byId.get('desk-0')?.risk?.figures).toHaveLength(12);
      expect(gapLines().slice(before)).toEqual([]);
      // Not silently: why, once for the batch.
      const unusable = sink
        .entries()
        .filter(
          (e) => e.message === 'asset unusable for VaR; portfolios holding it are published without VaR',
        );
      expect(unusable.slice(-1)).toEqual([
        expect.objectContaining({
          asset: 'ETH',
          detail: expect.stringMatching(`ETH has no close on ${GAP}`),
        }),
      ]);
    });
  });
});
