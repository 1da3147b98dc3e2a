/**
 * A daily close missing from the history, through the real risk path on the Firestore emulator and DuckDB:
 * computePortfolioRisk values a shard reading the closes from Firestore (dailyCloses/<asset>, as ingestPrices
 * records them) and computes VaR without the missing one; every output of a portfolio holding the asset says so —
 * the risk.portfolio-risk.v1 message, its risk.portfolio_risk_figures rows and, through detectMarginEvents, the
 * portfolio view riskApi serves — and the gap is logged once for the shard's engine, not per portfolio.
 */
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { validate } from '../../../shared/contracts/validation';
import { bucketOf } from '../../../shared/domain/ids';
import type { DailyClosesDoc } from '../../../shared/domain/prices/ticks';
import { DEFAULT_RISK_COMPUTE_CONFIG } from '../../../shared/domain/risk/config';
import { DEFAULT_SHOCK } from '../../../shared/domain/risk/shock';
import { ManualClock } from '../../../shared/platform/clocks';
import { HISTORY_GAP_LOG } from '../../../shared/platform/log-messages';
import { StructuredLogger } from '../../../shared/platform/logger';
import {
  COLLECTIONS,
  processShard,
  type PortfolioDoc,
  type RiskDeps,
} from '../../../shared/use-cases/compute-portfolio-risk';
import { detectMarginEvents } from '../../../shared/use-cases/detect-margin-events';
import { getPortfolio } from '../../../shared/use-cases/risk-api';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId, seedDailyCloses } from '../../support/env';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { expectDocumented } from '../../support/openapi';

type Batch = SchemaTypes['messages/risk.portfolio-risk.v1'];

const TICK = { tickId: 'tick-20221109T2359Z', asOf: '2022-11-09T23:59:00Z' };
const PRICES = { BTC: 15_880, ETH: 1_100, USDC: 1 };
const GAP = '2022-09-14'; // ETH: no close that day from either source

const book = (portfolioId: string, positions: PortfolioDoc['positions']): PortfolioDoc => ({
  portfolioId,
  bucket: bucketOf(portfolioId),
  deskId: 'default',
  updatedAt: '2022-11-01T00:00:00.000Z',
  positions,
});

describe('a missing daily close on the Firestore emulator: VaR computed without it, and flagged', () => {
  const projectId = isolatedProjectId('missing-closes');
  let store: FirestoreDocumentStore;
  let warehouse: DuckDbWarehouse;
  const sink = new CapturingSink();
  const logger = new StructuredLogger({ sink: sink.sink });
  const clock = new ManualClock('2022-11-10T00:00:00Z');
  let batch: Batch;

  beforeAll(async () => {
    store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
    warehouse = await DuckDbWarehouse.open();
    await seedDailyCloses(store, '2022-11-09', 400, ['BTC', 'ETH', 'USDC']);
    const eth = await store.get<DailyClosesDoc>('dailyCloses', 'ETH');
    if (!eth) throw new Error('no ETH closes seeded');
    await store.set('dailyCloses', 'ETH', { ...eth, closes: eth.closes.filter((c) => c.date !== GAP) });
    const btc = [
      { asset: 'BTC', amount: 1, side: 'collateral' as const },
      { asset: 'USDC', amount: 9_000, side: 'borrow' as const },
    ];
    await store.set(
      COLLECTIONS.portfolios,
      'eth-1',
      book('eth-1', [...btc, { asset: 'ETH', amount: 10, side: 'collateral' }]),
    );
    await store.set(
      COLLECTIONS.portfolios,
      'eth-2',
      book('eth-2', [{ asset: 'ETH', amount: 20, side: 'collateral' }, btc[1]]),
    );
    await store.set(COLLECTIONS.portfolios, 'btc-1', book('btc-1', btc));

    const bus = new MemoryEventBus();
    const deps: RiskDeps = {
      store,
      bus,
      warehouse,
      logger,
      config: { ...DEFAULT_RISK_COMPUTE_CONFIG, shardCount: 1 },
    };
    await processShard(deps, {
      ...TICK,
      shard: 0,
      shardCount: 1,
      prices: Object.entries(PRICES).map(([asset, priceUsd]) => ({ asset, priceUsd })),
    });
    [batch] = bus.on<Batch>('risk.portfolio-risk.v1');
    // detectMarginEvents keeps each portfolio's view (what riskApi serves) from the published risk.
    for (const risk of batch.portfolios)
      await detectMarginEvents({ store, bus, warehouse, clock, logger }, risk);
  });

  afterAll(async () => {
    await store.close();
    await warehouse.close();
  });

  it('publishes VaR for every portfolio, with the gap on those holding ETH only', () => {
    validate('messages/risk.portfolio-risk.v1', batch);
    const byId = new Map(batch.portfolios.map((p) => [p.portfolioId, p.risk]));
    for (const id of ['eth-1', 'eth-2']) {
      expect(byId.get(id)?.scenarios).toBe(365);
      expect(byId.get(id)?.historyGaps).toEqual([{ asset: 'ETH', date: GAP }]);
    }
    expect(byId.get('btc-1')?.figures).toHaveLength(12);
    expect(byId.get('btc-1')).not.toHaveProperty('historyGaps');
  });

  it('records the gap with every VaR/ES row of those portfolios', async () => {
    const rows = await warehouse.query<{ portfolio_id: string; history_gaps: string | null; n: number }>(
      'SELECT portfolio_id, history_gaps, count(*) AS n FROM risk.portfolio_risk_figures ' +
        'GROUP BY portfolio_id, history_gaps ORDER BY portfolio_id',
    );
    expect(rows).toEqual([
      { portfolio_id: 'btc-1', history_gaps: null, n: 12 },
      { portfolio_id: 'eth-1', history_gaps: `ETH:${GAP}`, n: 12 },
      { portfolio_id: 'eth-2', history_gaps: `ETH:${GAP}`, n: 12 },
    ]);
  });

  it("serves the gap in riskApi's portfolio view, as its API documents it", async () => {
    const deps = {
      store,
      warehouse,
      clock,
      logger,
      access: { readsAll: () => true, canRead: () => true },
      shock: DEFAULT_SHOCK,
    };
    const eth = await getPortfolio(deps, { id: 'risk-manager@desk.test' }, 'eth-1');
    if (eth.kind !== 'ok') throw new Error(`riskApi refused: ${JSON.stringify(eth.body)}`);
    expectDocumented('risk-api', 'GET', '/portfolios/eth-1', 200, eth.body);
    expect(eth.body.risk?.historyGaps).toEqual([{ asset: 'ETH', date: GAP }]);
    const btc = await getPortfolio(deps, { id: 'risk-manager@desk.test' }, 'btc-1');
    expect(btc.kind === 'ok' && btc.body.risk).not.toHaveProperty('historyGaps');
  });

  it('logs the gap once for the shard, with asset and date only', () => {
    const lines = sink.entries().filter((e) => e.message === HISTORY_GAP_LOG);
    expect(lines).toEqual([
      {
        severity: 'WARNING',
        message: HISTORY_GAP_LOG,
        asset: 'ETH',
        date: GAP,
        historyEnd: '2022-11-08',
        time: expect.any(String),
      },
    ]);
  });
});
